/**
 * How two threads share one walk of a store's chain: a worker walks it from
 * the oldest entry on, a page of sequence numbers at a time, each page claimed
 * before it is read; the thread that started the worker, once it has nothing
 * else to do, may take the newest half of what the worker has not claimed yet
 * and walk that part itself. Every entry is then read by exactly one of them:
 * the worker's pages end where the taken part begins. The state lives in a
 * SharedArrayBuffer both threads see, changed only under a lock.
 */

/** Sequence numbers above this are never shared: the walk is then the worker's alone. */
const LIMIT = 2 ** 31 - 2;
/** `back` while nothing was taken. */
const NONE = 2 ** 31 - 1;
const LOCK = 0;
const CLOSED = 1;
const FRONT = 2;
const BACK = 3;
/** 0 while nobody took the file's page check, 1 once a thread did. */
const PAGES = 4;

export class WalkShare {
  readonly buffer: SharedArrayBuffer;
  readonly #state: Int32Array;
  /** Set by {@link close}: whether the newest part of the walk was taken. */
  #split: boolean | undefined;

  /** A new share: nothing claimed, nothing taken. */
  static create(): WalkShare {
    const share = new WalkShare(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
    share.#state[FRONT] = -(2 ** 31);
    share.#state[BACK] = NONE;
    return share;
  }

  /** The view of a share {@link create}d on this or another thread. */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#state = new Int32Array(buffer);
  }

  /**
   * `run` under the lock. The worker waits for it as long as it takes (the other side holds it for a few
   * instructions); the taker gives up after `patience` ms (a worker stopped while holding it) and gets undefined.
   */
  #locked<T>(run: () => T, patience = Infinity): T | undefined {
    const s = this.#state;
    const until = Date.now() + patience;
    while (Atomics.compareExchange(s, LOCK, 0, 1) !== 0) {
      if (Date.now() > until) return undefined;
      Atomics.wait(s, LOCK, 1, 1);
    }
    try {
      return run();
    } finally {
      Atomics.store(s, LOCK, 0);
      Atomics.notify(s, LOCK, 1);
    }
  }

  /**
   * The worker's next page after `cursor`: the rows `cursor < seq <= ` the number returned are its to read;
   * undefined when the rest was taken (or the share is closed).
   */
  claim(cursor: number, page: number): number | undefined {
    return this.#locked(() => {
      const s = this.#state;
      if (s[CLOSED] === 1) return undefined;
      const back = s[BACK]!;
      const hi = back === NONE ? cursor + page : Math.min(cursor + page, back);
      if (hi <= cursor) return undefined;
      s[FRONT] = Math.max(s[FRONT]!, Math.min(hi, LIMIT));
      return hi;
    });
  }

  /**
   * Takes the newest half of what the worker has not claimed, when the chain ends at `maxSeq` and at least
   * `minRows` sequence numbers are left: the rows `seq > ` the number returned are the taker's. Undefined when
   * the worker has finished, too little is left, or something was taken before.
   */
  take(maxSeq: number, minRows: number): number | undefined {
    return this.#locked(() => {
      const s = this.#state;
      if (s[CLOSED] === 1 || s[BACK] !== NONE || !(maxSeq <= LIMIT)) return undefined;
      const front = s[FRONT]!;
      const rest = maxSeq - Math.max(front, -1);
      if (!(rest >= minRows)) return undefined;
      const from = Math.max(front, -1) + Math.ceil(rest / 2);
      s[BACK] = from;
      return from;
    }, 100);
  }

  /** The worker is done: nothing can be taken from now on. Returns (and remembers) whether a part was taken. */
  close(): boolean {
    this.#split ??= this.#locked(() => {
      this.#state[CLOSED] = 1;
      return this.#state[BACK] !== NONE;
    })!;
    return this.#split;
  }

  /** Takes the file's page check, which one thread runs: true for the first to ask. */
  claimPages(): boolean {
    return Atomics.compareExchange(this.#state, PAGES, 0, 1) === 0;
  }

  /** The sequence number after which the newest part was taken; undefined while nothing was. */
  get taken(): number | undefined {
    const back = Atomics.load(this.#state, BACK);
    return back === NONE ? undefined : back;
  }

  /** Whether {@link close} found the newest part taken (undefined before it was called). */
  get split(): boolean | undefined {
    return this.#split;
  }
}
