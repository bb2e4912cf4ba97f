/**
 * The checkpoint thread of an audit store open for writing (see
 * checkpointer.ts): on each `checkpoint` message it runs SQLite's PASSIVE
 * checkpoint on a connection of its own; on `close` it closes that
 * connection, sets `flag[0]` to CLOSED and ends. A checkpoint that fails
 * (the file is busy, locked or gone) is left to the next one.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { WorkerState } from './checkpointer.js';

interface Setup {
  path: string;
  flag: Int32Array;
}

const { path, flag } = workerData as Setup;
const done = (): void => {
  Atomics.store(flag, 0, WorkerState.CLOSED);
  Atomics.notify(flag, 0);
};

let db: Database.Database | undefined;
try {
  db = new Database(path, { fileMustExist: true });
  // The WAL is synced before its pages are copied and the database file after, before the WAL is reused.
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  Atomics.store(flag, 0, WorkerState.READY);
  Atomics.notify(flag, 0);
} catch {
  db = undefined;
}

if (db === undefined || parentPort === null) {
  done();
  // An exit the parent sees: it gives the WAL back to SQLite's auto-checkpoint.
  process.exit(1);
}

const connection = db;
parentPort.on('message', (message: unknown) => {
  if (message === 'checkpoint') {
    try {
      connection.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or failing: the next checkpoint tries again.
    }
    return;
  }
  if (message === 'close') {
    try {
      connection.close();
    } finally {
      done();
      parentPort?.close();
    }
  }
});
