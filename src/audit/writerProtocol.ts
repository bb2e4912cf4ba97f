/** What the store's thread and its writer thread (writerWorker.ts) say to each other. */
import type { MessagePort } from 'node:worker_threads';

/** Values per row in a batch: audit id, kind, timestamp, ref audit id, body. */
export const ROW_WIDTH = 5;

/** Slots of the shared state. */
export const WriterSlot = { STATE: 0, DONE: 1 } as const;

/** `state[STATE]`. */
export const WriterState = { STARTING: 0, READY: 1, CLOSED: 2 } as const;

export interface WriterSetup {
  path: string;
  key: Uint8Array | undefined;
  durability: 'full' | 'normal';
  busyTimeoutMs: number;
  maxPageCount: number | undefined;
  autoCheckpointPages: number;
  /** Int32Array slots ({@link WriterSlot}). */
  state: SharedArrayBuffer;
  /** Replies go here, so the store's thread can also read them without its event loop. */
  reply: MessagePort;
}

/** Rows to commit, in order; `waited[i]` is 1 when someone waits for row i (an attempt), 0 for a staged outcome. */
export interface WriterBatch {
  id: number;
  rows: (string | null)[];
  waited: (0 | 1)[];
}

/** Rows (indexes into the batch) committed in one transaction. */
export interface CommittedPart {
  rows: number[];
  seqs: number[];
  hashes: string[];
  /** The commit's number for the durable replies (0 without fsyncs of its own: durability 'normal'). */
  commit: number;
}

export interface WriterError {
  message: string;
  code?: string;
}

export type WriterReply =
  | { kind: 'batch'; id: number; committed: CommittedPart[]; failed: { rows: number[]; error: WriterError }[] }
  | { kind: 'durable'; through: number; fsyncs: number }
  | { kind: 'fsync-failed'; error: WriterError }
  | { kind: 'broken'; error: WriterError };
