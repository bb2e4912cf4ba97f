/**
 * The writer thread of an audit store (see writerThread.ts): it commits the
 * rows the store's thread prepared (ids, times, redacted bodies) on a
 * connection of its own, chaining each to the head it reads inside its
 * transaction, and fsyncs the write-ahead log with the same group fsync the
 * store's thread uses (walSync.ts), on this thread's pool. Each batch gets
 * one reply on the reply port, and `state[DONE]` counts the batches replied
 * to, so the store's thread can wait for them without its event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { hashText, payload2 } from './format2.js';
import { Row2Inserter } from './format2Write.js';
import { GENESIS_HASH } from './chain.js';
import { WalSync } from './walSync.js';
import {
  type WriterBatch,
  type WriterReply,
  type WriterSetup,
  type CommittedPart,
  ROW_WIDTH,
  WriterSlot,
  WriterState,
} from './writerProtocol.js';

const setup = workerData as WriterSetup;
const state = new Int32Array(setup.state);

const set = (slot: number, value: number): void => {
  Atomics.store(state, slot, value);
  Atomics.notify(state, slot);
};

interface Connection {
  db: Database.Database;
  head: Database.Statement<[], { seq: number; hash: string }>;
  rows: Row2Inserter;
  wal: WalSync | undefined;
}

function open(): Connection {
  const db = new Database(setup.path, { fileMustExist: true, timeout: setup.busyTimeoutMs });
  db.pragma('synchronous = NORMAL');
  // The store's checkpoint thread copies the WAL; past this mark this connection finishes a copy itself.
  db.pragma(`wal_autocheckpoint = ${setup.autoCheckpointPages}`);
  if (setup.maxPageCount !== undefined) db.pragma(`max_page_count = ${setup.maxPageCount}`);
  return {
    db,
    head: db.prepare('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1'),
    rows: new Row2Inserter(db),
    wal: setup.durability === 'full' ? new WalSync(setup.path) : undefined,
  };
}

let connection: Connection | undefined;
try {
  connection = open();
} catch {
  connection = undefined;
}
if (connection === undefined || parentPort === null) {
  // The store's thread keeps committing inline.
  set(WriterSlot.STATE, WriterState.CLOSED);
  process.exit(1);
}
const { db, head, rows: inserter, wal } = connection;
const key = setup.key === undefined ? undefined : Buffer.from(setup.key);
const reply = setup.reply;

/** Where the chain stands inside a transaction: the last sequence and hash, and what this transaction added. */
interface Chain {
  seq: number;
  prev: string;
  seqs: number[];
  hashes: string[];
}

/** The chain's head as this connection reads it (inside its transaction). */
function chainFromHead(): Chain {
  const top = head.get();
  return { seq: top?.seq ?? 0, prev: top?.hash ?? GENESIS_HASH, seqs: [], hashes: [] };
}

/** Chains and inserts row `i` of a batch. */
function insertRow(flat: WriterBatch['rows'], i: number, chain: Chain): void {
  const at = i * ROW_WIDTH;
  const auditId = flat[at] as string;
  const kind = flat[at + 1] as string;
  const timestamp = flat[at + 2] as string;
  const ref = flat[at + 3] as string | null;
  const body = flat[at + 4] as string;
  const seq = chain.seq + 1;
  const hash = hashText(payload2(seq, auditId, kind, timestamp, ref, chain.prev, body), key);
  inserter.add(seq, auditId, kind, timestamp, ref, body, chain.prev, hash);
  chain.seq = seq;
  chain.prev = hash;
  chain.seqs.push(seq);
  chain.hashes.push(hash);
}

/**
 * One transaction of rows `indexes` of a batch. Made once: better-sqlite3 builds four wrapper functions for each
 * `db.transaction()`, which per commit would cost more than a small commit's own work in allocation.
 */
const write = db.transaction((flat: WriterBatch['rows'], indexes: number[]): Chain => {
  const chain = chainFromHead();
  for (const i of indexes) insertRow(flat, i, chain);
  inserter.finish();
  return chain;
});

/** Commits `indexes` of the batch's rows in one transaction. */
function commit(flat: WriterBatch['rows'], indexes: number[]): CommittedPart {
  let chain: Chain;
  try {
    chain = write.immediate(flat, indexes);
  } catch (err) {
    inserter.reset();
    throw err;
  }
  return { rows: indexes, seqs: chain.seqs, hashes: chain.hashes, commit: wal?.committed() ?? 0 };
}

/** The transaction of a batch that comes in parts (`WriterBatch.part`), while it is open. */
interface Parts {
  chain: Chain | undefined;
  rows: number;
  /** The first error: later parts are only counted, and the end reports every row as not written. */
  error: unknown;
}

let openParts: Parts | undefined;

function rollback(): void {
  inserter.reset();
  // SQLite rolls back on its own after some errors (a full disk, an I/O error).
  if (db.inTransaction) db.exec('ROLLBACK');
}

