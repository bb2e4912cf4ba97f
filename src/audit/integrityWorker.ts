/**
 * Runs SQLite's `quick_check` on an audit store in a worker thread, so a full
 * `verify` checks the file's pages and walks the hash chain at the same time.
 * Protocol (see integrityCheck.ts): `flag[0]` becomes 1 once this thread runs
 * and 2 once its one message (the check's text, or `error: ...` when it could
 * not run) is on the port.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';

interface Setup {
  path: string;
  flag: Int32Array;
  port: MessagePort;
}

const { path, flag, port } = workerData as Setup;
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
let text: string;
try {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    text = String(db.pragma('quick_check', { simple: true }));
  } finally {
    db.close();
  }
} catch (err) {
  text = `error: ${(err as Error).message}`;
}
port.postMessage(text);
Atomics.store(flag, 0, 2);
Atomics.notify(flag, 0);
parentPort?.close();
