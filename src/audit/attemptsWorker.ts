/**
 * Runs `AuditStore.verifyWithAttempts` on a store in a worker thread (see
 * attemptsThread.ts) and posts one message: the result with its attempts
 * as columns, or `{ ok: false }` when anything failed (the
 * caller then reads the store itself and meets the error there).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditStore } from './AuditStore.js';
import type { AttemptsMessage } from './attemptsThread.js';
import { WalkShare } from './walkShare.js';

const { path, key, share } = workerData as {
  path: string;
  key: Uint8Array | undefined;
  share: SharedArrayBuffer | undefined;
};
let message: AttemptsMessage;
let transfer: ArrayBuffer[] = [];
try {
  const store = AuditStore.open({ path, readonly: true, ...(key === undefined ? {} : { key: Buffer.from(key) }) });
  try {
    // The page check is the caller's: its thread runs it while this one walks the chain.
    // The walk is shared: the caller may take its newest part (see walkShare.ts).
    const view = share === undefined ? undefined : new WalkShare(share);
    const { verify, columns, stored, part } = store.verifyWithAttemptColumns({
      pageCheck: 'caller',
      ...(view === undefined ? {} : { share: view }),
    });
    // The file's pages too, when the caller has not taken their check yet (it is busy with its own work).
    const pages = view?.claimPages() === true ? store.pageDamage() === undefined : undefined;
    message = {
      ok: true,
      verify,
      stored,
      columns,
      ...(part === undefined ? {} : { part }),
      ...(pages === undefined ? {} : { pages }),
    };
    transfer = [columns.ids.buffer as ArrayBuffer, columns.numbers.buffer as ArrayBuffer];
  } finally {
    store.closeSync();
  }
} catch {
  message = { ok: false };
}
parentPort?.postMessage(message, transfer);
