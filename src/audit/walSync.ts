/**
 * Group fsync of the store's write-ahead log. The connection runs with
 * `synchronous=NORMAL`: a commit writes its WAL frames to the OS (it survives
 * the process being killed) but does not wait for the disk. This class then
 * makes commits survive an OS crash or power loss with `fdatasync` on the WAL
 * file, which SQLite's `synchronous=FULL` would do after every commit:
 *
 * - `syncNow()` (the synchronous API, `append`): fsync at once, on this thread.
 * - `durable(n)` (group commit): one fsync on the libuv thread pool covers every
 *   commit made before it started; commits made while it runs share the next
 *   one, which starts as soon as it ends. No timer: a commit waits at most for
 *   the fsync in flight plus its own.
 *
 * An fsync that fails leaves the store unusable for writing (after a failed
 * fsync the kernel may have dropped the dirty pages, so a later fsync that
 * succeeds proves nothing): every waiter and every later write is refused.
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (err: Error) => void;
  /** Rides on the next fsync someone else needs, or the timer's: never starts one at once. */
  lazy: boolean;
}

/** How long a commit nobody waits for may stay off the disk before it gets an fsync of its own. */
export const LAZY_SYNC_MS = 20;

export class WalSync {
  #fd: number | undefined;
  /** Commits made (a counter, not a sequence number). */
  #committed = 0;
  /** Every commit up to this one is on the disk. */
  #synced = 0;
  #inFlight = false;
  #waiters: Waiter[] = [];
  #failure: Error | undefined;
  #lazyTimer: NodeJS.Timeout | undefined;
  #fsyncs = 0;

  /** Opens the WAL file of `dbPath` (it must exist: the connection is in WAL mode) and fsyncs its directory once. */
  constructor(dbPath: string) {
    this.#fd = openSync(`${dbPath}-wal`, 'r+');
    // The WAL file may be new: its directory entry must survive a power loss too.
    const dir = openSync(dirname(dbPath), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /** The error that made the store unusable for writing, if an fsync failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Notes a commit; returns its number for {@link durable}. */
  committed(): number {
    this.#committed += 1;
    return this.#committed;
  }

  /** fsyncs the WAL now, on this thread: every commit so far is on the disk when it returns. */
  syncNow(): void {
    this.#check();
    const target = this.#committed;
    this.#fsyncs += 1;
    try {
      fdatasyncSync(this.#fd as number);
    } catch (err) {
      throw this.#fail(err as Error);
    }
    if (target > this.#synced) this.#synced = target;
    this.#settle();
  }

  /** Resolves once commit `n` is on the disk (sharing an fsync with every commit around it). */
  durable(n: number): Promise<void> {
    return this.#wait(n, false);
  }

  /**
   * Resolves once commit `n` is on the disk, without asking for an fsync now:
   * it shares the next fsync a waiting commit starts, and gets one of its own
   * after {@link LAZY_SYNC_MS} if none came. For commits no caller waits for
   * (a guarded call's outcome), so they never make a waiting commit queue
   * behind their fsync.
   */
  durableSoon(n: number): Promise<void> {
    return this.#wait(n, true);
  }

  #wait(n: number, lazy: boolean): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (n <= this.#synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ upTo: n, resolve, reject, lazy });
      if (!lazy) {
        if (!this.#inFlight) this.#start();
      } else this.#armLazy();
    });
  }

  /** Commits made so far (the number {@link durable} takes for "everything up to now"). */
  get committedCount(): number {
    return this.#committed;
  }

  /** fsyncs started so far. */
  get fsyncs(): number {
    return this.#fsyncs;
  }

  /** Commits not yet on the disk. */
  get pending(): number {
    return this.#committed - this.#synced;
  }

  #start(): void {
    if (this.#fd === undefined) {
      this.#fail(new Error('the write-ahead log was closed before its entries were synced to the disk'));
      return;
    }
    const target = this.#committed;
    this.#inFlight = true;
    this.#fsyncs += 1;
    fdatasync(this.#fd, (err) => {
      this.#inFlight = false;
      if (err) {
        this.#fail(err);
        return;
      }
      if (target > this.#synced) this.#synced = target;
      this.#settle();
      if (this.#waiters.some((w) => !w.lazy)) this.#start();
      // Lazy commits made during that fsync: the timer covers them.
      else if (this.#waiters.length > 0) this.#armLazy();
    });
  }

  /** An fsync within {@link LAZY_SYNC_MS} for lazy waiters no other fsync covered (the timer keeps the process up that long). */
  #armLazy(): void {
    if (this.#lazyTimer !== undefined) return;
    this.#lazyTimer = setTimeout(() => {
      this.#lazyTimer = undefined;
      if (!this.#inFlight && this.#waiters.length > 0 && this.#failure === undefined) this.#start();
    }, LAZY_SYNC_MS);
  }

  #settle(): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      if (w.upTo <= this.#synced) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }

  #fail(err: Error): Error {
    const failure = (this.#failure ??= new Error(
      `syncing the write-ahead log to the disk failed (${err.message}); entries since the last sync may be lost, so the store accepts no more writes`,
      { cause: err },
    ));
    for (const w of this.#waiters.splice(0)) w.reject(failure);
    return failure;
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Waits for the fsync in flight (if any), then closes the file. */
  async close(): Promise<void> {
    if (this.#committed > this.#synced && this.#failure === undefined) {
      await this.durable(this.#committed).catch(() => undefined);
    }
    this.closeSync();
  }

  /** Closes the file; waiters still pending are refused. */
  closeSync(): void {
    clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    if (this.#inFlight) {
      // The callback of the fsync in flight still needs the descriptor; it is closed there.
      const fd = this.#fd;
      this.#fd = undefined;
      this.#fail(new Error('the audit store was closed'));
      if (fd !== undefined) setImmediate(() => closeLater(fd));
      return;
    }
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    if (this.#waiters.length > 0) this.#fail(new Error('the audit store was closed'));
  }
}

/** Closes a descriptor once no fsync uses it (an fsync in flight keeps its own reference in the kernel). */
function closeLater(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
