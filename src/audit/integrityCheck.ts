/**
 * SQLite's `quick_check` of a store file (every page of every b-tree) while
 * the hash chain is walked: on a large store it runs in a worker thread on a
 * read-only connection of its own, so the two reads of the file overlap on
 * two cores instead of adding up. `verify` stays synchronous: it waits for the
 * worker with `Atomics.wait` once its walk is done. Small stores, builds run
 * from source, or a worker that cannot start or open the file take the inline
 * check on the caller's connection: the check always runs.
 */
import { statSync } from 'node:fs';
import { MessageChannel, type Worker, receiveMessageOnPort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { siblingWorker, startWorkerThread } from '../util/workerModule.js';

/** Below this file size the inline check is cheaper than starting a thread. */
const WORKER_MIN_BYTES = 32 * 2 ** 20;
/** How long a worker may take to start before the inline check runs instead. */
const START_TIMEOUT_MS = 10_000;

const WORKER_URL = siblingWorker(import.meta.url, 'integrityWorker');

/** A started check: `result()` returns `quick_check`'s text (`ok` for an intact file). */
export interface IntegrityCheck {
  result(): string;
}

/** With `thread: false`, always the inline check (run when `result()` is called). */
export function startQuickCheck(db: Database.Database, thread = true): IntegrityCheck {
  const inline = (): string => String(db.pragma('quick_check', { simple: true }));
  const path = db.name;
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    size = 0;
  }
  if (!thread || WORKER_URL === undefined || db.memory || size < WORKER_MIN_BYTES) return { result: inline };
  let worker: Worker;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    // Its stdout and stderr stay its own: piping them into this process's would open process.stdout here,
    // which turns a piped fd 1 non-blocking under a program that writes to it synchronously.
    worker = startWorkerThread(WORKER_URL, {
      workerData: { path, flag, port: port2 },
      transferList: [port2],
      stdout: true,
      stderr: true,
    });
  } catch {
    port1.close();
    return { result: inline };
  }
  worker.unref();
  worker.on('error', () => undefined);
  return {
    result(): string {
      try {
        if (Atomics.load(flag, 0) === 0 && Atomics.wait(flag, 0, 0, START_TIMEOUT_MS) === 'timed-out') return inline();
        // Started: it ends by posting the check's text or the error that stopped it.
        while (Atomics.load(flag, 0) !== 2) Atomics.wait(flag, 0, 1);
        const message = receiveMessageOnPort(port1)?.message as unknown;
        if (typeof message !== 'string' || message.startsWith('error: ')) return inline();
        return message;
      } finally {
        port1.close();
        void worker.terminate();
      }
    },
  };
}
