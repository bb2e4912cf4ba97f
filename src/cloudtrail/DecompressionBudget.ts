/**
 * One budget of inflated bytes shared by every file read at once, so that
 * many gzip bombs read concurrently hold no more than the budget together
 * (a cap per file alone lets `concurrency` bombs each take the cap).
 *
 * A file asks for each chunk before keeping it. When the chunk does not fit,
 * the file waits for another to finish; if every file holding memory is
 * waiting, none could ever finish, so the one holding the most is refused
 * (it is the likeliest bomb) and its bytes go back to the others. A file that
 * alone needs more than the whole budget is refused at once.
 */

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

interface LeaseState {
  held: number;
  wake: ((error?: Error) => void) | undefined;
}

export interface BudgetLease {
  /** Resolves once `bytes` more are granted; rejects with BudgetExceededError when the file must give up. */
  take(bytes: number): Promise<void>;
  /** Takes `bytes` more at once when they fit now; false (nothing taken, nobody refused) when they do not. */
  tryTake(bytes: number): boolean;
  /** Gives back everything this lease holds. Safe to call more than once. */
  release(): void;
}

export class DecompressionBudget {
  readonly total: number;
  #used = 0;
  #peak = 0;
  readonly #leases = new Set<LeaseState>();

  constructor(total: number) {
    if (!(total > 0)) throw new RangeError(`the decompression budget must be above 0 bytes, got ${total}`);
    this.total = total;
  }

  /** The most bytes held at once so far. */
  get peak(): number {
    return this.#peak;
  }

  get used(): number {
    return this.#used;
  }

  lease(): BudgetLease {
    const state: LeaseState = { held: 0, wake: undefined };
    this.#leases.add(state);
    return {
      take: (bytes) => this.#take(state, bytes),
      tryTake: (bytes) => {
        if (this.#used + bytes > this.total) return false;
        this.#grant(state, bytes);
        return true;
      },
      release: () => {
        this.#used -= state.held;
        state.held = 0;
        this.#leases.delete(state);
        this.#wakeAll();
      },
    };
  }

  async #take(state: LeaseState, bytes: number): Promise<void> {
    for (;;) {
      if (this.#used + bytes <= this.total) {
        this.#grant(state, bytes);
        return;
      }
      if (state.held + bytes > this.total || state.held === this.#used)
        throw new BudgetExceededError(
          `needs more than the ${this.total}-byte decompression budget on its own; not a CloudTrail log file`,
        );
      const woken = new Promise<void>((resolve, reject) => {
        state.wake = (error) => (error ? reject(error) : resolve());
      });
      this.#breakDeadlock();
      try {
        await woken;
      } finally {
        state.wake = undefined;
      }
    }
  }

  #grant(state: LeaseState, bytes: number): void {
    this.#used += bytes;
    state.held += bytes;
    this.#peak = Math.max(this.#peak, this.#used);
  }

  /** When every lease holding bytes waits, refuse the largest so the rest can go on. */
  #breakDeadlock(): void {
    const holding = [...this.#leases].filter((l) => l.held > 0);
    if (holding.length === 0 || holding.some((l) => l.wake === undefined)) return;
    const largest = holding.reduce((a, b) => (b.held > a.held ? b : a));
    largest.wake?.(
      new BudgetExceededError(
        `refused: the files read at once together exceeded the ${this.total}-byte decompression budget and this one held the most (${largest.held} bytes)`,
      ),
    );
  }

  #wakeAll(): void {
    for (const l of this.#leases) l.wake?.();
  }
}
