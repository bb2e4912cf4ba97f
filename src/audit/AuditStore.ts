/**
 * The durable, tamper-evident audit trail: one SQLite file (WAL mode) holding
 * a hash chain of entries. Every append reads the chain head and inserts
 * inside one `BEGIN IMMEDIATE` transaction, so any number of processes can
 * append to one store and the chain never forks.
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  accessSync,
  closeSync,
  copyFileSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { COMPLIANCE_STANDARDS, OperationType, RiskLevel } from '../constants.js';
import type { AuditAttempt, AuditOutcome, AuditSink } from '../contracts.js';
import {
  type AuditRow,
  type ChainHead,
  GENESIS_HASH,
  HASHED_COLUMNS,
  canonicalJson,
  entryHash,
  formatAnchor,
  hashOfValues,
  hashedValues,
} from './chain.js';
import { AuditStoreError, AuditStoreErrorCode, fromSqliteError, isAuditStoreError } from './errors.js';
import { type Redactor, createCanonicalRedactor, createRedactor } from './redact.js';
import {
  APPLICATION_ID,
  FLAG_TRIGGER_MARK,
  GUARD_INDEX_NAMES,
  SCHEMA_SQL_V2,
  SCHEMA_VERSION,
  TRIGGER_NAMES,
  deleteTrigger,
} from './schema.js';
import { COLUMNS_2, type StoredRow2, bodyOf, expandRow, hashText, payload2, rowHash2 } from './format2.js';
import { Row2Inserter } from './format2Write.js';
import { parseBody, readText } from './rowFields.js';
import { WalSync } from './walSync.js';
import { CATCH_UP_PAGES, Checkpointer } from './checkpointer.js';
import { WriterThread, WRITER_THREADS } from './writerThread.js';
import { ROW_WIDTH, type WriterError, type WriterSetup } from './writerProtocol.js';
import { type HeadCheck, compareHeads } from './knownHead.js';
import { DEFAULT_AUDIT_STORE_PATH } from './defaults.js';
import { uuidv7 } from './uuidv7.js';
import { rowsToCsv, rowsToJsonl } from './exportFormat.js';
import { diagnoseBadRow } from './diagnose.js';
import {
  AttemptCollector,
  type AttemptRow,
  attemptRow2,
  holdsOwnOutcome,
  identityAndOutcome,
  mergedOutcome2,
  toAttempt,
  withOutcomeRecord,
} from './attemptRows.js';
import { type IntegrityCheck, startQuickCheck } from './integrityCheck.js';
import { type AttemptsRead, startAttemptsRead } from './attemptsThread.js';
import type { WalkShare } from './walkShare.js';
import {
  type AttemptColumns,
  decodeAttempts,
  encodeAttempts,
  hasOutcome,
  indexOfSequence,
  joinColumns,
} from './attemptColumns.js';
import type {
  AuditAttemptSummary,
  AuditEntry,
  AuditEntryInput,
  AuditReceipt,
  CheckpointData,
  CleanupOptions,
  CleanupResult,
  ExportOptions,
  TamperFinding,
  VerifyOptions,
  VerifyResult,
} from './types.js';

/** What {@link AuditStore.verifyWithAttempts} gives: `verify()`, `[...attempts()]` and `count()`. */
export interface VerifiedAttempts {
  verify: VerifyResult;
  attempts: AuditAttemptSummary[];
  /** Stored rows (attempts, outcomes and checkpoints). */
  stored: number;
}

/** {@link VerifiedAttempts} with the attempts as {@link AttemptColumns} (what a worker thread hands over). */
export interface VerifiedAttemptColumns {
  verify: VerifyResult;
  columns: AttemptColumns;
  stored: number;
}

/**
 * A worker's read of the oldest part of a chain whose newest part another thread took (see walkShare.ts):
 * `verify` and `columns` are that part's; what joining them with the newest part needs besides.
 */
export interface WalkPart {
  /** Rows the part's attempts could pair otherwise than `attempts()` does, or rows below sequence 0. */
  ambiguous: boolean;
  /** The audit ids named by outcome records of the part whose attempt the part does not hold. */
  unmatched: string[];
  /** The sequence number of the newest entry the part read. */
  through: number | undefined;
}

/**
 * {@link VerifiedAttemptColumns} of a worker's walk, with its {@link WalkPart} when the walk was shared, and
 * `pages` when the worker checked the file's pages (true: intact).
 */
export type WorkerAttemptColumns = VerifiedAttemptColumns & { part?: WalkPart; pages?: boolean };

/** The newest part of a shared walk, as this thread read it (see `AuditStore.#walkNewest`). */
interface NewestPart {
  /** The part holds the entries after this sequence number. */
  from: number;
  /** The stored hash of entry `from`, the part's walk linked to. */
  fromHash: string;
  /** The part's walk; undefined when it met anything (the whole chain is then walked again in order). */
  walk: WalkState | undefined;
  collector: AttemptCollector;
  /** An attempt of the part has the audit id of an older attempt. */
  duplicate: boolean;
  /** The older attempts outcome records of the part complete: their sequence, whether they hold their own outcome, the record's body. */
  older: { seq: number; own: boolean; body: string }[];
  /** An outcome record of the part names an audit id two older attempts have. */
  unsettled: boolean;
}

/** The fewest entries left to the worker for this thread to take the newest half of them. */
const MIN_NEWEST_PART = 4 * 1024;

const noop = (): void => undefined;

/** The loggers the store writes its security lines to (a subset of `InventagLoggers`). */
export interface AuditStoreLoggers {
  security?: Logger;
  production?: Logger;
}

export interface AuditStoreOptions {
  /**
   * The store file.
   * @default '.inventag/audit.db'
   */
  path?: string;
  /**
   * Id of this process's session, written on each entry.
   * @default a random UUID
   */
  sessionId?: string;
  /**
   * `full`: every commit is fsynced; an append that returned (an `enqueue`
   * promise that resolved) survives `kill -9`, an OS crash and power loss.
   * The store fsyncs the write-ahead log itself (what SQLite's
   * `synchronous=FULL` does), so concurrent appends can share one fsync.
   * `normal` (`synchronous=NORMAL`): survives `kill -9` of the process but the
   * newest commits may roll back on power loss; several times faster.
   * @default 'full'
   */
  durability?: 'full' | 'normal';
  /**
   * How long an append waits for another process's write lock before failing with `BUSY`.
   * @default 10000
   */
  busyTimeoutMs?: number;
  /**
   * Open for reading only (verify, export, tail); never creates or changes the file.
   * @default false
   */
  readonly?: boolean;
  /**
   * Fail with NOT_FOUND instead of creating a new store (maintenance tools,
   * where a mistyped path must not start an empty trail).
   * @default false
   */
  mustExist?: boolean;
  /**
   * Keys redacted from `requestParameters` in addition to `DEFAULT_REDACTED_KEYS`.
   * @default []
   */
  redactKeys?: readonly string[];
  /**
   * Refuse appends that would grow the file past this size (`STORE_FULL`).
   * @default unlimited
   */
  maxSizeBytes?: number;
  /**
   * A secret key: the chain then uses HMAC-SHA-256, so nobody without the key
   * can re-compute hashes after editing the file. Fixed when the store is created.
   * @default no key (plain SHA-256)
   */
  key?: string | Buffer;
  /** Where to log each entry and the session end (with the chain head). @default no logging */
  loggers?: AuditStoreLoggers;
  /** Time source, for tests and imports. @default () => new Date() */
  clock?: () => Date;
  /**
   * Most entries committed in one transaction by `enqueue`'s group commit.
   * @default 5000
   */
  maxBatchSize?: number;
  /**
   * Where group commits (`stageAttempt`, `stageOutcome`, `enqueue`) and batches of more than 128 entries
   * (`appendBatch`) are committed: `thread`, a writer thread of the store's own, started with the first staged
   * entry or such batch (format-2 stores, the compiled build; elsewhere, and until that thread is ready, on the
   * calling thread); `inline`, always on the calling thread. Every other write and read runs on the calling
   * thread after the writer's batches (see writerThread.ts).
   * @default 'thread'
   */
  writer?: 'thread' | 'inline';
}

/** A validated, redacted entry ready to be chained (everything but seq and hashes). */
type PendingRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

/** What one transaction of {@link AuditStore} inserted: its receipts and the length of the format-2 bodies written. */
interface InsertedRows {
  receipts: AuditReceipt[];
  bytes: number;
}

interface Pending {
  row: PendingRow;
  /**
   * Told once the row's transaction committed, with the promise of that commit's fsync (shared by the whole
   * batch). Absent for staged outcomes, which nobody waits for.
   */
  committed?: (receipt: AuditReceipt, durable: Promise<void>) => void;
  failed?: (err: unknown) => void;
}

/** What {@link AuditStore} remembers of an attempt appended or staged in this session. */
interface RecentAttempt {
  service: string | null;
  operation: string | null;
  /** An outcome for it was staged or recorded by this store. */
  outcome: boolean;
}

/** An attempt staged by {@link AuditStore.stageAttempt}. */
export interface StagedAttempt {
  readonly auditId: string;
  /**
   * Resolves once the attempt is committed to the write-ahead log (it then
   * survives the process being killed), in one transaction with every entry
   * staged in the same JavaScript task; rejects when that commit failed (the
   * call must then not be sent).
   */
  readonly committed: Promise<AuditReceipt>;
  /**
   * Resolves once the attempt is on the disk (fsynced, one fsync for its whole
   * batch; at once with `durability: 'normal'`); rejects when its commit or
   * the fsync failed.
   */
  readonly durable: Promise<void>;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';
const SNAPSHOT_WARNING = 'the store directory is read-only, so a private copy of the store was verified';
const DECISIONS = new Set(['allowed', 'blocked']);
const OPERATION_TYPES = new Set<string>(Object.values(OperationType));
const RISK_LEVELS = new Set<string>(Object.values(RiskLevel));
const STANDARDS = new Set<string>(COMPLIANCE_STANDARDS);
const KEY_CHECK_LABEL = 'inventag-audit-key-check';
const EXPORT_PAGE = 1000;
const INSERT_COLUMNS = [...HASHED_COLUMNS, 'hash'];
const RECENT_ATTEMPTS = 4096;

/** Where a full verify checks the file's pages: a thread of its own, this connection after the walk, or the caller. */
type PageCheck = 'thread' | 'here' | 'caller';

/** Stores whose writer thread may hold batches: on exit each waits for its writer's replies (they are logged then). */
const WRITERS = new Set<() => void>();
/** The flush of each store with security-log lines of group commits still to write (see `AuditStore.#logLater`). */
const PENDING_LOGS = new Set<() => void>();
let exitArmed = false;
/**
 * Once per process: when it exits (`process.exit()` in a script), what the writer threads were given is
 * answered first, then the security-log lines not yet written are written.
 */
function armExit(): void {
  if (exitArmed) return;
  exitArmed = true;
  process.once('exit', () => {
    for (const settle of [...WRITERS]) settle();
    for (const flush of [...PENDING_LOGS]) flush();
  });
}

const MERGED_SELECT = `SELECT a.*, o.outcome_success AS m_success, o.outcome_error_code AS m_error_code, o.outcome_duration_us AS m_duration_us
FROM audit_entries a LEFT JOIN audit_entries o ON o.kind = 'outcome' AND o.ref_audit_id = a.audit_id`;
const MERGED_SELECT_2 = `SELECT a.*, o.body AS m_body
FROM audit_entries a LEFT JOIN audit_entries o ON o.kind = 'outcome' AND o.ref_audit_id = a.audit_id`;

const ATTEMPT_JOIN = `FROM audit_entries a LEFT JOIN audit_entries o ON o.kind = 'outcome' AND o.ref_audit_id = a.audit_id`;
const ATTEMPT_SELECT = `SELECT a.seq, a.kind, a.session_id, a.timestamp, a.service, a.operation, a.iam_action, a.decision,
a.resource_arn, a.identity_account, a.identity_arn, a.identity_type, a.validation_message, a.outcome_success,
a.outcome_error_code, a.outcome_duration_us, o.outcome_success AS m_success, o.outcome_error_code AS m_error_code,
o.outcome_duration_us AS m_duration_us ${ATTEMPT_JOIN}`;
const ATTEMPT_SELECT_2 = `SELECT a.seq, a.kind, a.timestamp, a.body, o.body AS m_body ${ATTEMPT_JOIN}`;

type MergedRow = AuditRow & {
  m_success: number | null;
  m_error_code: string | null;
  m_duration_us: number | null;
  m_http_status?: number | null;
};

/**
 * Rows per part of an `appendBatch` sent to the writer thread: large enough that a message's cost is shared
 * by many rows, small enough that the writer starts inserting soon and the last part leaves little to wait for.
 */
const ROWS_PER_PART = 128;

/**
 * The audit store. Open it with {@link AuditStore.open}; it implements the
 * `AuditSink` contract the guard and validator write to.
 *
 * @example
 * ```ts
 * const store = AuditStore.open({ path: '.inventag/audit.db' });
 * const { auditId } = store.recordAttempt({
 *   service: 's3', operation: 'ListBuckets', iamAction: 's3:ListAllMyBuckets',
 *   operationType: 'read_only', decision: 'allowed', riskLevel: 'LOW', complianceStandard: 'general',
 * });
 * store.recordOutcome(auditId, { success: true, durationMs: 42 });
 * console.log(store.verify().ok, store.head());
 * store.close();
 * ```
 */
export class AuditStore implements AuditSink {
  readonly path: string;
  readonly sessionId: string;
  readonly readonly: boolean;
  #db: Database.Database;
  #key: Buffer | undefined;
  #redact: Redactor;
  /** Redacts request parameters straight to canonical JSON text (sorted keys: equal parameters hash alike). */
  #redactJson: (value: unknown) => string | undefined;
  #nowMs: () => number;
  #loggers: AuditStoreLoggers;
  #maxBatchSize: number;
  /** 1: the 25-column row of stores created before format 2; 2: the narrow row. */
  readonly format: 1 | 2;
  /** A random id of this store file (absent in format-1 stores never opened for writing since), logged with every head. */
  readonly storeId: string | undefined;
  #wal: WalSync | undefined;
  #checkpointer: Checkpointer | undefined;
  /** The writer thread: undefined until the first staged entry; null where none runs (see {@link #writerFor}). */
  #writer: WriterThread | undefined | null;
  #writerSetup: Omit<WriterSetup, 'state' | 'reply'> | undefined;
  /** The newest commit number the writer thread reported (for {@link flush}). */
  #writerCommit = 0;
  #queue: Pending[] = [];
  #drainScheduled = false;
  /** The scheduled drain runs at the end of this task (not at the next check phase). */
  #drainUrgent = false;
  /** Outcomes staged for attempts not in {@link #recentAttempts}, until they are committed. */
  #pendingOutcomes = new Set<string>();
  /** Attempts appended or staged in this session, so an outcome need not read them (or look for a duplicate) in the file. */
  #recentAttempts = new Map<string, RecentAttempt>();
  #appendedThisSession = 0;
  #transactions = 0;
  #writerTransactions = 0;
  /**
   * Security-log lines of group commits, written in commit order once the current task and its I/O callbacks
   * have run (the guard's request has left by then), or before anything else this store logs.
   */
  #logLater: [PendingRow[], AuditReceipt[]][] = [];
  readonly #flushLogNow = (): void => this.#flushLog();
  #closed = false;
  #snapshotDir: string | undefined;
  #stmts:
    | {
        head: Database.Statement<[], { seq: number; hash: string }>;
        /** Format 1's insert (format 2 inserts through `rows2`). */
        insert: Database.Statement<unknown[]> | undefined;
        /** Format 2: several rows per statement. */
        rows2: Row2Inserter | undefined;
        attemptById: Database.Statement<
          [string],
          { kind: string; service?: string | null; operation?: string | null; body?: string }
        >;
        outcomeFor: Database.Statement<[string], { seq: number }>;
        /** {@link #insertRows} in one `BEGIN IMMEDIATE` transaction (see {@link #prepare}). */
        write: Database.Transaction<(rows: PendingRow[], precheck: (() => void) | undefined) => InsertedRows>;
      }
    | undefined;

