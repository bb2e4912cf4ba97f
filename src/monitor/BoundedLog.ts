/** A bounded list that forgets the oldest entries first. */
export class BoundedLog<T> {
  private items: T[] = [];
  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    // Trim in batches so a full log does not shift the array on every push.
    if (this.items.length > this.capacity + Math.max(16, this.capacity >> 3))
      this.items = this.items.slice(-this.capacity);
  }

  /** Entries, oldest first, at most `capacity` of them. */
  all(): readonly T[] {
    return this.items.length > this.capacity ? this.items.slice(-this.capacity) : this.items;
  }

  last(): T | undefined {
    return this.items[this.items.length - 1];
  }

  get size(): number {
    return Math.min(this.items.length, this.capacity);
  }
}
