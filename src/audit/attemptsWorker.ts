/**
 * Runs `AuditStore.verifyWithAttempts` on a store in a worker thread (see
 * attemptsThread.ts) and posts one message: the result with its attempts
 * as columns, or `{ ok: false }` when anything failed (the
 * caller then reads the store itself and meets the error there).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditStore } from './AuditStore.js';
import type { AttemptsMessage } from './attemptsThread.js';

const { path, key } = workerData as { path: string; key: Uint8Array | undefined };
let message: AttemptsMessage;
let transfer: ArrayBuffer[] = [];
try {
  const store = AuditStore.open({ path, readonly: true, ...(key === undefined ? {} : { key: Buffer.from(key) }) });
  try {
    // The page check is the caller's: its thread runs it while this one walks the chain.
    const { verify, columns, stored } = store.verifyWithAttemptColumns({ pageCheck: 'caller' });
    message = { ok: true, verify, stored, columns };
    transfer = [columns.ids.buffer as ArrayBuffer, columns.numbers.buffer as ArrayBuffer];
  } finally {
    store.closeSync();
  }
} catch {
  message = { ok: false };
}
parentPort?.postMessage(message, transfer);
