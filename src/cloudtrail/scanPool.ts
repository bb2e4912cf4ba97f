/**
 * The worker threads of a trail scan: one file in flight per worker. The
 * worker is the compiled `scanWorker.js` next to this module; run from the
 * TypeScript sources (no compiled worker), a scan reads in its own thread.
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { ParseProblem } from './trailParse.js';
import type { SkippedEvents } from './trailSelect.js';
import { siblingWorker, startWorkerThread, workerExecArgv } from '../util/workerModule.js';

export interface WorkerSetup {
  readonly start: number;
  readonly end: number;
  readonly principal: string | undefined;
  readonly writes: boolean;
  readonly principalReadsCounted: boolean;
  readonly all: boolean;
  readonly maxFileBytes: number;
}

export interface WorkerRequest {
  readonly id: number;
  /** A local file the worker reads itself. */
  readonly path?: string;
  /** Or the file's bytes, transferred. */
  readonly bytes?: ArrayBuffer;
  readonly gzip: boolean;
}

export interface WorkerReply {
  readonly id: number;
  readonly compressed: number;
  readonly bytes: number;
  readonly unreadable?: string;
  /** The worker failed on this file (a bug, not bad input): the scan fails with it. */
  readonly error?: string;
  readonly good?: number;
  readonly selected?: Record<string, unknown>[];
  readonly skipped?: SkippedEvents;
  readonly problem?: ParseProblem | undefined;
}

/** V8 heap flags a worker thread refuses in `execArgv`; it takes them as `resourceLimits`. */
const HEAP_FLAGS: Record<string, 'maxOldGenerationSizeMb' | 'maxYoungGenerationSizeMb'> = {
  '--max-old-space-size': 'maxOldGenerationSizeMb',
  '--max_old_space_size': 'maxOldGenerationSizeMb',
  '--max-semi-space-size': 'maxYoungGenerationSizeMb',
  '--max_semi_space_size': 'maxYoungGenerationSizeMb',
};

/**
 * A worker's young generation unless the user sets one (`--max-semi-space-size`, on the command line or in
 * NODE_OPTIONS): 24 MiB, a semi-space of 8 MiB, half of V8's default here. A worker parses one trail file at a
 * time and keeps nothing of it; with the default, each worker's heap held about 15 MiB more at its peak, and a
 * scan of 1,000,000 events on 2 workers peaked at 300 MiB instead of 270 MiB, for the same CPU time.
 */
export const WORKER_YOUNG_GENERATION_MB = 24;

/**
 * The parent's Node flags for a worker: without those that only apply to a script given inline (`-e`,
 * `--input-type`), and with the heap limits (`--max-old-space-size`) as the worker's own resource limits, so a
 * worker is held to the memory the user gave the process.
 */
export function workerOptions(
  args: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): { execArgv: string[]; resourceLimits: ResourceLimits } {
  const execArgv: string[] = [];
  const resourceLimits: { -readonly [K in keyof ResourceLimits]: ResourceLimits[K] } = {};
  const kept = workerExecArgv(args);
  for (let i = 0; i < kept.length; i++) {
    const a = kept[i]!;
    const [flag = '', value] = a.split('=', 2);
    const limit = HEAP_FLAGS[flag];
    if (limit) {
      const mb = Number(value ?? kept[++i]);
      // The semi-space is a third of the young generation.
      if (mb > 0) resourceLimits[limit] = limit === 'maxYoungGenerationSizeMb' ? mb * 3 : mb;
      continue;
    }
    execArgv.push(a);
  }
  if (
    resourceLimits.maxYoungGenerationSizeMb === undefined &&
    !/--max[-_]semi[-_]space[-_]size/.test(env.NODE_OPTIONS ?? '')
  )
    resourceLimits.maxYoungGenerationSizeMb = WORKER_YOUNG_GENERATION_MB;
  return { execArgv, resourceLimits };
}

const WORKER_URL = siblingWorker(import.meta.url, 'scanWorker');

/** Worker threads can run: this module was loaded compiled (`.js`). */
export const workersAvailable = WORKER_URL !== undefined;

type Pending = { file: string; resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Why the worker stopped, once it has. */
  stopped: { why: string; cause: Error | undefined } | undefined;
}

/**
 * A worker thread stopped or failed while it held trail files: the scan cannot tell what those files hold, so
 * it fails, naming them (never a result without them).
 */
export class TrailWorkerError extends Error {
  /** The files the worker held, read or queued. */
  readonly files: readonly string[];
  constructor(message: string, files: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrailWorkerError';
    this.files = files;
  }
}

function workerError(stopped: NonNullable<Slot['stopped']>, files: readonly string[]): TrailWorkerError {
  const which = files.length === 1 ? files[0]! : `${files[0]!} (and ${files.length - 1} more)`;
  return new TrailWorkerError(
    `a trail scan worker thread ${stopped.why} while reading ${which}; the scan cannot show what the file holds`,
    files,
    stopped.cause ? { cause: stopped.cause } : undefined,
  );
}

function startWorker(url: URL, setup: WorkerSetup): Worker {
  const { execArgv, resourceLimits } = workerOptions();
  // Its stdout and stderr are its own streams, not piped into this process's: piping opens process.stdout here,
  // which turns a piped fd 1 non-blocking, and a program's writeSync(1) after the scan could then write only part
  // of its output. A worker writes nothing there; what it still writes to stderr (a warning) is passed on.
  const streams = { stdout: true, stderr: true } as const;
  const worker = startWorkerThread(url, { workerData: setup, execArgv, resourceLimits, ...streams });
  worker.stdout.resume();
  worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return worker;
}

export class ScanPool {
  readonly #slots: Slot[];
  #next = 0;

  constructor(size: number, setup: WorkerSetup) {
    const url = WORKER_URL;
    if (url === undefined) throw new Error('scan worker threads run only from the compiled build');
    this.#slots = Array.from({ length: size }, () => {
      const slot: Slot = {
        worker: startWorker(url, setup),
        pending: new Map(),
        stopped: undefined,
      };
      slot.worker.on('message', (reply: WorkerReply) => {
        const p = slot.pending.get(reply.id);
        slot.pending.delete(reply.id);
        p?.resolve(reply);
      });
      // Whatever stops a worker fails every file it holds and every file later given to it.
      const fail = (why: string, cause?: Error): void => {
        slot.stopped ??= { why, cause };
        const held = [...slot.pending.values()];
        slot.pending.clear();
        if (held.length === 0) return;
        const err = workerError(
          slot.stopped,
          held.map((p) => p.file),
        );
        for (const p of held) p.reject(err);
      };
      slot.worker.on('error', (err) => fail(`failed (${err.message})`, err));
      slot.worker.on('exit', (code) => fail(`stopped (exit code ${code})`));
      return slot;
    });
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Reads one file on worker `index` modulo the pool size; a worker takes its files in turn. */
  run(index: number, file: string, request: Omit<WorkerRequest, 'id'>): Promise<WorkerReply> {
    const s = this.#slots[index % this.#slots.length]!;
    if (s.stopped) return Promise.reject(workerError(s.stopped, [file]));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      s.pending.set(id, { file, resolve, reject });
      const message: WorkerRequest = { ...request, id };
      s.worker.postMessage(message, request.bytes ? [request.bytes] : []);
    });
  }

  /** Stops the workers; a file still pending is failed, not dropped. */
  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
