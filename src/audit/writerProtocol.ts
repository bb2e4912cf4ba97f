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

/**
 * Rows to commit, in order; `waited[i]` is 1 when someone waits for row i (an attempt), 0 for a staged outcome.
 * The rows of one `appendBatch` may come in parts, so the writer inserts the first while the store's thread
 * prepares the next: parts with `part: 'more'` (no reply) open or extend one transaction, and the batch with
 * `part: 'end'` commits it with its own rows (its reply covers the rows of every part, in order) or, with
 * `part: 'abort'`, rolls it back. `sync` fsyncs the write-ahead log before the reply (a synchronous append).
 */
export interface WriterBatch {
  id: number;
  rows: (string | null)[];
  waited: (0 | 1)[];
  part?: 'more' | 'end' | 'abort';
  sync?: boolean;
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
