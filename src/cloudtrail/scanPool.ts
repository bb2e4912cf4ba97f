/**
 * The worker threads of a trail scan: one file in flight per worker. The
 * worker is the compiled `scanWorker.js` next to this module; run from the
 * TypeScript sources (no compiled worker), a scan reads in its own thread.
 */
import { Worker } from 'node:worker_threads';
import type { ParseProblem } from './trailParse.js';
import type { SkippedEvents } from './trailSelect.js';
import { siblingWorker } from '../util/workerModule.js';

export interface WorkerSetup {
  readonly start: number;
  readonly end: number;
  readonly principal: string | undefined;
  readonly writes: boolean;
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

/** The parent's Node flags minus those that only apply to a script given inline (`-e`, `--input-type`). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++;
      continue;
    }
    if (a.startsWith('--input-type') || a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    out.push(a);
  }
  return out;
}

const WORKER_URL = siblingWorker(import.meta.url, 'scanWorker');

/** Worker threads can run: this module was loaded compiled (`.js`). */
export const workersAvailable = WORKER_URL !== undefined;

type Pending = { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  failed: Error | undefined;
}

export class ScanPool {
  readonly #slots: Slot[];
  #next = 0;

  constructor(size: number, setup: WorkerSetup) {
    const url = WORKER_URL;
    if (url === undefined) throw new Error('scan worker threads run only from the compiled build');
    this.#slots = Array.from({ length: size }, () => {
      const slot: Slot = {
        worker: new Worker(url, { workerData: setup, execArgv: workerExecArgv() }),
        pending: new Map(),
        failed: undefined,
      };
      slot.worker.on('message', (reply: WorkerReply) => {
        const p = slot.pending.get(reply.id);
        slot.pending.delete(reply.id);
        p?.resolve(reply);
      });
      const fail = (err: Error): void => {
        slot.failed = err;
        for (const p of slot.pending.values()) p.reject(err);
        slot.pending.clear();
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => {
        if (slot.pending.size) fail(new Error(`a trail scan worker stopped (exit code ${code})`));
      });
      return slot;
    });
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Reads one file on worker `index` modulo the pool size; a worker takes its files in turn. */
  run(index: number, request: Omit<WorkerRequest, 'id'>): Promise<WorkerReply> {
    const s = this.#slots[index % this.#slots.length]!;
    if (s.failed) return Promise.reject(s.failed);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      s.pending.set(id, { resolve, reject });
      const message: WorkerRequest = { ...request, id };
      s.worker.postMessage(message, request.bytes ? [request.bytes] : []);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
