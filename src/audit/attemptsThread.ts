/**
 * `AuditStore.verifyWithAttemptsAsync` off the calling thread: a worker opens
 * the store file read-only on its own connection, verifies it and reads its
 * attempts, while the caller does other work (`check --evidence` reads
 * CloudTrail meanwhile). Only for a store large enough to pay for starting a
 * thread, and only from the compiled build; otherwise, or when the worker
 * cannot start or fails in any way, the caller reads the store itself, so the
 * result and every error are those of the same read on its own thread.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { siblingWorker } from '../util/workerModule.js';
import type { AttemptColumns } from './attemptColumns.js';
import type { VerifiedAttemptColumns } from './AuditStore.js';
import type { VerifyResult } from './types.js';

/** Below this file size (about 5,000 entries) reading on the caller's thread costs less than a thread. */
export const ATTEMPTS_WORKER_MIN_BYTES = 4 * 2 ** 20;

const WORKER_URL = siblingWorker(import.meta.url, 'attemptsWorker');

/** The worker's one message. */
export type AttemptsMessage =
  { ok: true; verify: VerifyResult; stored: number; columns: AttemptColumns } | { ok: false };

/**
 * The store file's verification and attempts, read by a worker thread; undefined when no worker is used
 * (a small file, a build run from source) or it did not give a result.
 */
export function verifyWithAttemptsInWorker(
  file: string,
  key: Buffer | undefined,
  minBytes = ATTEMPTS_WORKER_MIN_BYTES,
): Promise<VerifiedAttemptColumns | undefined> {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  if (WORKER_URL === undefined || size < minBytes) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      // Its stdout and stderr stay its own (see integrityCheck.ts).
      worker = new Worker(WORKER_URL, {
        workerData: { path: file, key: key === undefined ? undefined : new Uint8Array(key) },
        stdout: true,
        stderr: true,
      });
    } catch {
      resolve(undefined);
      return;
    }
    let settled = false;
    const done = (value: VerifiedAttemptColumns | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    worker.once('message', (message: AttemptsMessage) => {
      if (!message.ok) return done(undefined);
      done({ verify: message.verify, columns: message.columns, stored: message.stored });
    });
    worker.once('error', () => done(undefined));
    worker.once('exit', () => done(undefined));
  });
}
