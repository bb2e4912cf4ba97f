/**
 * A bounded list that forgets the oldest entries first: a ring buffer, so a
 * push costs the same whether the log is empty or full (no shifting, no
 * trimming copies).
 */
export class BoundedLog<T> {
  private readonly items: (T | undefined)[] = [];
  /** Index of the oldest entry once the buffer has wrapped. */
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`a bounded log needs a whole-number capacity >= 1, got ${String(capacity)}`);
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items.push(item);
      this.count++;
      return;
    }
    this.items[this.start] = item;
    this.start = this.start + 1 === this.capacity ? 0 : this.start + 1;
  }

  /** Entries, oldest first, at most `capacity` of them (a copy). */
  all(): T[] {
    if (this.start === 0) return this.items.slice() as T[];
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)] as T[];
  }

  /** Entries, oldest first, without copying them. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.at(i) as T;
  }

  /** The `index`-th entry, oldest first (0 is the oldest kept). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const i = this.start + index;
    return this.items[i >= this.capacity ? i - this.capacity : i];
  }

  first(): T | undefined {
    return this.at(0);
  }

  last(): T | undefined {
    return this.at(this.count - 1);
  }

  get size(): number {
    return this.count;
  }
}