/** Inserts one part's rows into the open transaction (opened by the first part). */
function addPart(batch: WriterBatch): Parts {
  let open = openParts;
  if (open === undefined) {
    open = { chain: undefined, rows: 0, error: undefined };
    openParts = open;
    try {
      db.exec('BEGIN IMMEDIATE');
      open.chain = chainFromHead();
    } catch (err) {
      open.error = err;
      rollback();
    }
  }
  const n = batch.rows.length / ROW_WIDTH;
  if (open.error === undefined && open.chain !== undefined) {
    try {
      for (let i = 0; i < n; i++) insertRow(batch.rows, i, open.chain);
    } catch (err) {
      open.error = err;
      rollback();
    }
  }
  open.rows += n;
  return open;
}

/** The last part: commits (and with `sync` fsyncs) the whole transaction, or reports why none of it was written. */
function endParts(batch: WriterBatch): void {
  const reply: WriterReply & { kind: 'batch' } = { kind: 'batch', id: batch.id, committed: [], failed: [] };
  if (batch.part === 'abort') {
    if (openParts !== undefined && openParts.error === undefined) rollback();
  } else {
    const open = addPart(batch);
    if (open.error === undefined) {
      try {
        inserter.finish();
        db.exec('COMMIT');
      } catch (err) {
        open.error = err;
        rollback();
      }
    }
    const all = Array.from({ length: open.rows }, (_, i) => i);
    if (open.error !== undefined || open.chain === undefined)
      reply.failed.push({ rows: all, error: errorOf(open.error) });
    else {
      const n = wal?.committed() ?? 0;
      reply.committed.push({ rows: all, seqs: open.chain.seqs, hashes: open.chain.hashes, commit: n });
      // Before the reply: the caller is blocked until its rows are on the disk.
      if (batch.sync === true && wal !== undefined) syncNow(wal, n);
    }
  }
  openParts = undefined;
  answer(reply);
}

const errorOf = (err: unknown): { message: string; code?: string } => {
  const code = (err as { code?: unknown })?.code;
  return {
    message: err instanceof Error ? err.message : String(err),
    ...(typeof code === 'string' ? { code } : {}),
  };
};

function send(message: WriterReply): void {
  reply.postMessage(message);
}

/** Sends a batch's reply and counts it: whoever waits for the count can read the reply at once. */
function answer(message: WriterReply & { kind: 'batch' }): void {
  send(message);
  Atomics.add(state, WriterSlot.DONE, 1);
  Atomics.notify(state, WriterSlot.DONE);
}

/** fsyncs the write-ahead log now, on this thread, and says whether commit `n` is on the disk. */
function syncNow(log: WalSync, n: number): void {
  try {
    log.syncNow();
    send({ kind: 'durable', through: n, fsyncs: log.fsyncs });
  } catch (err) {
    send({ kind: 'fsync-failed', error: errorOf(err) });
  }
}

function handle(batch: WriterBatch): void {
  if (batch.part === 'more') {
    addPart(batch);
    return;
  }
  if (batch.part !== undefined) return endParts(batch);
  // Parts are sent by one synchronous call, which ends them before anything else is sent.
  if (openParts !== undefined) throw new Error('a batch arrived while the parts of another were still open');
  const all = batch.waited.map((_, i) => i);
  const parts: WriterReply & { kind: 'batch' } = { kind: 'batch', id: batch.id, committed: [], failed: [] };
  try {
    parts.committed.push(commit(batch.rows, all));
  } catch (err) {
    const waited = all.filter((i) => batch.waited[i] === 1);
    if (waited.length > 0 && waited.length < all.length) {
      // Attempts must not fail because outcomes staged with them cannot be written.
      parts.failed.push({ rows: all.filter((i) => batch.waited[i] !== 1), error: errorOf(err) });
      try {
        parts.committed.push(commit(batch.rows, waited));
      } catch (again) {
        parts.failed.push({ rows: waited, error: errorOf(again) });
      }
    } else parts.failed.push({ rows: all, error: errorOf(err) });
  }
  // Answered before the fsync: the commit is what the caller waits for first.
  answer(parts);
  const done = parts.committed[0];
  if (done !== undefined && wal !== undefined) {
    const waited = done.rows.some((i) => batch.waited[i] === 1);
    const n = done.commit;
    if (waited) {
      // At once, on this thread (no hop to the thread pool and back): batches that arrive meanwhile wait and
      // then share one transaction and the next fsync.
      syncNow(wal, n);
    } else {
      // Nobody waits for it (staged outcomes): it rides on the next fsync, or the lazy timer's.
      wal.durableSoon(n).then(
        () => send({ kind: 'durable', through: n, fsyncs: wal.fsyncs }),
        (err: unknown) => send({ kind: 'fsync-failed', error: errorOf(err) }),
      );
    }
  }
}

function close(): void {
  const finish = (): void => {
    try {
      wal?.closeSync();
      db.close();
    } finally {
      set(WriterSlot.STATE, WriterState.CLOSED);
      parentPort?.close();
      reply.close();
    }
  };
  if (wal !== undefined && wal.pending > 0 && wal.failure === undefined) {
    void wal.close().then(finish, finish);
  } else finish();
}

parentPort.on('message', (message: WriterBatch | 'close') => {
  if (message === 'close') return close();
  try {
    handle(message);
  } catch (err) {
    // Nothing above should throw; if it does, this thread is no longer trusted with the chain.
    send({ kind: 'broken', error: errorOf(err) });
    set(WriterSlot.STATE, WriterState.CLOSED);
    process.exit(1);
  }
});
set(WriterSlot.STATE, WriterState.READY);
