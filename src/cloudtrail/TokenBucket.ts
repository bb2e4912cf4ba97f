/** A clock the pacing can be tested with; the default is the real one. */
export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PacingClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucketOptions {
  /**
   * Tokens added per second.
   * @default 2 (the LookupEvents quota per account and region)
   */
  ratePerSecond?: number;
  /**
   * Tokens the bucket holds. With 1, requests are evenly spaced and no window
   * of one second ever sees more than `ratePerSecond` of them; a larger burst
   * trades that guarantee for latency.
   * @default 1
   */
  capacity?: number;
  /**
   * Added to the spacing of requests. The quota is counted where the request
   * arrives, and the time between our send and AWS's receipt varies by a few
   * milliseconds; without headroom, two requests 500 ms apart on our side
   * can land 499 ms apart on AWS's.
   * @default 20
   */
  headroomMs?: number;
  clock?: PacingClock;
}

/**
 * A token bucket in its "virtual scheduling" form: it keeps the time at which
 * the next token is free and makes callers wait in turn, first come first
 * served.
 */
export class TokenBucket {
  readonly intervalMs: number;
  readonly #capacity: number;
  readonly #clock: PacingClock;
  #nextFree = -Infinity;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions = {}) {
    const rate = options.ratePerSecond ?? 2;
    if (!(rate > 0) || !Number.isFinite(rate))
      throw new RangeError(`ratePerSecond must be a positive number, got ${rate}`);
    const capacity = options.capacity ?? 1;
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a whole number of at least 1, got ${capacity}`);
    this.intervalMs = 1000 / rate + (options.headroomMs ?? 20);
    this.#capacity = capacity;
    this.#clock = options.clock ?? realClock;
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#wait());
    this.#queue = turn;
    return turn;
  }

  async #wait(): Promise<void> {
    const burst = (this.#capacity - 1) * this.intervalMs;
    for (;;) {
      const now = this.#clock.now();
      const allowedAt = this.#nextFree - burst;
      // Timers may fire a little early; check again rather than trust them.
      if (now >= allowedAt) {
        this.#nextFree = Math.max(this.#nextFree, now) + this.intervalMs;
        return;
      }
      await this.#clock.sleep(Math.ceil(allowedAt - now));
    }
  }
}
