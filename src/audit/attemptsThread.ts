/**
 * `AuditStore.verifyWithAttemptsAsync` off the calling thread: a worker opens
 * the store file read-only on its own connection, walks its chain and reads its
 * attempts, while the caller does other work (`check --evidence` reads
 * CloudTrail meanwhile) and checks the file's pages (SQLite's `quick_check`,
 * the part of a full verify the worker leaves to it). Only for a store large
 * enough to pay for starting a thread, and only from the compiled build;
 * otherwise, or when the worker cannot start or fails in any way, the caller
 * reads the store itself, so the result and every error are those of the same
 * read on its own thread.
 */
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { siblingWorker, startWorkerThread } from '../util/workerModule.js';
import type { AttemptColumns } from './attemptColumns.js';
import type { WalkPart, WorkerAttemptColumns } from './AuditStore.js';
import { WalkShare } from './walkShare.js';
import type { VerifyResult } from './types.js';

/** Below this file size (about 5,000 entries) reading on the caller's thread costs less than a thread. */
export const ATTEMPTS_WORKER_MIN_BYTES = 4 * 2 ** 20;

const WORKER_URL = siblingWorker(import.meta.url, 'attemptsWorker');

/** The worker's one message. */
export type AttemptsMessage =
  | { ok: true; verify: VerifyResult; stored: number; columns: AttemptColumns; part?: WalkPart; pages?: boolean }
  | { ok: false };

/**
 * A worker thread's read of a store file (with the key it was given), already under way. The thread does not
 * keep the process alive until its result is {@link take}n; {@link cancel} ends it when the result is not
 * wanted (the store that would read it opened another file, or with another key).
 */
export interface AttemptsRead {
  readonly file: string;
  readonly key: Buffer | undefined;
  /** The walk the thread shares: the caller may take the newest part of it and walk that itself. */
  readonly share?: WalkShare;
  /** The result (undefined when the worker did not give one); from now on the thread keeps the process alive. */
  take(): Promise<WorkerAttemptColumns | undefined>;
  /** Stops the thread; its result, if taken, is then undefined. */
  cancel(): void;
}

/**
 * Starts reading the store file's verification and attempts on a worker thread; undefined when no worker is
 * used (a small file, a build run from source) or it cannot start.
 */
export function startAttemptsRead(
  file: string,
  key: Buffer | undefined,
  minBytes = ATTEMPTS_WORKER_MIN_BYTES,
): AttemptsRead | undefined {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  if (WORKER_URL === undefined || size < minBytes) return undefined;
  let worker: Worker;
  const share = WalkShare.create();
  try {
    // Its stdout and stderr stay its own (see integrityCheck.ts).
    worker = startWorkerThread(WORKER_URL, {
      workerData: { path: file, key: key === undefined ? undefined : new Uint8Array(key), share: share.buffer },
      stdout: true,
      stderr: true,
    });
  } catch {
    return undefined;
  }
  worker.unref();
  const result = new Promise<WorkerAttemptColumns | undefined>((resolve) => {
    let settled = false;
    const done = (value: WorkerAttemptColumns | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    worker.once('message', (message: AttemptsMessage) => {
      if (!message.ok) return done(undefined);
      done({
        verify: message.verify,
        columns: message.columns,
        stored: message.stored,
        ...(message.part === undefined ? {} : { part: message.part }),
        ...(message.pages === undefined ? {} : { pages: message.pages }),
      });
    });
    worker.once('error', () => done(undefined));
    worker.once('exit', () => done(undefined));
  });
  return {
    file,
    key,
    share,
    take() {
      worker.ref();
      return result;
    },
    cancel() {
      void worker.terminate();
    },
  };
}

/**
 * The store file's verification and attempts, read by a worker thread; undefined when no worker is used
 * (a small file, a build run from source) or it did not give a result.
 */
export function verifyWithAttemptsInWorker(
  file: string,
  key: Buffer | undefined,
  minBytes = ATTEMPTS_WORKER_MIN_BYTES,
): Promise<WorkerAttemptColumns | undefined> {
  return startAttemptsRead(file, key, minBytes)?.take() ?? Promise.resolve(undefined);
}