  private constructor(
    path: string,
    db: Database.Database,
    options: AuditStoreOptions,
    key: Buffer | undefined,
    format: 1 | 2,
    storeId: string | undefined,
  ) {
    this.path = path;
    this.format = format;
    this.storeId = storeId;
    this.#db = db;
    this.#key = key;
    this.readonly = options.readonly ?? false;
    this.sessionId = options.sessionId ?? randomUUID();
    this.#redact = createRedactor({ extraKeys: options.redactKeys ?? [], sortKeys: true });
    this.#redactJson = createCanonicalRedactor({ extraKeys: options.redactKeys ?? [] });
    const clock = options.clock;
    this.#nowMs = clock === undefined ? Date.now : () => clock().getTime();
    this.#loggers = options.loggers ?? {};
    this.#maxBatchSize = options.maxBatchSize ?? 5000;
  }

  /**
   * Opens (and, unless `readonly`, creates) the store. Refuses, without
   * touching the file, anything that is not an InvenTag audit store.
   *
   * @throws AuditStoreError with code NOT_SQLITE, CORRUPT, FOREIGN_DATABASE,
   *   NEWER_FORMAT, NOT_FOUND, READ_ONLY, CANNOT_OPEN or KEY_MISMATCH.
   */
  static open(options: AuditStoreOptions = {}): AuditStore {
    const path = resolve(options.path ?? DEFAULT_AUDIT_STORE_PATH);
    const readonly = options.readonly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    checkOptions(path, options);
    const exists = existsSync(path);
    if (exists) checkHeader(path);
    else if (readonly || options.mustExist === true)
      throw new AuditStoreError(AuditStoreErrorCode.NOT_FOUND, path, 'no audit store exists at this path');
    if (!readonly) prepareDirectory(path, exists);

    // SQLite cannot read a WAL database where it cannot create the -shm file
    // (read-only media, evidence mounts): read a private copy instead.
    const snapshotDir = readonly && !isWritable(dirname(path)) ? snapshot(path) : undefined;
    let db: Database.Database;
    try {
      db = new Database(snapshotDir === undefined ? path : join(snapshotDir, basename(path)), {
        readonly,
        fileMustExist: readonly,
        timeout: busyTimeoutMs,
      });
    } catch (err) {
      if (snapshotDir !== undefined) rmSync(snapshotDir, { recursive: true, force: true });
      throw fromSqliteError(err, path, 'opening the audit store');
    }
    try {
      const key = options.key === undefined ? undefined : Buffer.from(options.key);
      const { format, storeId } = initialise(db, path, readonly, options);
      checkKey(db, path, key, readonly);
      const store = new AuditStore(path, db, options, key, format, storeId);
      store.#snapshotDir = snapshotDir;
      if (!readonly) {
        if ((options.durability ?? 'full') === 'full') store.#wal = openWalSync(db, path);
        store.#checkpointer = new Checkpointer(db, path);
        store.#prepare();
        store.#writer = format === 2 && (options.writer ?? 'thread') === 'thread' && WRITER_THREADS ? undefined : null;
        if (store.#writer === undefined) {
          store.#writerSetup = {
            path,
            key: key === undefined ? undefined : new Uint8Array(key),
            durability: options.durability ?? 'full',
            busyTimeoutMs,
            maxPageCount:
              options.maxSizeBytes === undefined
                ? undefined
                : (db.pragma('max_page_count', { simple: true }) as number),
            autoCheckpointPages: CATCH_UP_PAGES,
          };
        }
        // Names this store's id with its path, so a store file that is later deleted or loses its trail can
        // still be matched with the heads logged for it.
        store.#loggers.security?.info(
          { event: 'audit_session_start', sessionId: store.sessionId, store: store.storeId, path },
          'audit session start',
        );
      }
      return store;
    } catch (err) {
      db.close();
      if (snapshotDir !== undefined) rmSync(snapshotDir, { recursive: true, force: true });
      throw fromSqliteError(err, path, 'opening the audit store');
    }
  }

  #prepare(): void {
    this.#stmts = {
      head: this.#db.prepare('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1'),
      // Positional parameters: binding named ones costs more than the rest of the insert.
      insert:
        this.format === 2
          ? undefined
          : this.#db.prepare(
              `INSERT INTO audit_entries (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`,
            ),
      rows2: this.format === 2 ? new Row2Inserter(this.#db) : undefined,
      attemptById: this.#db.prepare(
        this.format === 2
          ? 'SELECT kind, body FROM audit_entries WHERE audit_id = ?'
          : 'SELECT kind, service, operation FROM audit_entries WHERE audit_id = ?',
      ),
      outcomeFor: this.#db.prepare("SELECT seq FROM audit_entries WHERE kind = 'outcome' AND ref_audit_id = ?"),
      // Made once: better-sqlite3 builds four wrapper functions for each db.transaction(), which per commit
      // allocated more than the rest of a single append.
      write: this.#db.transaction((rows: PendingRow[], precheck: (() => void) | undefined) =>
        this.#insertRows(rows, precheck),
      ),
    };
  }

  // ---------------------------------------------------------------- writing

  /** Appends one entry; when it returns the entry is committed (durable per the `durability` option). */
  append(entry: AuditEntryInput): AuditReceipt {
    const [receipt] = this.#commit([this.#toRow(entry)], 'appending an audit entry', true);
    return receipt as AuditReceipt;
  }

  /**
   * Appends entries in one transaction (one fsync): all are committed when it returns, or none. A batch of
   * more than {@link ROWS_PER_PART} entries goes to the writer thread (once it runs) in parts, so the writer
   * chains and inserts one part while this thread prepares the next (ids, times, redaction, body text).
   */
  appendBatch(entries: readonly AuditEntryInput[]): AuditReceipt[] {
    if (entries.length === 0) return [];
    if (entries.length > ROWS_PER_PART) {
      const writer = this.#writerFor();
      if (writer !== undefined) return this.#appendInParts(writer, entries);
    }
    return this.#commit(
      entries.map((e) => this.#toRow(e)),
      'appending a batch of audit entries',
      true,
    );
  }

  /**
   * Group commit: entries enqueued while the same JavaScript task runs are
   * committed in one transaction (right after it, before any I/O), and
   * transactions share fsyncs (see `durability`). The promise resolves once
   * the entry is durable, as with {@link append}; input errors reject at once.
   * No timer is involved: an entry waits for its batch and the fsync in flight.
   */
  enqueue(entry: AuditEntryInput): Promise<AuditReceipt> {
    let row: PendingRow;
    try {
      row = this.#toRow(entry);
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the input error, unchanged
      return Promise.reject(err);
    }
    return new Promise<AuditReceipt>((resolvePromise, reject) => {
      this.#queue.push({
        row,
        committed: (receipt, durable) => void durable.then(() => resolvePromise(receipt), reject),
        failed: reject,
      });
      this.#scheduleDrain(true);
    });
  }

  /** {@link appendBatch} on the writer thread: the same transaction, prepared here while the writer inserts. */
  #appendInParts(writer: WriterThread, entries: readonly AuditEntryInput[]): AuditReceipt[] {
    const doing = 'appending a batch of audit entries';
    // Entries staged or enqueued earlier go first, so the chain keeps the order they were recorded in.
    this.#drainAll();
    this.#writable();
    this.#refuseIfFailed();
    const rows: PendingRow[] = [];
    let flat: (string | null)[] = [];
    let bytes = 0;
    let sent = false;
    try {
      for (let i = 0; i < entries.length; i++) {
        const row = this.#toRow(entries[i] as AuditEntryInput);
        const body = bodyOf(row);
        bytes += body.length;
        rows.push(row);
        flat.push(row.audit_id, row.kind, row.timestamp, row.ref_audit_id, body);
        if (flat.length === ROWS_PER_PART * ROW_WIDTH && i < entries.length - 1) {
          writer.part(flat);
          flat = [];
          sent = true;
        }
      }
    } catch (err) {
      // Bad input: what the writer already inserted is rolled back, before anything else reaches it.
      if (sent) writer.submit([], [], () => undefined, { part: 'abort', sync: false });
      throw err;
    }
    let reply: Parameters<Parameters<WriterThread['submit']>[2]>[0] | undefined;
    writer.submit(flat, [], (r) => (reply = r), { part: 'end', sync: this.#wal !== undefined });
    writer.settle();
    const done = reply;
    if (done === undefined || done instanceof Error)
      throw this.#walError(done ?? new Error('the audit writer thread stopped answering'));
    const failed = done.failed[0];
    if (failed !== undefined) throw this.#writerError(failed.error, doing);
    const part = done.committed[0];
    if (part === undefined || part.seqs.length !== rows.length)
      throw this.#walError(new Error('the audit writer thread answered for other rows than it was given'));
    // This batch's own failed fsync fails it above (the writer says so before it replies); a failure the writer
    // reported while the reply was taken (an fsync of earlier commits) leaves the store refusing writes, and
    // this batch is reported with it rather than as written.
    const fsyncFailure = writer.failure;
    if (fsyncFailure !== undefined) throw this.#walError(fsyncFailure);
    const receipts = rows.map((row, k): AuditReceipt => ({
      auditId: row.audit_id,
      sequence: part.seqs[k] as number,
      hash: part.hashes[k] as string,
      timestamp: row.timestamp,
    }));
    if (part.commit > this.#writerCommit) this.#writerCommit = part.commit;
    this.#writerTransactions += 1;
    this.#committedRows(rows, receipts, bytes, false);
    return receipts;
  }

  /** An SQLite error the writer thread reported, as the error the same failure here would have thrown. */
  #writerError(error: WriterError, doing: string): AuditStoreError {
    return fromSqliteError(
      Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code }),
      this.path,
      doing,
    );
  }

  /**
   * The guard's path (group commit): checks the attempt now and stages it.
   * Every attempt staged while the same JavaScript task runs, with the
   * outcomes staged before them, is committed in one transaction right after
   * that task (a microtask: before any I/O, no timer); `committed` then
   * resolves, and from that moment the attempt survives the process being
   * killed (`kill -9`). One fsync for the whole transaction starts at once
   * (or as soon as the one in flight ends) and `durable` resolves once it put
   * the attempt on the disk, which survives an OS crash and power loss. The
   * guard sends the request only after `committed` resolved and hands the
   * response to the caller only after `durable` resolved.
   *
   * @throws AuditStoreError as {@link append} for what can be refused at once
   *   (bad input, a closed store, a failed fsync): nothing is staged.
   */
  stageAttempt(attempt: AuditAttempt): StagedAttempt {
    const row = this.#toRow(attempt);
    this.#refuseIfFailed();
    let onCommit!: (receipt: AuditReceipt) => void;
    let onDurable!: () => void;
    let onFailure!: (err: unknown) => void;
    let onDurableFailure!: (err: unknown) => void;
    const committed = new Promise<AuditReceipt>((resolvePromise, reject) => {
      onCommit = resolvePromise;
      onFailure = reject;
    });
    const durable = new Promise<void>((resolvePromise, reject) => {
      onDurable = resolvePromise;
      onDurableFailure = reject;
    });
    // Whoever stages may await only one of them; neither rejection is unhandled.
    committed.catch(() => undefined);
    durable.catch(() => undefined);
    this.#remember(row);
    this.#queue.push({
      row,
      committed: (receipt, whenDurable) => {
        onCommit(receipt);
        whenDurable.then(onDurable, onDurableFailure);
      },
      failed: (err) => {
        this.#recentAttempts.delete(row.audit_id);
        onFailure(err);
        onDurableFailure(err);
      },
    });
    this.#scheduleDrain(true);
    return { auditId: row.audit_id, committed, durable };
  }

  /**
   * Records an outcome without waiting: it is checked now (unknown or
   * duplicate audit ids throw), committed with the next attempts or, at the
   * latest, once the current task and its I/O callbacks have run
   * (`setImmediate`), and fsynced with the group. A write failure is logged
   * to the security and production logs.
   */
  stageOutcome(auditId: string, outcome: AuditOutcome): void {
    const row = this.#outcomeRow(auditId, outcome);
    this.#noteOutcome(auditId, true);
    this.#queue.push({ row });
    this.#scheduleDrain(false);
  }

  /**
   * Write transactions this store committed and fsyncs of its write-ahead log it started (`durability: 'full'`),
   * since it was opened: what group commit shares. `onWriterThread` counts those of the transactions that its
   * writer thread committed (see the `writer` option).
   */
  get writeStats(): { transactions: number; fsyncs: number; onWriterThread: number } {
    return {
      transactions: this.#transactions,
      fsyncs: (this.#wal?.fsyncs ?? 0) + (this.#writer?.fsyncs ?? 0),
      onWriterThread: this.#writerTransactions,
    };
  }

  /**
   * Where this store's group commits run now: `thread` once its writer thread is ready (see the `writer`
   * option), otherwise `inline`.
   */
  get groupCommits(): 'thread' | 'inline' {
    const writer = this.#writer;
    return writer !== undefined && writer !== null && writer.ready ? 'thread' : 'inline';
  }

  /** Resolves when every enqueued or staged entry has been committed (or rejected) and is durable. */
  async flush(): Promise<void> {
    this.#drain();
    const writer = this.#writer;
    if (writer !== undefined && writer !== null) {
      await writer.idle();
      if (writer.failure === undefined) await writer.durable(this.#writerCommit).catch(() => undefined);
    }
    if (this.#wal !== undefined && this.#wal.pending > 0 && this.#wal.failure === undefined)
      await this.#durable(this.#wal.committedCount).catch(() => undefined);
  }

  #scheduleDrain(urgent: boolean): void {
    if (this.#drainScheduled) {
      // Outcomes wait for the next attempt or the check phase; an attempt or enqueued entry goes at this task's end.
      if (urgent && !this.#drainUrgent) {
        this.#drainUrgent = true;
        queueMicrotask(() => this.#drain());
      }
      return;
    }
    this.#drainScheduled = true;
    this.#drainUrgent = urgent;
    if (urgent) queueMicrotask(() => this.#drain());
    else setImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#drainScheduled = false;
    this.#drainUrgent = false;
    if (this.#queue.length === 0) return;
    const writer = this.#writerFor();
    while (this.#queue.length > 0) {
      const chunk = this.#queue.splice(0, this.#maxBatchSize);
      if (writer !== undefined) this.#submit(writer, chunk);
      else this.#commitChunk(chunk);
    }
  }

  /**
   * Commits what is staged and waits for the writer thread's batches, so a write or read on this thread comes
   * after them (in the chain and in the security log).
   */
  #drainAll(): void {
    if (this.#queue.length > 0) this.#drain();
    const writer = this.#writer;
    if (writer !== undefined && writer !== null && writer.outstanding > 0) writer.settle();
  }

  /**
   * The writer thread to give staged entries to: started on the first call, used once it is ready (until then
   * entries are committed here). One that never started leaves this store committing here; one that failed
   * after it started leaves it refusing writes.
   */
  #writerFor(): WriterThread | undefined {
    const writer = this.#currentWriter();
    if (writer === null) return undefined;
    if (writer === undefined) {
      this.#writer = this.#writerSetup === undefined ? null : (WriterThread.start(this.#writerSetup) ?? null);
      if (this.#writer !== null) {
        WRITERS.add(this.#settleOnExit);
        armExit();
      }
      return undefined;
    }
    return writer.ready ? writer : undefined;
  }

  /**
   * The writer thread as it stands (undefined: not started yet; null: none). One that could not even load
   * (nothing was given to it) is dropped here: this store then commits on its own thread.
   */
  #currentWriter(): WriterThread | undefined | null {
    const writer = this.#writer;
    if (writer !== undefined && writer !== null && writer.neverStarted) {
      this.#writer = null;
      WRITERS.delete(this.#settleOnExit);
    }
    return this.#writer;
  }

  readonly #settleOnExit = (): void => {
    try {
      this.#drainAll();
    } catch {
      // The process is ending; what could not be committed was reported to its waiters.
    }
  };

  /** Gives a chunk of the queue to the writer thread: one transaction there, as {@link #commitChunk} does here. */
  #submit(writer: WriterThread, chunk: Pending[]): void {
    const flat: (string | null)[] = [];
    const waited: (0 | 1)[] = [];
    const bytes: number[] = [];
    for (const p of chunk) {
      const row = p.row;
      const body = bodyOf(row);
      bytes.push(body.length);
      flat.push(row.audit_id, row.kind, row.timestamp, row.ref_audit_id, body);
      waited.push(p.committed === undefined ? 0 : 1);
    }
    writer.submit(flat, waited, (reply) => {
      if (reply instanceof Error) {
        this.#failStaged(chunk, this.#walError(reply));
        return;
      }
      for (const f of reply.failed) {
        const err = this.#writerError(f.error, 'appending a batch of audit entries');
        this.#failStaged(
          f.rows.map((i) => chunk[i] as Pending),
          err,
        );
      }
      for (const part of reply.committed) {
        const done = part.rows.map((i) => chunk[i] as Pending);
        const receipts = done.map((p, k): AuditReceipt => ({
          auditId: p.row.audit_id,
          sequence: part.seqs[k] as number,
          hash: part.hashes[k] as string,
          timestamp: p.row.timestamp,
        }));
        let size = 0;
        for (const i of part.rows) size += bytes[i] as number;
        this.#committedRows(
          done.map((p) => p.row),
          receipts,
          size,
          true,
        );
        if (part.commit > this.#writerCommit) this.#writerCommit = part.commit;
        this.#writerTransactions += 1;
        this.#settleStaged(done, receipts, () => writer.durable(part.commit));
      }
    });
  }

  /** One transaction for a chunk of the queue; when it fails, entries someone waits for are tried again without the outcomes. */
  #commitChunk(chunk: Pending[]): void {
    let receipts: AuditReceipt[];
    let commit: number;
    try {
      [receipts, commit] = this.#write(
        chunk.map((p) => p.row),
        'appending a batch of audit entries',
        undefined,
        true,
      );
    } catch (err) {
      const waited = chunk.filter((p) => p.committed !== undefined);
      if (waited.length > 0 && waited.length < chunk.length) {
        // Attempts must not fail because outcomes staged with them cannot be written.
        this.#failStaged(
          chunk.filter((p) => p.committed === undefined),
          err,
        );
        this.#commitChunk(waited);
      } else this.#failStaged(chunk, err);
      return;
    }
    this.#settleStaged(chunk, receipts, (soon) => this.#durable(commit, soon));
  }

  /** Tells the waiters of committed entries, with the fsync of their commit (one for the whole chunk). */
  #settleStaged(chunk: Pending[], receipts: AuditReceipt[], durableOf: (soon: boolean) => Promise<void>): void {
    let waited = false;
    for (const p of chunk) {
      if (p.committed !== undefined) waited = true;
      else if (p.row.ref_audit_id) this.#pendingOutcomes.delete(p.row.ref_audit_id);
    }
    if (!waited) {
      // Nobody waits for these (staged outcomes): they share the next attempt's fsync instead of delaying it.
      durableOf(true).catch((err: unknown) => this.#logLost(chunk, err));
      return;
    }
    const durable = durableOf(false);
    durable.catch((err: unknown) => this.#logLost(chunk, err));
    chunk.forEach((p, i) => p.committed?.(receipts[i] as AuditReceipt, durable));
  }

  #failStaged(chunk: Pending[], err: unknown): void {
    for (const p of chunk) {
      if (p.failed !== undefined) p.failed(err);
      else if (p.row.ref_audit_id) this.#noteOutcome(p.row.ref_audit_id, false);
    }
    this.#logLost(
      chunk.filter((p) => p.failed === undefined),
      err,
    );
  }

  /** Marks an outcome of `auditId` as staged (or, when its write failed, as not recorded after all). */
  #noteOutcome(auditId: string, staged: boolean): void {
    const recent = this.#recentAttempts.get(auditId);
    if (recent !== undefined) recent.outcome = staged;
    else if (staged) this.#pendingOutcomes.add(auditId);
    else this.#pendingOutcomes.delete(auditId);
  }

  /** Remembers an attempt of this session (bounded), so its outcome needs no read of the file. */
  #remember(row: PendingRow): void {
    if (this.#recentAttempts.size >= RECENT_ATTEMPTS) this.#recentAttempts.clear();
    this.#recentAttempts.set(row.audit_id, { service: row.service, operation: row.operation, outcome: false });
  }

  /** Staged outcomes have no caller to tell: a lost one is logged. */
  #logLost(chunk: Pending[], err: unknown): void {
    const lost = chunk.filter((p) => p.failed === undefined).map((p) => p.row.ref_audit_id);
    if (lost.length === 0) return;
    this.#flushLog();
    const line = {
      event: 'audit_outcome_lost',
      sessionId: this.sessionId,
      store: this.storeId,
      refAuditIds: lost,
      error: err instanceof Error ? err.message : String(err),
    };
    try {
      this.#loggers.security?.error(line, 'audit outcomes could not be written');
      this.#loggers.production?.error(line, 'audit outcomes could not be written');
    } catch {
      // Logging is best effort here; the next attempt fails on the store itself.
    }
  }

  #durable(commit: number, soon = false): Promise<void> {
    if (this.#wal === undefined) return Promise.resolve();
    const failure = this.#wal.failure;
    if (failure !== undefined) return Promise.reject(this.#walError(failure));
    const n = Math.min(commit, Number.MAX_SAFE_INTEGER);
    return (soon ? this.#wal.durableSoon(n) : this.#wal.durable(n)).catch((err: unknown) => {
      throw this.#walError(err as Error);
    });
  }

  /** Throws why this store refuses writes (see {@link #writeFailure}), if it does. */
  #refuseIfFailed(): void {
    const failure = this.#writeFailure();
    if (failure !== undefined) throw this.#walError(failure);
  }

  /** Why this store refuses writes: a failed fsync, or a writer thread that failed after it started. */
  #writeFailure(): Error | undefined {
    return this.#wal?.failure ?? this.#currentWriter()?.failure;
  }

  #walError(err: Error): AuditStoreError {
    return new AuditStoreError(AuditStoreErrorCode.WRITE_FAILED, this.path, err.message, { cause: err });
  }

  /** `AuditSink`: records an attempted operation durably, before it runs. */
  recordAttempt(attempt: AuditAttempt): { auditId: string } {
    const { auditId } = this.append(attempt);
    return { auditId };
  }

  /**
   * `AuditSink`: records the outcome of an attempt as its own chained record
   * (the attempt's hash is already sealed). Reads merge it into the attempt.
   * Committed (and durable per `durability`) when it returns.
   *
   * @throws AuditStoreError UNKNOWN_AUDIT_ID, DUPLICATE_OUTCOME or INVALID_INPUT.
   */
  recordOutcome(auditId: string, outcome: AuditOutcome): void {
    const row = this.#outcomeRow(auditId, outcome);
    this.#commit([row], 'recording an outcome', true, () => {
      if (this.#stmts?.outcomeFor.get(auditId) !== undefined) throw this.#duplicate(auditId);
    });
    this.#noteOutcome(auditId, true);
  }

  /** A checked outcome row for `auditId`. */
  #outcomeRow(auditId: string, outcome: AuditOutcome): PendingRow {
    const stmts = this.#writable();
    const fields = checkOutcome(this.path, outcome, 'outcome');
    const timestamp = this.#now();
    // Filled in place (no spread of a template row, no date parse): this runs once per guarded call.
    const row = emptyRow(this.sessionId, timestamp, 'outcome', this.#lastMs);
    row.outcome_success = fields.outcome_success;
    row.outcome_error_code = fields.outcome_error_code;
    row.outcome_duration_us = fields.outcome_duration_us;
    row.outcome_http_status = fields.outcome_http_status;
    row.ref_audit_id = auditId;
    const recent = this.#recentAttempts.get(auditId);
    let attempt: { service: string | null; operation: string | null } | undefined = recent;
    if (attempt === undefined) {
      const found = typeof auditId === 'string' ? stmts.attemptById.get(auditId) : undefined;
      if (found?.kind === 'attempt') {
        // An edited body may hold anything: a field that is not text is copied as absent, as readers read it.
        const body = found.body === undefined ? undefined : parseBody(found.body);
        attempt = body
          ? { service: readText(body, 'service'), operation: readText(body, 'operation') }
          : { service: found.service ?? null, operation: found.operation ?? null };
      }
    }
    if (attempt === undefined) {
      throw new AuditStoreError(
        AuditStoreErrorCode.UNKNOWN_AUDIT_ID,
        this.path,
        `no attempt with audit id ${JSON.stringify(auditId)} is in the store`,
      );
    }
    // An attempt of this session: this store wrote every outcome it has (another writer's would still fail on the
    // one-outcome-per-attempt index when committed). Any other attempt: look in the file.
    if (
      recent !== undefined
        ? recent.outcome
        : this.#pendingOutcomes.has(auditId) || stmts.outcomeFor.get(auditId) !== undefined
    )
      throw this.#duplicate(auditId);
    row.service = attempt.service ?? null;
    row.operation = attempt.operation ?? null;
    return row;
  }

  #duplicate(auditId: string): AuditStoreError {
    return new AuditStoreError(
      AuditStoreErrorCode.DUPLICATE_OUTCOME,
      this.path,
      `an outcome for audit id ${auditId} is already recorded`,
    );
  }

  /** Commits rows in one transaction; with `sync` they are durable when it returns. */
  #commit(rows: PendingRow[], doing: string, sync: boolean, precheck?: () => void): AuditReceipt[] {
    // Entries staged or enqueued earlier go first, so the chain keeps the order they were recorded in.
    this.#drainAll();
    const [receipts] = this.#write(rows, doing, precheck);
    if (sync && this.#wal !== undefined) {
      try {
        this.#wal.syncNow();
      } catch (err) {
        throw this.#walError(err as Error);
      }
    }
    return receipts;
  }

  /**
   * Writes rows in one transaction (in the WAL, not yet fsynced); returns their receipts and the commit's number.
   * Its security-log line is written before it returns, or with `logLater` just after this task (see
   * {@link #logLater}).
   */
  #write(rows: PendingRow[], doing: string, precheck?: () => void, logLater = false): [AuditReceipt[], number] {
    const stmts = this.#writable();
    this.#refuseIfFailed();
    let inserted: InsertedRows;
    try {
      inserted = stmts.write.immediate(rows, precheck);
    } catch (err) {
      stmts.rows2?.reset();
      throw fromSqliteError(err, this.path, doing);
    }
    const commit = this.#wal?.committed() ?? 0;
    this.#committedRows(rows, inserted.receipts, this.format === 2 ? inserted.bytes : rows.length * 600, logLater);
    return [inserted.receipts, commit];
  }

  /** Inside the transaction {@link #write} opens: chains `rows` to the head it reads and inserts them. */
  #insertRows(rows: PendingRow[], precheck: (() => void) | undefined): InsertedRows {
    const stmts = this.#writable();
    const key = this.#key;
    const rows2 = stmts.rows2;
    let bytes = 0;
    precheck?.();
    const head = stmts.head.get();
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS_HASH;
    const receipts: AuditReceipt[] = [];
    for (const pending of rows) {
      seq += 1;
      let hash: string;
      if (rows2 !== undefined) {
        const body = bodyOf(pending);
        bytes += body.length;
        hash = hashText(
          payload2(seq, pending.audit_id, pending.kind, pending.timestamp, pending.ref_audit_id, prev, body),
          key,
        );
        rows2.add(seq, pending.audit_id, pending.kind, pending.timestamp, pending.ref_audit_id, body, prev, hash);
      } else {
        // The pending row is ours alone, so complete it in place rather than copying 25 fields per entry.
        const row = pending as AuditRow;
        row.seq = seq;
        row.prev_hash = prev;
        const values: (string | number | null)[] = hashedValues(row);
        hash = hashOfValues(values, key);
        values.push(hash);
        (stmts.insert as Database.Statement<unknown[]>).run(values);
      }
      prev = hash;
      receipts.push({ auditId: pending.audit_id, sequence: seq, hash, timestamp: pending.timestamp });
    }
    rows2?.finish();
    return { receipts, bytes };
  }

  /** What follows a commit here or on the writer thread: counts, the checkpoint estimate, the security-log line. */
  #committedRows(rows: PendingRow[], receipts: AuditReceipt[], bytes: number, logLater: boolean): void {
    this.#checkpointer?.committed(rows.length, bytes);
    this.#transactions += 1;
    this.#appendedThisSession += receipts.length;
    for (const row of rows) if (row.kind === 'attempt' && !this.#recentAttempts.has(row.audit_id)) this.#remember(row);
    if (logLater && this.#loggers.security !== undefined) {
      if (this.#logLater.length === 0) {
        setImmediate(this.#flushLogNow);
        PENDING_LOGS.add(this.#flushLogNow);
        armExit();
      }
      this.#logLater.push([rows, receipts]);
    } else {
      this.#flushLog();
      this.#logLines(rows, receipts);
    }
  }

  /** Writes the security-log lines of group commits not yet logged (see {@link #logLater}). */
  #flushLog(): void {
    const later = this.#logLater;
    if (later.length === 0) return;
    this.#logLater = [];
    PENDING_LOGS.delete(this.#flushLogNow);
    for (const [rows, receipts] of later) this.#logLines(rows, receipts);
  }

  #logLines(rows: PendingRow[], receipts: AuditReceipt[]): void {
    try {
      this.#logEntries(rows, receipts);
    } catch {
      // The entries are committed; a failing log must not make the append look failed.
    }
  }

  /**
   * One security-log line per transaction, written once it committed: a transaction of one entry logs that
   * entry (`audit_attempt`, `audit_outcome`); one of several logs them together (`audit_entries`, each entry with
   * its own sequence and hash). Either way the line's `sequence` and `hash` are the chain head the commit left,
   * which is what the head check reads back (`lastLoggedHead`). A blocked attempt is logged at `warn`.
   */
  #logEntries(rows: PendingRow[], receipts: AuditReceipt[]): void {
    const security = this.#loggers.security;
    if (security === undefined) return;
    if (rows.length === 1) {
      const row = rows[0] as PendingRow;
      const line = {
        event: `audit_${row.kind}`,
        sessionId: this.sessionId,
        store: this.storeId,
        ...entryLine(row, receipts[0] as AuditReceipt),
      };
      if (row.decision === 'blocked') security.warn(line, 'operation blocked');
      else security.info(line, `audit ${row.kind} recorded`);
      return;
    }
    let blocked = false;
    const entries = rows.map((row, i) => {
      if (row.decision === 'blocked') blocked = true;
      return entryLine(row, receipts[i] as AuditReceipt);
    });
    const head = receipts[receipts.length - 1] as AuditReceipt;
    const line = {
      event: 'audit_entries',
      sessionId: this.sessionId,
      store: this.storeId,
      sequence: head.sequence,
      hash: head.hash,
      entries,
    };
    if (blocked) security.warn(line, `${rows.length} audit entries recorded, an operation blocked`);
    else security.info(line, `${rows.length} audit entries recorded`);
  }

  #toRow(entry: AuditEntryInput): PendingRow {
    this.#writable();
    const bad = (field: string, expected: string): never => {
      throw new AuditStoreError(
        AuditStoreErrorCode.INVALID_INPUT,
        this.path,
        `audit entry field ${field} must be ${expected}; got ${describe((entry as unknown as Record<string, unknown>)?.[field])}; nothing was written`,
      );
    };
    if (entry === null || typeof entry !== 'object') bad('(entry)', 'an object');
    if (typeof entry.service !== 'string' || entry.service === '') bad('service', 'a non-empty string');
    if (typeof entry.operation !== 'string' || entry.operation === '') bad('operation', 'a non-empty string');
    if (entry.iamAction !== undefined && typeof entry.iamAction !== 'string') bad('iamAction', 'a string or undefined');
    if (!OPERATION_TYPES.has(entry.operationType)) bad('operationType', `one of ${[...OPERATION_TYPES].join(', ')}`);
    if (!DECISIONS.has(entry.decision)) bad('decision', 'allowed or blocked');
    if (!RISK_LEVELS.has(entry.riskLevel)) bad('riskLevel', `one of ${[...RISK_LEVELS].join(', ')}`);
    if (!STANDARDS.has(entry.complianceStandard)) bad('complianceStandard', `one of ${[...STANDARDS].join(', ')}`);
    for (const field of ['resourceArn', 'validationMessage'] as const) {
      if (entry[field] !== undefined && typeof entry[field] !== 'string') bad(field, 'a string or undefined');
    }
    const identity = entry.identity;
    if (identity !== undefined && (identity === null || typeof identity !== 'object'))
      bad('identity', 'an object { account?, arn?, type? }');
    const params = entry.requestParameters === undefined ? null : (this.#redactJson(entry.requestParameters) ?? null);
    const outcome = entry.outcome === undefined ? undefined : checkOutcome(this.path, entry.outcome, 'outcome');
    const timestamp = this.#now();
    // Every field written out (no spread of a template row): this runs once per entry.
    return {
      audit_id: uuidv7(this.#lastMs),
      kind: 'attempt',
      session_id: this.sessionId,
      timestamp,
      service: entry.service,
      operation: entry.operation,
      iam_action: entry.iamAction ?? null,
      operation_type: entry.operationType,
      decision: entry.decision,
      risk_level: entry.riskLevel,
      resource_arn: entry.resourceArn === undefined ? null : (this.#redact(entry.resourceArn) as string),
      identity_account: optionalString(identity?.account),
      identity_arn: optionalString(identity?.arn),
      identity_type: optionalString(identity?.type),
      request_parameters: params,
      compliance_standard: entry.complianceStandard,
      // Free text (a fail-closed verdict quotes an error message): secrets in it are removed before hashing.
      validation_message:
        entry.validationMessage === undefined ? null : (this.#redact(entry.validationMessage) as string),
      outcome_success: outcome?.outcome_success ?? null,
      outcome_error_code: outcome?.outcome_error_code ?? null,
      outcome_duration_us: outcome?.outcome_duration_us ?? null,
      outcome_http_status: outcome?.outcome_http_status ?? null,
      ref_audit_id: null,
      data: null,
    };
  }

  #lastMs = Number.NaN;
  #lastIso = '';

  /** ISO time of now; formatting a date costs more than the rest of an entry, so reuse it within a millisecond. */
  #now(): string {
    const ms = this.#nowMs();
    if (ms !== this.#lastMs) {
      this.#lastMs = ms;
      this.#lastIso = new Date(ms).toISOString();
    }
    return this.#lastIso;
  }

  #writable() {
    if (this.#closed) throw new AuditStoreError(AuditStoreErrorCode.CLOSED, this.path, 'the audit store is closed');
    if (this.#stmts === undefined)
      throw new AuditStoreError(AuditStoreErrorCode.READ_ONLY, this.path, 'the audit store was opened read-only');
    return this.#stmts;
  }

  /** The connection for reading; entries staged or enqueued by this store are committed first, so reads see them. */
  #open(): Database.Database {
    if (this.#closed) throw new AuditStoreError(AuditStoreErrorCode.CLOSED, this.path, 'the audit store is closed');
    this.#drainAll();
    return this.#db;
  }

  // ---------------------------------------------------------------- reading

  /** The newest entry's sequence and hash: publish it (reports, logs) to detect truncation later. */
  head(): ChainHead | undefined {
    try {
      const row = this.#open().prepare('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1').get() as
        { seq: number; hash: string } | undefined;
      return row === undefined ? undefined : { sequence: row.seq, hash: row.hash };
    } catch (err) {
      throw fromSqliteError(err, this.path, 'reading the chain head');
    }
  }

  /** Number of stored rows (attempts, outcomes and checkpoints). */
  count(): number {
    return (this.#open().prepare('SELECT COUNT(*) AS n FROM audit_entries').get() as { n: number }).n;
  }

  /**
   * Entries in chain order, attempts with their outcomes merged (outcome
   * records themselves are not listed). Reads page by page, so other calls on
   * the store may run between items.
   */
  *entries(options: { since?: Date | string; afterSequence?: number } = {}): Generator<AuditEntry> {
    const select = this.format === 2 ? MERGED_SELECT_2 : MERGED_SELECT;
    for (const row of this.#pages(select, "a.kind != 'outcome'", options.since, options.afterSequence))
      yield toEntry(this.#merged(row));
  }

  /**
   * The attempts in chain order, outcomes merged, with only the fields counting and correlating operations
   * needs ({@link AuditAttemptSummary}): what `entries()` gives an attempt, without its request parameters,
   * hashes and the objects a full entry builds. Reads page by page, as `entries()` does.
   */
  *attempts(options: { since?: Date | string; afterSequence?: number } = {}): Generator<AuditAttemptSummary> {
    const v2 = this.format === 2;
    for (const row of this.#pages(
      v2 ? ATTEMPT_SELECT_2 : ATTEMPT_SELECT,
      "a.kind != 'outcome'",
      options.since,
      options.afterSequence,
    )) {
      if (row.kind !== 'attempt') continue;
      yield toAttempt(
        v2 ? attemptRow2(row as unknown as StoredRow2 & { m_body: string | null }) : (row as unknown as AttemptRow),
      );
    }
  }

  /** A merged row of either format in format 1's shape. */
  #merged(row: AuditRow | StoredRow2): MergedRow {
    if (this.format === 1) return row as MergedRow;
    const { m_body: outcomeBody } = row as StoredRow2 & { m_body?: string | null };
    return Object.assign<AuditRow, Partial<MergedRow>>(
      expandRow(row as StoredRow2),
      mergedOutcome2(outcomeBody),
    ) as MergedRow;
  }

  /** The newest `n` entries (merged view), oldest first. */
  tail(n = 20): AuditEntry[] {
    if (!Number.isInteger(n) || n < 0)
      throw new AuditStoreError(
        AuditStoreErrorCode.INVALID_INPUT,
        this.path,
        `tail count must be a whole number >= 0; got ${describe(n)}`,
      );
    try {
      const select = this.format === 2 ? MERGED_SELECT_2 : MERGED_SELECT;
      const rows = this.#open()
        .prepare(`${select} WHERE a.kind != 'outcome' ORDER BY a.seq DESC LIMIT ?`)
        .all(n) as MergedRow[];
      return rows.reverse().map((r) => toEntry(this.#merged(r)));
    } catch (err) {
      throw fromSqliteError(err, this.path, 'reading the newest entries');
    }
  }

  /**
   * Streams the trail as JSON lines or CSV (header first). The merged view by
   * default; `raw: true` gives every stored row with all hashed columns.
   */
  export(options: ExportOptions): Readable {
    const { format } = options;
    if (format !== 'jsonl' && format !== 'csv') {
      throw new AuditStoreError(
        AuditStoreErrorCode.INVALID_INPUT,
        this.path,
        `export format must be jsonl or csv; got ${describe(format)}`,
      );
    }
    const since = options.since === undefined ? undefined : isoOrThrow(this.path, options.since);
    const raw = options.raw ?? false;
    const rows: Iterable<AuditEntry | AuditRow> = raw
      ? this.#pages('SELECT a.* FROM audit_entries a', undefined, since)
      : this.entries(since === undefined ? {} : { since });
    const rawColumns: readonly string[] = this.format === 2 ? COLUMNS_2 : [...HASHED_COLUMNS, 'hash'];
    return Readable.from(format === 'jsonl' ? rowsToJsonl(rows) : rowsToCsv(rows, raw ? rawColumns : undefined), {
      objectMode: false,
    });
  }

  *#pages(
    select: string,
    where: string | undefined,
    since: Date | string | undefined,
    afterSequence = 0,
  ): Generator<AuditRow> {
    const db = this.#open();
    const conditions = ['a.seq > @after', 'a.seq <= @last'];
    if (where !== undefined) conditions.push(where);
    if (since !== undefined) conditions.push('a.timestamp >= @since');
    const stmt = db.prepare(`${select} WHERE ${conditions.join(' AND ')} ORDER BY a.seq LIMIT ${EXPORT_PAGE}`);
    // Pin the end to the head at the start, so a busy writer cannot keep the export running forever.
    const last = this.head()?.sequence ?? 0;
    let after = afterSequence;
    const params: Record<string, unknown> = { after, last };
    if (since !== undefined) params.since = isoOrThrow(this.path, since);
    for (;;) {
      params.after = after;
      let page: AuditRow[];
      try {
        page = stmt.all(params) as AuditRow[];
      } catch (err) {
        throw fromSqliteError(err, this.path, 'reading entries');
      }
      for (const row of page) yield row;
      if (page.length < EXPORT_PAGE) return;
      after = (page[page.length - 1] as AuditRow).seq;
    }
  }

  // ---------------------------------------------------------------- verify

  /**
   * Resumes verification from `head`, a head an earlier verify of this store
   * passed: only the entries appended since are walked. When that walk fails,
   * a full walk anchored at `head` decides (a retention cleanup may have
   * pruned that entry; a rewrite of the verified part still fails), and
   * `resumeProblem` says why the resumed walk failed.
   */
  verifyFrom(head: ChainHead): { result: VerifyResult; resumed: boolean; resumeProblem?: TamperFinding } {
    const resumed = this.verify({ after: head });
    if (resumed.ok) return { result: resumed, resumed: true };
    const result = this.verify({ anchor: head });
    return resumed.firstBad === undefined
      ? { result, resumed: false }
      : { result, resumed: false, resumeProblem: resumed.firstBad };
  }

  /**
   * Walks the chain and reports the first entry that was edited, deleted,
   * reordered or inserted. With an `anchor` (a head published earlier) it
   * also detects removal of the newest entries. With `after` (the head an
   * earlier verify of this store returned) it checks only the entries
   * appended since, after checking that head is still in the chain unchanged;
   * memory stays flat either way (rows are streamed, not collected).
   */
  verify(options: VerifyOptions = {}): VerifyResult {
    return this.#verify(options, undefined);
  }

  /**
   * A full {@link verify}, `[...attempts()]` and {@link count} in one read of the chain: each row is hashed and
   * its attempt or outcome gathered in the same pass, and the rows after one that fails are still read for their
   * attempts (`attempts()` lists them whatever `verify` finds). Gives what the three calls give one after the
   * other on a store nobody writes to meanwhile. Errors are `verify`'s.
   */
  verifyWithAttempts(): VerifiedAttempts {
    const { columns, ...read } = this.verifyWithAttemptColumns();
    return { ...read, attempts: decodeAttempts(columns) };
  }

  /**
   * {@link verifyWithAttempts} with the attempts as {@link AttemptColumns} (what a worker thread hands over).
   * `pageCheck: 'here'` runs the page check on this connection after the walk instead of on a thread of its
   * own (for a caller already off the main thread, where one more thread only competes for the same cores);
   * `'caller'` leaves it to the caller, who checks the file's pages on a connection of its own (the worker of
   * {@link verifyWithAttemptColumnsAsync}, whose caller's thread checks them meanwhile).
   */
  verifyWithAttemptColumns(options: { pageCheck?: PageCheck; share?: WalkShare } = {}): WorkerAttemptColumns {
    const pageCheck = options.pageCheck ?? 'thread';
    const { share } = options;
    if (this.format !== 2) {
      // Only a format-2 walk is shared.
      share?.close();
      const verify = this.#verify({}, undefined, pageCheck);
      return { verify, columns: encodeAttempts([...this.attempts()]), stored: this.count() };
    }
    const collector = new AttemptCollector();
    let verify: VerifyResult;
    try {
      verify = this.#verify({}, collector, pageCheck, share);
    } finally {
      share?.close();
    }
    // The walk starts at sequence 0; an outcome row below it (only in an edited store) is read by the join.
    const below = this.#open().prepare('SELECT 1 FROM audit_entries WHERE seq < 0 LIMIT 1').get() !== undefined;
    if (share?.split === true)
      return {
        verify,
        columns: collector.columns(),
        stored: this.count(),
        part: {
          ambiguous: collector.ambiguous || below,
          unmatched: [...collector.unmatched().keys()],
          through: collector.lastSequence,
        },
      };
    return {
      verify,
      columns: collector.ambiguous || below ? encodeAttempts([...this.attempts()]) : collector.columns(),
      stored: this.count(),
    };
  }

  /**
   * {@link verifyWithAttempts} on a worker thread, with a read-only connection of its own, when this store is
   * opened read-only and its file is large (so this thread is free for other work meanwhile); on this thread
   * otherwise, and whenever the worker cannot start or fails in any way, so the result and every error are
   * those of `verifyWithAttempts()`.
   */
  async verifyWithAttemptsAsync(): Promise<VerifiedAttempts> {
    const { columns, ...read } = await this.verifyWithAttemptColumnsAsync();
    return { ...read, attempts: decodeAttempts(columns) };
  }

  /**
   * {@link verifyWithAttemptsAsync} with the attempts as {@link AttemptColumns} (see `eachAttempt`).
   * `started`: a worker's read of this store's file begun before the store was opened (`check --evidence`
   * starts it before its configuration is loaded); its result is this store's when it read the same file with
   * this store's key, and it is cancelled otherwise. `help`: settles once this thread has nothing else to do;
   * if the worker is still walking then, this thread takes the newest half of what the worker has not read yet
   * and walks it itself (see walkShare.ts), and the two parts are joined into what one walk gives.
   */
  async verifyWithAttemptColumnsAsync(
    started?: AttemptsRead,
    options: { help?: Promise<unknown> } = {},
  ): Promise<VerifiedAttemptColumns> {
    if (this.readonly) {
      const file = this.#open().name;
      const same =
        started !== undefined &&
        resolve(started.file) === resolve(file) &&
        (started.key === undefined
          ? this.#key === undefined
          : this.#key !== undefined && started.key.equals(this.#key));
      if (!same) started?.cancel();
      const worker = same ? started : startAttemptsRead(file, this.#key);
      if (worker !== undefined) {
        // The worker walks the chain. The file's pages are checked by whichever thread is free first: this one
        // once its current task has run (with `help`: once it has nothing else to do), or the worker once its
        // walk is done; the share says which took the check.
        let finished = false;
        const result = worker.take().finally(() => {
          finished = true;
        });
        const { help } = options;
        const share = worker.share;
        let mine: { damage: AuditStoreError | undefined } | undefined;
        const checkPages = (): void => {
          if (share === undefined || share.claimPages()) mine = { damage: this.pageDamage() };
        };
        const newest = await (
          help === undefined
            ? new Promise<'free'>((done) => setImmediate(() => done('free')))
            : Promise.race([help.then(noop, noop).then(() => 'free' as const), result.then(() => 'done' as const)])
        ).then((why) => {
          if (why !== 'free' || finished) return undefined;
          checkPages();
          return help === undefined || share === undefined || this.format !== 2 ? undefined : this.#takeNewest(share);
        });
        const read = await result;
        // Damage wins over whatever the walk found, as in verify(); a check the worker took and did not find
        // intact (or did not finish) is done again here, for its error.
        const damaged = mine !== undefined ? mine.damage : read?.pages === true ? undefined : this.pageDamage();
        if (damaged !== undefined) throw damaged;
        const whole: VerifiedAttemptColumns | undefined =
          read === undefined || newest === 'apart' || (newest === undefined) !== (read.part === undefined)
            ? undefined
            : newest === undefined
              ? read
              : this.#joinParts(read, newest);
        if (whole !== undefined) {
          const done: VerifiedAttemptColumns = { verify: whole.verify, columns: whole.columns, stored: whole.stored };
          // The worker read this store's file, or the private copy of it: say so as verify() does.
          return this.#snapshotDir === undefined
            ? done
            : { ...done, verify: { ...done.verify, warnings: [...done.verify.warnings, SNAPSHOT_WARNING] } };
        }
        // The worker gave no result, or the parts do not join: the same read here, without checking the pages
        // a second time.
        return this.verifyWithAttemptColumns({ pageCheck: 'caller' });
      }
    } else started?.cancel();
    return this.verifyWithAttemptColumns();
  }

  /**
   * {@link #walkNewest}; `'apart'` also when it threw (the whole read is then done again here, and meets the
   * error).
   */
  #takeNewest(share: WalkShare): NewestPart | 'apart' | undefined {
    try {
      return this.#walkNewest(share);
    } catch {
      return 'apart';
    }
  }

  /**
   * Takes the newest part of the chain the worker walks (when enough is left of it) and walks it here, on this
   * connection, from the stored hash of the entry before it; with what joining it to the worker's part needs.
   * Undefined when nothing was taken; `'apart'` when the entry before the part is missing (the worker's part
   * cannot end there, so the parts do not join).
   */
  #walkNewest(share: WalkShare): NewestPart | 'apart' | undefined {
    const db = this.#open();
    db.exec('BEGIN');
    let failed = false;
    try {
      const max = db.prepare('SELECT MAX(seq) FROM audit_entries').pluck().get() as number | null;
      if (max === null) return undefined;
      const from = share.take(max, MIN_NEWEST_PART);
      if (from === undefined) return undefined;
      const fromHash = db.prepare('SELECT hash FROM audit_entries WHERE seq = ?').pluck().get(from);
      if (typeof fromHash !== 'string') return 'apart';
      const collector = new AttemptCollector();
      const walk = this.#walk2(
        db,
        { get: () => undefined },
        undefined,
        { head: { sequence: from, hash: fromHash }, firstSequence: undefined },
        collector,
      );
      const clean = walk.firstBad === undefined && walk.badRow === undefined;
      // What the join of attempts() would pair across the two parts: an attempt id met in both (only in an
      // edited store), and the older attempts the part's outcome records complete.
      const duplicate =
        db
          .prepare(
            `SELECT 1 FROM audit_entries n JOIN audit_entries o ON o.audit_id = n.audit_id
             WHERE n.seq > ? AND n.kind = 'attempt' AND o.kind = 'attempt' AND o.seq > 0 AND o.seq <= ? LIMIT 1`,
          )
          .get(from, from) !== undefined;
      const lookup = db
        .prepare("SELECT seq, body FROM audit_entries WHERE audit_id = ? AND kind = 'attempt' AND seq > 0 AND seq <= ?")
        .raw(true);
      const older: NewestPart['older'] = [];
      let unsettled = false;
      for (const [ref, body] of collector.unmatched()) {
        const rows = lookup.all(ref, from) as [number, unknown][];
        if (rows.length > 1) unsettled = true;
        else if (rows.length === 1) older.push({ seq: rows[0]![0], own: holdsOwnOutcome(rows[0]![1]), body });
      }
      return {
        from,
        fromHash,
        walk: clean ? walk : undefined,
        collector,
        duplicate,
        older,
        unsettled,
      };
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      endReadTransaction(db, failed, this.path);
    }
  }

  /**
   * The worker's part of a shared walk and this thread's newest part, joined into what one walk of the whole
   * chain gives; the parts' verification is joined when both are clean and link up (and is walked again here
   * in order otherwise), their attempts when nothing in either could pair otherwise than `attempts()` does
   * (and read with that join otherwise). Undefined when the worker's read is not the part this one joins.
   */
  #joinParts(read: WorkerAttemptColumns, newest: NewestPart): VerifiedAttemptColumns | undefined {
    const { part } = read;
    // The worker's part must end where this one begins (a store appended to between the two reads may have
    // rows the worker's read did not see).
    if (part === undefined || part.through !== newest.from) return undefined;
    const older = read.verify;
    const tail = newest.walk;
    let verify: VerifyResult;
    if (!older.ok) verify = older;
    else if (tail !== undefined && older.head?.sequence === newest.from && older.head.hash === newest.fromHash)
      verify = { ...older, checked: older.checked + tail.checked, head: tail.head ?? older.head };
    else {
      // (Without the note on a private copy, which the caller adds to the worker's result and this alike.)
      const again = this.#verify({}, undefined, 'caller');
      verify = { ...again, warnings: again.warnings.filter((w) => w !== SNAPSHOT_WARNING) };
    }
    const { collector } = newest;
    let joinable = !part.ambiguous && !collector.ambiguous && !newest.duplicate && !newest.unsettled;
    // An outcome record of the worker's part met before its attempt (in this part), or two records of the parts
    // for one missing attempt: the join pairs those otherwise.
    for (const id of part.unmatched) if (collector.holds(id) || collector.unmatched().has(id)) joinable = false;
    const columns = read.columns;
    for (const { seq, own, body } of joinable ? newest.older : []) {
      const i = indexOfSequence(columns, seq);
      if (i < 0 || (!own && hasOutcome(columns, i))) {
        joinable = false;
        break;
      }
      // An attempt's own outcome wins over its record's.
      if (!own) withOutcomeRecord(columns, i, body);
    }
    return {
      verify,
      columns: joinable ? joinColumns(columns, collector.columns()) : encodeAttempts([...this.attempts()]),
      stored: read.stored,
    };
  }

  /**
   * SQLite's page check of the whole file on this connection (what a full {@link verify} runs besides the
   * walk): the error verify throws for what it finds, undefined when the file is intact.
   */
  pageDamage(): AuditStoreError | undefined {
    let text: string;
    try {
      text = startQuickCheck(this.#open(), false).result();
    } catch (err) {
      return fromSqliteError(err, this.path, 'verifying the audit trail');
    }
    return this.#damaged(text);
  }

  /** The error for a page check's text (undefined for `ok`). */
  #damaged(text: string): AuditStoreError | undefined {
    return text === 'ok'
      ? undefined
      : new AuditStoreError(AuditStoreErrorCode.CORRUPT, this.path, `the database file is damaged: ${text}`);
  }

  #verify(
    options: VerifyOptions,
    collector: AttemptCollector | undefined,
    pageCheck: PageCheck = 'thread',
    share?: WalkShare,
  ): VerifyResult {
    const db = this.#open();
    const warnings: string[] = [];
    db.exec('BEGIN');
    let failed = false;
    try {
      const from = options.after === undefined ? undefined : this.#resumePoint(db, options.after);
      if (from !== undefined && 'reason' in from)
        return {
          ok: false,
          checked: 0,
          head: this.head(),
          firstSequence: undefined,
          firstBad: from,
          warnings,
          from: options.after,
        };
      // A full walk also checks every page of the file (at the same time, on a large store); a resumed one
      // trusts the part verified before.
      let integrity: IntegrityCheck | undefined =
        from === undefined && pageCheck !== 'caller' ? startQuickCheck(db, pageCheck === 'thread') : undefined;
      const damage = (): AuditStoreError | undefined => {
        const text = integrity?.result();
        integrity = undefined;
        return text === undefined ? undefined : this.#damaged(text);
      };
      // Checkpoints matter only where the chain starts after entry 1 or an anchor is older than it: read on demand.
      let loaded: Map<number, { sequence: number; data: CheckpointData }> | undefined;
      const checkpoints: CheckpointLookup = {
        get: (sequence) => (from === undefined ? (loaded ??= this.#checkpoints(db)).get(sequence) : undefined),
      };
      let walk: WalkState;
      try {
        warnings.push(...this.#schemaWarnings(db));
        if (this.#snapshotDir !== undefined) warnings.push(SNAPSHOT_WARNING);
        walk =
          this.format === 2
            ? this.#walk2(db, checkpoints, options.anchor, from, collector, share)
            : this.#walk(db, checkpoints, options.anchor, from);
      } catch (err) {
        throw damage() ?? err;
      }
      const damaged = damage();
      if (damaged !== undefined) throw damaged;
      let firstBad = walk.firstBad;
      if (firstBad === undefined && walk.badRow !== undefined) {
        const key = this.#key;
        const rehash =
          this.format === 2
            ? (row: AuditRow | StoredRow2, seq: number) => rowHash2(row as StoredRow2, key, seq)
            : (row: AuditRow | StoredRow2, seq: number) => entryHash({ ...(row as AuditRow), seq }, key);
        firstBad = diagnoseBadRow(db, walk.badRow, rehash);
      }
      let anchor: VerifyResult['anchor'];
      if (firstBad === undefined && options.anchor !== undefined) {
        const checked =
          from === undefined
            ? checkAnchor(options.anchor, walk, checkpoints)
            : this.#anchorAgainst(db, options.anchor, walk);
        if ('reason' in checked) firstBad = checked;
        else anchor = checked.status;
      }
      const result: VerifyResult = {
        ok: firstBad === undefined,
        checked: walk.checked,
        head: walk.head ?? (from === undefined ? undefined : from.head),
        firstSequence: from === undefined ? walk.firstSequence : from.firstSequence,
        warnings,
        ...(firstBad === undefined ? {} : { firstBad }),
        ...(anchor === undefined ? {} : { anchor }),
        ...(options.after === undefined ? {} : { from: options.after }),
      };
      return result;
    } catch (err) {
      failed = true;
      throw fromSqliteError(err, this.path, 'verifying the audit trail');
    } finally {
      endReadTransaction(db, failed, this.path);
    }
  }

  /**
   * Compares the store's head with a head recorded outside it (the security
   * audit log, a report): a store whose head went backwards lost entries (rows
   * deleted, or a damaged or deleted write-ahead log).
   */
  compareHead(known: ChainHead): HeadCheck {
    const at = this.#open().prepare('SELECT hash FROM audit_entries WHERE seq = ?');
    return compareHeads(known, this.head(), (seq) => (at.get(seq) as { hash: string } | undefined)?.hash);
  }

  #schemaWarnings(db: Database.Database): string[] {
    const warnings: string[] = [];
    const objects = new Map(
      (
        db.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')").all() as {
          name: string;
          sql: string | null;
        }[]
      ).map((t) => [t.name, t.sql ?? '']),
    );
    const missing = TRIGGER_NAMES.filter((t) => !objects.has(t));
    if (missing.length > 0) warnings.push(`the append-only triggers ${missing.join(', ')} were removed from the store`);
    if ((objects.get('audit_entries_no_delete') ?? '').includes(FLAG_TRIGGER_MARK))
      warnings.push(
        'the delete trigger of this format-1 store still honours the cleanup_in_progress flag anyone can set; open the store for writing once (any append or cleanup) to replace it',
      );
    const missingIndexes = GUARD_INDEX_NAMES.filter((i) => !objects.has(i));
    if (missingIndexes.length > 0)
      warnings.push(`the one-outcome-per-attempt index ${missingIndexes.join(', ')} were removed from the store`);
    const flag = db.prepare("SELECT value FROM audit_meta WHERE key = 'cleanup_in_progress'").get() as
      { value: string } | undefined;
    if (flag !== undefined)
      warnings.push(
        `audit_meta holds a cleanup_in_progress flag (${JSON.stringify(flag.value)}) outside any cleanup: someone set it by hand`,
      );
    return warnings;
  }

  #checkpoints(db: Database.Database): Map<number, { sequence: number; data: CheckpointData }> {
    const checkpoints = new Map<number, { sequence: number; data: CheckpointData }>();
    const column = this.format === 2 ? 'body' : 'data';
    for (const row of db
      .prepare(`SELECT seq, ${column} AS d FROM audit_entries WHERE kind = 'checkpoint' ORDER BY seq`)
      .iterate() as IterableIterator<{ seq: number; d: string | null }>) {
      const data = (this.format === 2 ? parseBody(row.d).data : parseJson(row.d)) as CheckpointData | undefined;
      if (data && typeof data.prunedThroughSequence === 'number')
        checkpoints.set(data.prunedThroughSequence, { sequence: row.seq, data });
    }
    return checkpoints;
  }

  /** Where an incremental verify resumes: the entry `after` names must still be there with that hash. */
  #resumePoint(db: Database.Database, after: ChainHead): ResumePoint | TamperFinding {
    const row = db.prepare('SELECT seq, hash FROM audit_entries WHERE seq = ?').get(after.sequence) as
      { seq: number; hash: string } | undefined;
    const head = this.head();
    if (row === undefined) {
      if (head === undefined || head.sequence < after.sequence) {
        return {
          sequence: (head?.sequence ?? 0) + 1,
          reason: 'truncated',
          message: `the last verified head was entry ${after.sequence}, but the trail ends at ${head?.sequence ?? 0}: the newest ${after.sequence - (head?.sequence ?? 0)} verified entries are missing`,
        };
      }
      return {
        sequence: after.sequence,
        reason: 'deleted',
        message: `entry ${after.sequence}, the last verified head, is no longer in the trail; verify the whole trail`,
      };
    }
    if (row.hash !== after.hash) {
      return {
        sequence: after.sequence,
        reason: 'edited',
        message: `entry ${after.sequence}, the last verified head, now has another hash: the verified part of the chain was rewritten`,
      };
    }
    const first = db.prepare('SELECT MIN(seq) AS s FROM audit_entries').get() as { s: number | null };
    return { head: { sequence: row.seq, hash: row.hash }, firstSequence: first.s ?? undefined };
  }

  #anchorAgainst(
    db: Database.Database,
    anchor: ChainHead,
    walk: WalkState,
  ): TamperFinding | { status: 'matched' | 'pruned' } {
    const headSeq = walk.head?.sequence ?? 0;
    if (anchor.sequence > headSeq && walk.head !== undefined) {
      return {
        sequence: headSeq + 1,
        reason: 'truncated',
        message: `the anchor names entry ${anchor.sequence} but the trail ends at ${headSeq}: the newest ${anchor.sequence - headSeq} entries are missing`,
      };
    }
    const row = db.prepare('SELECT hash FROM audit_entries WHERE seq = ?').get(anchor.sequence) as
      { hash: string } | undefined;
    if (row === undefined) return { status: 'pruned' };
    if (row.hash !== anchor.hash)
      return {
        sequence: anchor.sequence,
        reason: 'truncated',
        message: `entry ${anchor.sequence} has another hash than the anchor: entries up to it were replaced or removed and re-appended`,
      };
    return { status: 'matched' };
  }

  #walk(
    db: Database.Database,
    checkpoints: CheckpointLookup,
    anchor: ChainHead | undefined,
    from: ResumePoint | undefined,
  ): WalkState {
    const state = newWalk();
    let prev: AuditRow | undefined;
    let expectedPrev = from?.head.hash ?? GENESIS_HASH;
    let beforePrev: string | undefined;
    let lastSeq = from?.head.sequence;
    for (const row of db
      .prepare('SELECT * FROM audit_entries WHERE seq > ? ORDER BY seq')
      .iterate(from?.head.sequence ?? -1) as IterableIterator<AuditRow>) {
      if (lastSeq === undefined) {
        state.firstSequence = row.seq;
        const start = chainStart(row.seq, row.audit_id, checkpoints);
        if ('reason' in start) {
          state.firstBad = start;
          return state;
        }
        expectedPrev = start.expectedPrev;
      } else if (row.seq !== lastSeq + 1) {
        state.firstBad = gap(lastSeq, row.seq, row.audit_id);
        return state;
      }
      if (entryHash(row, this.#key) !== row.hash || row.prev_hash !== expectedPrev) {
        state.badRow = { row, expectedPrev, beforePrev, prev };
        return state;
      }
      if (anchor !== undefined && row.seq === anchor.sequence) state.anchorHash = row.hash;
      state.checked += 1;
      state.head = { sequence: row.seq, hash: row.hash };
      beforePrev = expectedPrev;
      expectedPrev = row.hash;
      prev = row;
      lastSeq = row.seq;
    }
    return state;
  }

  /**
   * The format-2 walk: rows read as arrays, each hash taken over the stored text (no JSON is built or parsed).
   * With a `collector`, every row goes to it too, those after the walk stopped included. With a `share`, the
   * walk reads only the pages it claims there (the newest part may be another thread's: see walkShare.ts).
   */
  #walk2(
    db: Database.Database,
    checkpoints: CheckpointLookup,
    anchor: ChainHead | undefined,
    from: ResumePoint | undefined,
    collector?: AttemptCollector,
    share?: WalkShare,
  ): WalkState {
    const state = newWalk();
    const key = this.#key;
    let expectedPrev = from?.head.hash ?? GENESIS_HASH;
    let beforePrev: string | undefined;
    let lastSeq = from?.head.sequence;
    let prev: unknown[] | undefined;
    const anchorSeq = anchor?.sequence ?? -1;
    // Read a page of sequence numbers at a time (an array per row): cheaper than stepping a row at a time, and
    // the unit a shared walk claims.
    const page = db
      .prepare(`SELECT ${COLUMNS_2.join(', ')} FROM audit_entries WHERE seq > ? AND seq <= ? ORDER BY seq`)
      .raw(true);
    const after = db.prepare('SELECT MIN(seq) FROM audit_entries WHERE seq > ?').pluck();
    let cursor = from?.head.sequence ?? -1;
    let checked = 0;
    let walking = true;
    try {
      pages: for (;;) {
        const hi = share === undefined ? cursor + WALK_PAGE : share.claim(cursor, WALK_PAGE);
        if (hi === undefined) break;
        const rows = page.all(cursor, hi) as unknown[][];
        if (rows.length === 0) {
          // Nothing in this page (a gap, or the end): go on from the next row there is.
          const next = after.get(hi) as number | null;
          if (next === null) break;
          cursor = next - 1;
          continue;
        }
        cursor = hi;
        for (const r of rows) {
          collector?.row(r);
          if (!walking) continue;
          const seq = r[0] as number;
          if (lastSeq === undefined) {
            state.firstSequence = seq;
            const start = chainStart(seq, r[1] as string, checkpoints);
            if ('reason' in start) {
              state.firstBad = start;
              if (collector === undefined) break pages;
              walking = false;
              continue;
            }
            expectedPrev = start.expectedPrev;
          } else if (seq !== lastSeq + 1) {
            state.firstBad = gap(lastSeq, seq, r[1] as string);
            if (collector === undefined) break pages;
            walking = false;
            continue;
          }
          const auditId = r[1] as string;
          const kind = r[2] as string;
          const timestamp = r[3] as string;
          const ref = r[4] as string | null;
          const prevHash = r[6] as string;
          const hash = r[7] as string;
          const ok =
            typeof r[5] === 'string' &&
            prevHash === expectedPrev &&
            hashText(payload2(seq, auditId, kind, timestamp, ref, prevHash, r[5]), key) === hash &&
            !(lineFeed(auditId) || lineFeed(kind) || lineFeed(timestamp) || lineFeed(ref));
          if (!ok) {
            state.badRow = {
              row: toStored2(r),
              expectedPrev,
              beforePrev,
              prev: prev === undefined ? undefined : toStored2(prev),
            };
            if (collector === undefined) break pages;
            walking = false;
            continue;
          }
          if (seq === anchorSeq) state.anchorHash = hash;
          checked += 1;
          beforePrev = expectedPrev;
          expectedPrev = hash;
          lastSeq = seq;
          prev = r;
        }
      }
    } finally {
      share?.close();
    }
    state.checked = checked;
    if (lastSeq !== undefined && lastSeq !== from?.head.sequence)
      state.head = { sequence: lastSeq, hash: expectedPrev };
    return state;
  }

  // ---------------------------------------------------------------- retention

  /**
   * Removes entries older than `retentionDays` and beyond the newest
   * `maxEntries`, then appends a checkpoint naming the last removed entry and
   * its hash, so the remaining chain still verifies. Nothing is removed
   * without a checkpoint, and the checkpoint is part of the chain.
   */
  cleanup(options: CleanupOptions): CleanupResult {
    const stmts = this.#writable();
    const { retentionDays, maxEntries } = options;
    if (retentionDays === undefined && maxEntries === undefined) {
      throw new AuditStoreError(
        AuditStoreErrorCode.INVALID_INPUT,
        this.path,
        'cleanup needs retentionDays, maxEntries or both',
      );
    }
    if (retentionDays !== undefined && !(Number.isFinite(retentionDays) && retentionDays >= 0)) {
      throw new AuditStoreError(
        AuditStoreErrorCode.INVALID_INPUT,
        this.path,
        `retentionDays must be a number >= 0; got ${describe(retentionDays)}`,
      );
    }
    if (maxEntries !== undefined && !(Number.isInteger(maxEntries) && maxEntries >= 1)) {
      throw new AuditStoreError(
        AuditStoreErrorCode.INVALID_INPUT,
        this.path,
        `maxEntries must be a whole number >= 1; got ${describe(maxEntries)}`,
      );
    }
    const db = this.#db;
    this.#drainAll();
    const now = new Date(this.#nowMs());
    let removed = 0;
    let checkpoint: CleanupResult['checkpoint'];
    const run = db.transaction(() => {
      const head = stmts.head.get();
      if (head === undefined) return;
      let through = 0;
      if (retentionDays !== undefined) {
        const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
        const keepFrom = (
          db.prepare('SELECT MIN(seq) AS s FROM audit_entries WHERE timestamp >= ?').get(cutoff) as { s: number | null }
        ).s;
        through = keepFrom === null ? head.seq : keepFrom - 1;
      }
      if (maxEntries !== undefined) through = Math.max(through, head.seq + 1 - maxEntries);
      const last = db
        .prepare('SELECT seq, hash FROM audit_entries WHERE seq <= ? ORDER BY seq DESC LIMIT 1')
        .get(through) as { seq: number; hash: string } | undefined;
      if (last === undefined) return;
      const count = (
        db.prepare('SELECT COUNT(*) AS n FROM audit_entries WHERE seq <= ?').get(last.seq) as { n: number }
      ).n;
      const data: CheckpointData = {
        prunedThroughSequence: last.seq,
        prunedThroughHash: last.hash,
        removedCount: count,
        retentionDays: retentionDays ?? null,
        maxEntries: maxEntries ?? null,
      };
      const row: PendingRow = {
        ...emptyRow(this.sessionId, now.toISOString(), 'checkpoint'),
        data: canonicalJson(data),
      };
      // The checkpoint is chained first: the delete trigger lets through only entries the newest checkpoint covers.
      const [[receipt]] = this.#write([row], 'cleaning up the audit trail');
      removed = db.prepare('DELETE FROM audit_entries WHERE seq <= ?').run(last.seq).changes;
      checkpoint = { sequence: (receipt as AuditReceipt).sequence, auditId: row.audit_id, data };
    });
    try {
      run.immediate();
      this.#wal?.syncNow();
    } catch (err) {
      throw fromSqliteError(err, this.path, 'cleaning up the audit trail');
    }
    if (removed > 0) {
      try {
        db.pragma('incremental_vacuum');
      } catch {
        // Space is reclaimed on a later cleanup; the entries are already gone.
      }
      this.#flushLog();
      this.#loggers.security?.info(
        { event: 'audit_cleanup', sessionId: this.sessionId, removed, checkpoint },
        'audit retention cleanup',
      );
    }
    return { removed, head: this.head(), ...(checkpoint === undefined ? {} : { checkpoint }) };
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Commits anything still enqueued, logs the session end with the chain head
   * (`anchor: "SEQ:HASH"`) and closes the file.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.closeSync();
  }

  /** Closes at once: entries still enqueued or staged are committed and fsynced first, on this thread. */
  closeSync(): void {
    if (this.#closed) return;
    try {
      this.#drainAll();
      const writer = this.#writer;
      if (writer !== undefined && writer !== null) {
        // It fsyncs what it committed before it closes.
        writer.closeSync();
        WRITERS.delete(this.#settleOnExit);
      }
      if (this.#wal !== undefined && this.#wal.pending > 0 && this.#wal.failure === undefined) this.#wal.syncNow();
    } catch {
      // Their promises were rejected by the drain or the failed sync; closing goes on.
    }
    this.#flushLog();
    if (!this.readonly && this.#appendedThisSession > 0) {
      let head: ChainHead | undefined;
      try {
        head = this.head();
      } catch {
        head = undefined;
      }
      const line = {
        event: 'audit_session_end',
        sessionId: this.sessionId,
        store: this.storeId,
        path: this.path,
        appended: this.#appendedThisSession,
        head,
        anchor: head ? formatAnchor(head) : undefined,
      };
      this.#loggers.security?.info(line, 'audit session end');
      this.#loggers.production?.info(line, 'audit session end');
    }
    this.#closed = true;
    this.#checkpointer?.close();
    this.#wal?.closeSync();
    this.#db.close();
    if (this.#snapshotDir !== undefined) rmSync(this.#snapshotDir, { recursive: true, force: true });
  }
}

interface WalkState {
  checked: number;
  head: ChainHead | undefined;
  firstSequence: number | undefined;
  firstBad: TamperFinding | undefined;
  badRow: BadRow | undefined;
  anchorHash: string | undefined;
}

/** A row whose hash or link failed, with what the walk knew at that point. */
export interface BadRow {
  row: AuditRow | StoredRow2;
  expectedPrev: string;
  beforePrev: string | undefined;
  prev: AuditRow | StoredRow2 | undefined;
}

/** Where an incremental verify starts: a head verified before, still in the chain. */
interface ResumePoint {
  head: ChainHead;
  firstSequence: number | undefined;
}

/** How many sequence numbers a format-2 walk reads at a time. */
const WALK_PAGE = 1024;

const lineFeed = (v: unknown): boolean => typeof v === 'string' && v.includes('\n');

function newWalk(): WalkState {
  return {
    checked: 0,
    head: undefined,
    firstSequence: undefined,
    firstBad: undefined,
    badRow: undefined,
    anchorHash: undefined,
  };
}

/** The hash the first kept entry must link to: the genesis hash, or the one a retention checkpoint records. */
/** Retention checkpoints by the last sequence each one pruned. */
type CheckpointLookup = Pick<Map<number, { sequence: number; data: CheckpointData }>, 'get'>;

function chainStart(
  seq: number,
  auditId: string,
  checkpoints: CheckpointLookup,
): { expectedPrev: string } | TamperFinding {
  if (seq === 1) return { expectedPrev: GENESIS_HASH };
  const cp = checkpoints.get(seq - 1);
  if (cp === undefined) {
    return {
      sequence: 1,
      auditId,
      reason: 'deleted',
      message: `entries 1..${seq - 1} are missing and no retention checkpoint records their removal; the chain starts at ${seq} (${auditId})`,
    };
  }
  return { expectedPrev: cp.data.prunedThroughHash };
}

function gap(lastSeq: number, seq: number, auditId: string): TamperFinding {
  return {
    sequence: lastSeq + 1,
    auditId,
    reason: 'deleted',
    message: `entries ${lastSeq + 1}..${seq - 1} are missing; the chain resumes at ${seq} (${auditId})`,
  };
}

function toStored2(r: unknown[]): StoredRow2 {
  return {
    seq: r[0] as number,
    audit_id: r[1] as string,
    kind: r[2] as string,
    timestamp: r[3] as string,
    ref_audit_id: r[4] as string | null,
    body: r[5] as string,
    prev_hash: r[6] as string,
    hash: r[7] as string,
  };
}

/** What the security log says of one entry: its place in the chain and what it records. */
function entryLine(row: PendingRow, receipt: AuditReceipt) {
  return {
    auditId: receipt.auditId,
    kind: row.kind,
    sequence: receipt.sequence,
    hash: receipt.hash,
    service: row.service ?? undefined,
    operation: row.operation ?? undefined,
    iamAction: row.iam_action ?? undefined,
    decision: row.decision ?? undefined,
    riskLevel: row.risk_level ?? undefined,
    refAuditId: row.ref_audit_id ?? undefined,
  };
}

/** Opens the group fsync of the WAL; where the WAL file cannot be opened, SQLite fsyncs every commit itself. */
function openWalSync(db: Database.Database, path: string): WalSync | undefined {
  try {
    return new WalSync(path);
  } catch {
    db.pragma('synchronous = FULL');
    return undefined;
  }
}

function checkAnchor(
  anchor: ChainHead,
  walk: WalkState,
  checkpoints: CheckpointLookup,
): TamperFinding | { status: 'matched' | 'pruned' } {
  const headSeq = walk.head?.sequence ?? 0;
  if (anchor.sequence > headSeq) {
    return {
      sequence: headSeq + 1,
      reason: 'truncated',
      message: `the anchor names entry ${anchor.sequence} but the trail ends at ${headSeq}: the newest ${anchor.sequence - headSeq} entries are missing`,
    };
  }
  if (walk.firstSequence !== undefined && anchor.sequence < walk.firstSequence) {
    const cp = checkpoints.get(anchor.sequence);
    if (cp !== undefined && cp.data.prunedThroughHash !== anchor.hash) {
      return {
        sequence: anchor.sequence,
        reason: 'edited',
        message: `the retention checkpoint records another hash for anchored entry ${anchor.sequence}: the chain was rewritten`,
      };
    }
    return { status: 'pruned' };
  }
  if (walk.anchorHash !== anchor.hash) {
    return {
      sequence: anchor.sequence,
      reason: 'truncated',
      message: `entry ${anchor.sequence} has another hash than the anchor: entries up to it were replaced or removed and re-appended`,
    };
  }
  return { status: 'matched' };
}

/** A row with no fields but its id, kind, session and time; `ms` is `timestamp` as a number, when known. */
function emptyRow(
  sessionId: string,
  timestamp: string,
  kind: PendingRow['kind'],
  ms = Date.parse(timestamp),
): PendingRow {
  return {
    audit_id: uuidv7(ms),
    kind,
    session_id: sessionId,
    timestamp,
    service: null,
    operation: null,
    iam_action: null,
    operation_type: null,
    decision: null,
    risk_level: null,
    resource_arn: null,
    identity_account: null,
    identity_arn: null,
    identity_type: null,
    request_parameters: null,
    compliance_standard: null,
    validation_message: null,
    outcome_success: null,
    outcome_error_code: null,
    outcome_duration_us: null,
    outcome_http_status: null,
    ref_audit_id: null,
    data: null,
  };
}

function checkOutcome(
  path: string,
  outcome: AuditOutcome,
  field: string,
): Pick<PendingRow, 'outcome_success' | 'outcome_error_code' | 'outcome_duration_us' | 'outcome_http_status'> {
  const bad = (name: string, expected: string, got: unknown): never => {
    throw new AuditStoreError(
      AuditStoreErrorCode.INVALID_INPUT,
      path,
      `${field}.${name} must be ${expected}; got ${describe(got)}; nothing was written`,
    );
  };
  if (outcome === null || typeof outcome !== 'object')
    bad('(value)', 'an object { success, errorCode?, durationMs }', outcome);
  if (typeof outcome.success !== 'boolean') bad('success', 'true or false', outcome.success);
  if (outcome.errorCode !== undefined && typeof outcome.errorCode !== 'string')
    bad('errorCode', 'a string or undefined', outcome.errorCode);
  if (typeof outcome.durationMs !== 'number' || !Number.isFinite(outcome.durationMs) || outcome.durationMs < 0)
    bad('durationMs', 'a finite number >= 0', outcome.durationMs);
  if (
    outcome.httpStatus !== undefined &&
    !(Number.isInteger(outcome.httpStatus) && outcome.httpStatus >= 100 && outcome.httpStatus <= 599)
  )
    bad('httpStatus', 'a whole number from 100 to 599 or undefined', outcome.httpStatus);
  return {
    outcome_success: outcome.success ? 1 : 0,
    outcome_error_code: outcome.errorCode ?? null,
    outcome_duration_us: Math.round(outcome.durationMs * 1000),
    outcome_http_status: outcome.httpStatus ?? null,
  };
}

/** The text fields of a row an entry lists, each under its name there, in the entry's order: those before its identity. */
const ENTRY_TEXTS_BEFORE_IDENTITY = [
  ['service', 'service'],
  ['operation', 'operation'],
  ['iam_action', 'iamAction'],
  ['operation_type', 'operationType'],
  ['decision', 'decision'],
  ['risk_level', 'riskLevel'],
  ['resource_arn', 'resourceArn'],
] as const satisfies readonly (readonly [keyof AuditRow, keyof AuditEntry])[];

/** Those after its request parameters. */
const ENTRY_TEXTS_AFTER_PARAMETERS = [
  ['compliance_standard', 'complianceStandard'],
  ['validation_message', 'validationMessage'],
] as const satisfies readonly (readonly [keyof AuditRow, keyof AuditEntry])[];

/** A row as an entry: every field the row has (null: it has not), keys in the order entries always list them. */
function toEntry(row: MergedRow | AuditRow): AuditEntry {
  const { identity, outcome } = identityAndOutcome(row as MergedRow);
  const entry: Record<string, unknown> = {
    sequence: row.seq,
    auditId: row.audit_id,
    kind: row.kind,
    sessionId: row.session_id,
    timestamp: row.timestamp,
  };
  for (const [column, key] of ENTRY_TEXTS_BEFORE_IDENTITY) if (row[column] != null) entry[key] = row[column];
  if (identity !== undefined) entry.identity = identity;
  const parameters = parseJson(row.request_parameters);
  if (parameters !== undefined) entry.requestParameters = parameters;
  for (const [column, key] of ENTRY_TEXTS_AFTER_PARAMETERS) if (row[column] != null) entry[key] = row[column];
  if (outcome !== undefined) entry.outcome = outcome;
  if (row.ref_audit_id != null) entry.refAuditId = row.ref_audit_id;
  const checkpoint = row.kind === 'checkpoint' ? parseJson(row.data) : undefined;
  if (checkpoint !== undefined) entry.checkpoint = checkpoint;
  entry.prevHash = row.prev_hash;
  entry.hash = row.hash;
  return entry as unknown as AuditEntry;
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const optionalString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}

function isoOrThrow(path: string, value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new AuditStoreError(
      AuditStoreErrorCode.INVALID_INPUT,
      path,
      `since must be an ISO 8601 date or time (e.g. 2026-01-31T00:00:00Z); got ${describe(value)}`,
    );
  }
  return date.toISOString();
}

function checkOptions(path: string, options: AuditStoreOptions): void {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new AuditStoreError(
      AuditStoreErrorCode.INVALID_INPUT,
      path,
      `audit store option ${field} must be ${expected}; got ${describe(got)}`,
    );
  };
  if (options.durability !== undefined && options.durability !== 'full' && options.durability !== 'normal')
    bad('durability', 'full or normal', options.durability);
  if (options.busyTimeoutMs !== undefined && !(Number.isInteger(options.busyTimeoutMs) && options.busyTimeoutMs >= 0))
    bad('busyTimeoutMs', 'a whole number >= 0', options.busyTimeoutMs);
  if (options.maxSizeBytes !== undefined && !(Number.isInteger(options.maxSizeBytes) && options.maxSizeBytes >= 8192))
    bad('maxSizeBytes', 'a whole number >= 8192', options.maxSizeBytes);
  if (options.maxBatchSize !== undefined && !(Number.isInteger(options.maxBatchSize) && options.maxBatchSize >= 1))
    bad('maxBatchSize', 'a whole number >= 1', options.maxBatchSize);
  if (options.writer !== undefined && options.writer !== 'thread' && options.writer !== 'inline')
    bad('writer', 'thread or inline', options.writer);
  if (options.key !== undefined && Buffer.from(options.key).length < 16)
    bad('key', 'at least 16 bytes', '(a shorter key)');
}

/** Refuses, before SQLite sees it, a file that is not an SQLite database: SQLite would otherwise report it late, or overwrite an empty-looking file. */
function checkHeader(path: string): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile())
      throw new AuditStoreError(AuditStoreErrorCode.CANNOT_OPEN, path, 'the store path is not a regular file');
    size = stat.size;
  } catch (err) {
    if (isAuditStoreError(err)) throw err;
    throw new AuditStoreError(
      AuditStoreErrorCode.CANNOT_OPEN,
      path,
      `cannot read the store file (${(err as Error).message})`,
      { cause: err },
    );
  }
  if (size === 0) return;
  const header = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, header, 0, 16, 0);
  } catch (err) {
    throw new AuditStoreError(
      AuditStoreErrorCode.CANNOT_OPEN,
      path,
      `cannot read the store file (${(err as Error).message})`,
      { cause: err },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (size < 100 || header.toString('latin1') !== SQLITE_HEADER) {
    throw new AuditStoreError(
      AuditStoreErrorCode.NOT_SQLITE,
      path,
      'the file is not an SQLite database, so it is not an audit store; it was left unchanged (move it away or choose another store path)',
    );
  }
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Copies the store (and its WAL, which may hold committed entries) to a private temp directory. */
function snapshot(path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-audit-ro-'));
  try {
    copyFileSync(path, join(dir, basename(path)));
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, join(dir, `${basename(path)}-wal`));
    return dir;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new AuditStoreError(
      AuditStoreErrorCode.CANNOT_OPEN,
      path,
      `cannot read the store on read-only media (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { cause: err },
    );
  }
}

function prepareDirectory(path: string, exists: boolean): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new AuditStoreError(
      AuditStoreErrorCode.READ_ONLY,
      path,
      `cannot create the store directory ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { cause: err },
    );
  }
  try {
    // SQLite needs to create the -wal and -shm files beside the store.
    accessSync(dir, fsConstants.W_OK);
    if (exists) accessSync(path, fsConstants.W_OK);
  } catch (err) {
    throw new AuditStoreError(
      AuditStoreErrorCode.READ_ONLY,
      path,
      `the store ${exists ? 'file or its directory' : `directory ${dir}`} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a writable store path`,
      { cause: err },
    );
  }
}

function initialise(
  db: Database.Database,
  path: string,
  readonly: boolean,
  options: AuditStoreOptions,
): { format: 1 | 2; storeId: string | undefined } {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
    (t) => t.name,
  );
  const appId = db.pragma('application_id', { simple: true }) as number;
  const ours = tables.includes('audit_entries');
  if (tables.length > 0 && (!ours || (appId !== APPLICATION_ID && appId !== 0))) {
    throw new AuditStoreError(
      AuditStoreErrorCode.FOREIGN_DATABASE,
      path,
      `the file is an SQLite database of another application (tables: ${tables.slice(0, 5).join(', ')}); it was left unchanged`,
    );
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new AuditStoreError(
      AuditStoreErrorCode.NEWER_FORMAT,
      path,
      `the store has format ${version}; this InvenTag reads format ${SCHEMA_VERSION} or older`,
    );
  }
  const format = (): 1 | 2 => ((db.pragma('user_version', { simple: true }) as number) >= 2 ? 2 : 1);
  const storeId = (): string | undefined =>
    (db.prepare("SELECT value FROM audit_meta WHERE key = 'store_id'").get() as { value: string } | undefined)?.value;
  if (readonly) {
    if (!ours) throw new AuditStoreError(AuditStoreErrorCode.NOT_FOUND, path, 'the file holds no audit trail yet');
    return { format: format(), storeId: storeId() };
  }
  // auto_vacuum can only be chosen before the first table exists; it lets cleanup give space back.
  if (tables.length === 0) db.pragma('auto_vacuum = INCREMENTAL');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal')
    throw new AuditStoreError(
      AuditStoreErrorCode.CANNOT_OPEN,
      path,
      `SQLite refused WAL mode (journal_mode is ${String(mode)})`,
    );
  // NORMAL: a commit reaches the OS but SQLite does not wait for the disk; with durability 'full' the store
  // fsyncs the write-ahead log itself (WalSync), once per commit or once per group of them.
  db.pragma('synchronous = NORMAL');
  if (!ours) {
    db.transaction(() => {
      db.exec(SCHEMA_SQL_V2);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      const now = new Date().toISOString();
      db.prepare("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('created_at', ?)").run(now);
      const algorithm = options.key === undefined ? 'sha256' : 'hmac-sha256';
      db.prepare("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('hash_algorithm', ?)").run(algorithm);
      db.prepare("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('store_id', ?)").run(randomUUID());
      if (options.key !== undefined) {
        db.prepare("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('key_check', ?)").run(
          keyCheck(Buffer.from(options.key)),
        );
      }
    }).immediate();
  } else upgradeFormat1(db);
  if (options.maxSizeBytes !== undefined) {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxSizeBytes / pageSize))}`);
  }
  return { format: format(), storeId: storeId() };
}

/**
 * A format-1 store opened for writing keeps its rows and hash recipe, but
 * gets a store id and the delete trigger tied to chained checkpoints instead
 * of the `cleanup_in_progress` flag anyone could set.
 */
function upgradeFormat1(db: Database.Database): void {
  const trigger = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_entries_no_delete'")
    .get() as { sql: string } | undefined;
  const hasId = db.prepare("SELECT 1 FROM audit_meta WHERE key = 'store_id'").get() !== undefined;
  const flagTrigger = trigger?.sql.includes(FLAG_TRIGGER_MARK) === true;
  if (hasId && !flagTrigger) return;
  db.transaction(() => {
    if (!hasId) db.prepare("INSERT OR IGNORE INTO audit_meta (key, value) VALUES ('store_id', ?)").run(randomUUID());
    if (flagTrigger) {
      db.exec('DROP TRIGGER audit_entries_no_delete');
      db.exec(deleteTrigger((db.pragma('user_version', { simple: true }) as number) >= 2 ? 'body' : 'data'));
    }
  }).immediate();
}

const keyCheck = (key: Buffer): string => createHmac('sha256', key).update(KEY_CHECK_LABEL).digest('hex');

function checkKey(db: Database.Database, path: string, key: Buffer | undefined, readonly: boolean): void {
  const meta = new Map(
    (db.prepare('SELECT key, value FROM audit_meta').all() as { key: string; value: string }[]).map((r) => [
      r.key,
      r.value,
    ]),
  );
  const keyed = meta.get('hash_algorithm') === 'hmac-sha256';
  if (keyed && key === undefined) {
    throw new AuditStoreError(
      AuditStoreErrorCode.KEY_MISMATCH,
      path,
      `the store is keyed (HMAC-SHA-256); give its key to ${readonly ? 'verify or read' : 'write'} it`,
    );
  }
  if (!keyed && key !== undefined) {
    throw new AuditStoreError(
      AuditStoreErrorCode.KEY_MISMATCH,
      path,
      'a key was given but the store was created without one (plain SHA-256 chain)',
    );
  }
  if (keyed && key !== undefined && meta.get('key_check') !== keyCheck(key)) {
    throw new AuditStoreError(
      AuditStoreErrorCode.KEY_MISMATCH,
      path,
      'the key given is not the key this store was created with',
    );
  }
}

/**
 * Ends a read transaction. On a damaged file the COMMIT can fail too (or SQLite already ended the transaction):
 * after an error of the read itself that error is the one reported, never the COMMIT's; after a clean read a
 * failing COMMIT is reported as the store's error.
 */
function endReadTransaction(db: Database.Database, failed: boolean, path: string): void {
  if (!db.inTransaction) return;
  try {
    db.exec('COMMIT');
  } catch (err) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // Nothing more to end.
    }
    if (!failed) throw fromSqliteError(err, path, 'verifying the audit trail');
  }
}
