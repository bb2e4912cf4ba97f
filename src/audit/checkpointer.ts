/**
 * Checkpoints of the store's write-ahead log, off the appending thread.
 *
 * SQLite copies the WAL back into the database file once it holds about
 * 1,000 pages (auto-checkpoint), inside whichever commit crosses that mark:
 * that commit then also writes some 4 MiB into the database file and waits
 * for two more fsyncs (the WAL's and the database file's), and appends pay
 * for it in their throughput (every page is written twice on this thread)
 * and in their latency tail. A store open for writing therefore moves its
 * connection's auto-checkpoint mark to {@link CATCH_UP_PAGES} once its WAL
 * has grown to 1,000 pages, and a worker thread with a connection of its own
 * runs SQLite's PASSIVE checkpoint (the one auto-checkpoint runs: it never
 * blocks a writer or a reader) each time the WAL has grown by 1,000 pages
 * again. The worker's
 * connection syncs as SQLite does (`synchronous=NORMAL`: the WAL before the
 * copy, the database file after it), so a WAL is only reused once its pages
 * are safely in the database file; durability of commits is unchanged (they
 * are durable in the WAL, which is synced as before).
 *
 * Short sessions never start the thread: it starts when the first
 * checkpoint is due. Where it cannot start (builds run from source, a worker
 * that fails), SQLite's auto-checkpoint stays on, as before.
 */
import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { siblingWorker, startWorkerThread } from '../util/workerModule.js';

/** SQLite's default auto-checkpoint mark, in WAL pages: the worker is asked to checkpoint each time the WAL grew by as much. */
export const CHECKPOINT_PAGES = 1000;
/**
 * The writing connection's own auto-checkpoint mark while the worker runs. A
 * WAL is reused from its start only once a checkpoint copied every page in it;
 * under a steady stream of commits the worker's checkpoints may never catch up
 * exactly, so past this mark the writing connection finishes one itself (only
 * the pages the worker has not copied yet), and the WAL starts over.
 */
export const CATCH_UP_PAGES = 4 * CHECKPOINT_PAGES;
/** How long closing waits for the worker to close its connection (so the last close removes the WAL as before). */
const CLOSE_WAIT_MS = 10_000;

const WORKER_URL = siblingWorker(import.meta.url, 'checkpointWorker');

/** Worker states in `flag[0]`. */
export const WorkerState = { STARTING: 0, READY: 1, CLOSED: 2 } as const;

/**
 * Estimates the WAL pages each commit writes and has a worker checkpoint the
 * WAL every {@link CHECKPOINT_PAGES} of them.
 */
export class Checkpointer {
  readonly #db: Database.Database;
  readonly #path: string;
  #pages = 0;
  #worker: Worker | undefined;
  #flag: Int32Array | undefined;
  /** The worker could not be started: SQLite's auto-checkpoint does the work. */
  #disabled = WORKER_URL === undefined;
  /** Checkpoints the worker was asked for. */
  requested = 0;

  constructor(db: Database.Database, path: string) {
    this.#db = db;
    this.#path = path;
  }

  /** Whether a worker thread checkpoints this store (false: SQLite's auto-checkpoint on the writing connection). */
  get active(): boolean {
    return this.#worker !== undefined;
  }

  /**
   * Notes a commit of `rows` rows holding about `bytes` bytes of text: each
   * commit rewrites at least the table's and the audit-id index's last pages,
   * plus a page per 4 KiB of new row text.
   */
  committed(rows: number, bytes: number): void {
    if (this.#disabled) return;
    this.#pages += 2 + Math.ceil((bytes + rows * 64) / 4096);
    if (this.#pages < CHECKPOINT_PAGES) return;
    this.#pages = 0;
    if (this.#worker === undefined && !this.#start()) return;
    this.requested += 1;
    this.#worker?.postMessage('checkpoint');
  }

  #start(): boolean {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      // Its stdout and stderr stay its own: piping them to this process's would open process.stdout here,
      // which turns a piped fd 1 non-blocking under code that writes to it synchronously.
      worker = startWorkerThread(WORKER_URL as URL, {
        workerData: { path: this.#path, flag },
        stdout: true,
        stderr: true,
      });
    } catch {
      this.#disabled = true;
      return false;
    }
    worker.unref();
    // A worker that fails leaves the WAL to SQLite's auto-checkpoint again.
    const fallback = (): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#disabled = true;
      try {
        if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
      } catch {
        // The connection is busy or closing; its next open restores the default.
      }
    };
    worker.on('error', fallback);
    worker.on('exit', fallback);
    this.#db.pragma(`wal_autocheckpoint = ${CATCH_UP_PAGES}`);
    this.#worker = worker;
    this.#flag = flag;
    return true;
  }

  /**
   * Stops the worker and waits (bounded) until it closed its connection, so
   * the store's own close is the last one and checkpoints and removes the WAL
   * as SQLite always does.
   */
  close(): void {
    const worker = this.#worker;
    const flag = this.#flag;
    this.#worker = undefined;
    this.#disabled = true;
    if (worker === undefined || flag === undefined) return;
    worker.postMessage('close');
    const deadline = Date.now() + CLOSE_WAIT_MS;
    for (let state = Atomics.load(flag, 0); state !== WorkerState.CLOSED; state = Atomics.load(flag, 0)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(flag, 0, state, left);
    }
    void worker.terminate();
  }
}
