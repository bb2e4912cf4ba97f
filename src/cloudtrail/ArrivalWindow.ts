import type { PacingClock } from './TokenBucket.js';
import { realClock } from './TokenBucket.js';

export interface ArrivalWindowOptions {
  /** Requests allowed within one window. @default 2 */
  limit?: number;
  /** @default 1000 */
  windowMs?: number;
  clock?: PacingClock;
}

/**
 * Keeps any window of `windowMs` from holding more than `limit` request
 * arrivals at the far end, whatever the latency in between. We cannot see
 * when AWS receives a request, only that it is after we sent it and before
 * its answer came back; so a request occupies a slot from the moment it is
 * sent until `windowMs` after its answer. A token bucket alone spaces the
 * sends, but a send delayed on our side (a busy event loop, a slow
 * connection) can still land close to the next one.
 */
export class ArrivalWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: PacingClock;
  /** One entry per occupied slot: undefined while in flight, else the time the answer came. */
  #slots: Array<{ doneAt: number | undefined }> = [];
  #queue: Promise<unknown> = Promise.resolve();
  #wake: (() => void) | undefined;

  constructor(options: ArrivalWindowOptions = {}) {
    this.#limit = options.limit ?? 2;
    this.#windowMs = options.windowMs ?? 1000;
    if (!Number.isInteger(this.#limit) || this.#limit < 1)
      throw new RangeError(`limit must be a whole number of at least 1, got ${this.#limit}`);
    this.#clock = options.clock ?? realClock;
  }

  /** Waits for a free slot; call the returned function when the answer (or failure) comes back. */
  enter(): Promise<() => void> {
    const turn = this.#queue.then(() => this.#acquire());
    this.#queue = turn;
    return turn;
  }

  async #acquire(): Promise<() => void> {
    for (;;) {
      const now = this.#clock.now();
      this.#slots = this.#slots.filter((s) => s.doneAt === undefined || s.doneAt + this.#windowMs > now);
      if (this.#slots.length < this.#limit) {
        const slot: { doneAt: number | undefined } = { doneAt: undefined };
        this.#slots.push(slot);
        return () => {
          slot.doneAt ??= this.#clock.now();
          this.#wake?.();
        };
      }
      const done = this.#slots.map((s) => s.doneAt).filter((t): t is number => t !== undefined);
      if (done.length > 0) {
        await this.#clock.sleep(Math.max(1, Math.ceil(Math.min(...done) + this.#windowMs - now)));
      } else {
        // Every slot is in flight: wait for an answer.
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    }
  }
}
