/**
 * The last chain head recorded outside the store. Every transaction the
 * store commits (one line, naming each entry with its sequence and hash; the
 * line's own `sequence` and `hash` are the head it left), every session start
 * and every session end is logged to the security audit log with the store's
 * id (session lines also with its path);
 * `audit verify` and `status` compare the store's head with the newest of
 * these, so a store whose newest rows were deleted (or whose write-ahead log
 * was damaged or deleted, or which was deleted outright) is caught even
 * though what remains of its chain is intact.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAnchor, type ChainHead } from './chain.js';

/** The security audit log's file name (see logging/LogFiles). */
const SECURITY_LOG = 'inventag_security_audit.log';
/** How much of each log file's end is read: the newest lines are what matters. */
const TAIL_BYTES = 8 * 1024 * 1024;

export interface KnownHead {
  readonly head: ChainHead;
  /** Where it was found: the log file. */
  readonly source: string;
  /** The log line's time, when it has one. */
  readonly at?: string;
}

/** Where the chain head stands against a head recorded outside the store (a log line, a report). */
export interface HeadCheck {
  /**
   * `same`: the store's head is the known one; `ahead`: it continues it;
   * `behind`: entries the known head covers are missing (the head went
   * backwards); `forked`: the entry at the known sequence has another hash;
   * `pruned`: a retention cleanup removed the known entry.
   */
  readonly status: 'same' | 'ahead' | 'behind' | 'forked' | 'pruned';
  readonly known: ChainHead;
  readonly head: ChainHead | undefined;
  readonly message: string;
}

/** Whether a head check means entries the outside record covers are gone or replaced (TAMPERED, exit 4). */
export const headWentBackwards = (check: HeadCheck | undefined): boolean =>
  check?.status === 'behind' || check?.status === 'forked';

/**
 * Compares a store's head with a known head. `hashAt` gives the hash of the
 * store's entry at a sequence (undefined when there is none).
 */
export function compareHeads(
  known: ChainHead,
  head: ChainHead | undefined,
  hashAt: (sequence: number) => string | undefined,
): HeadCheck {
  const describeKnown = `${known.sequence}:${known.hash.slice(0, 12)}…`;
  if (head === undefined || head.sequence < known.sequence) {
    const missing = known.sequence - (head?.sequence ?? 0);
    return {
      status: 'behind',
      known,
      head,
      message: `the chain head went backwards: ${describeKnown} was recorded outside the store, but the store ends at ${head?.sequence ?? 0}; the newest ${missing} entries are missing (deleted, or a damaged or deleted write-ahead log)`,
    };
  }
  const hash = hashAt(known.sequence);
  if (hash === undefined)
    return { status: 'pruned', known, head, message: `entry ${known.sequence} was removed by a retention cleanup` };
  if (hash !== known.hash) {
    return {
      status: 'forked',
      known,
      head,
      message: `the chain head went backwards: entry ${known.sequence} has another hash than the ${describeKnown} recorded outside the store, so entries up to it were replaced`,
    };
  }
  return head.sequence === known.sequence
    ? { status: 'same', known, head, message: 'the chain head is the one recorded outside the store' }
    : {
        status: 'ahead',
        known,
        head,
        message: `the chain continues the head recorded outside the store (${head.sequence - known.sequence} entries since)`,
      };
}

/** What a store (or a store path that holds no trail) is compared by. */
export interface StoreIdentity {
  /** The store's id (`audit_meta.store_id`); absent when the file holds no trail, or for old format-1 stores. */
  readonly storeId?: string | undefined;
  /** The store's path: lines of sessions that wrote to it name it. */
  readonly path?: string | undefined;
}

/**
 * The newest head of the store `storeId` in the security audit log of
 * `logDirectory` (the live file and its rotated copies). Without a store id
 * (a store file whose trail is gone, or that was deleted) the ids of the
 * stores that sessions wrote at `path` are used. Undefined when none is
 * recorded.
 */
export function lastLoggedHead(logDirectory: string, store: StoreIdentity): KnownHead | undefined {
  const base = join(logDirectory, SECURITY_LOG);
  const files = [base, ...Array.from({ length: 9 }, (_, i) => `${base}.${i + 1}`)].filter((f) => existsSync(f));
  const path = store.path === undefined ? undefined : resolve(store.path);
  const records = files.map((file) => ({ file, records: parsedLines(file) }));
  const ids = new Set<string>();
  if (store.storeId !== undefined) ids.add(store.storeId);
  else if (path !== undefined)
    for (const { records: rs } of records)
      for (const r of rs) if (r.path === path && typeof r.store === 'string') ids.add(r.store);
  let best: KnownHead | undefined;
  for (const { file, records: rs } of records) {
    for (const record of rs) {
      const ours =
        typeof record.store === 'string'
          ? ids.has(record.store)
          : store.storeId === undefined && path !== undefined && record.path === path;
      if (!ours) continue;
      const found = headOf(record);
      if (found !== undefined && (best === undefined || found.head.sequence > best.head.sequence))
        best = { ...found, source: file };
    }
    // Rotated files hold older lines: once the live file named a head, they cannot name a newer one.
    if (best !== undefined) break;
  }
  return best;
}

function headOf(record: Record<string, unknown>): { head: ChainHead; at?: string } | undefined {
  const at =
    typeof record.time === 'string'
      ? record.time
      : typeof record.time === 'number'
        ? new Date(record.time).toISOString()
        : undefined;
  const withTime = (head: ChainHead) => (at === undefined ? { head } : { head, at });
  if (typeof record.anchor === 'string') {
    const head = parseAnchor(record.anchor);
    return head === undefined ? undefined : withTime(head);
  }
  if (typeof record.sequence === 'number' && typeof record.hash === 'string') {
    const head = parseAnchor(`${record.sequence}:${record.hash}`);
    return head === undefined ? undefined : withTime(head);
  }
  return undefined;
}

/** The JSON lines at the end of a log file that concern an audit store. */
function parsedLines(file: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of tailLines(file)) {
    if (!line.includes('"event":"audit_')) continue;
    try {
      const record = JSON.parse(line) as unknown;
      if (record !== null && typeof record === 'object') out.push(record as Record<string, unknown>);
    } catch {
      // A cut first line, or not JSON: skipped.
    }
  }
  return out;
}

function tailLines(file: string): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n');
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A store as the comparison needs it (the AuditStore has these). */
export interface HeadSource extends StoreIdentity {
  compareHead(known: ChainHead): HeadCheck;
}

/**
 * Compares a store (or, with `store` undefined, a store path whose file is
 * gone or holds no trail) with the newest head the security audit log of
 * `logDirectory` recorded for it. Undefined when the log records none.
 */
export function checkAgainstLog(
  logDirectory: string | undefined,
  store: HeadSource | undefined,
  path: string,
): { known: KnownHead; check: HeadCheck } | undefined {
  if (logDirectory === undefined) return undefined;
  const known = lastLoggedHead(logDirectory, store === undefined ? { path } : { storeId: store.storeId, path });
  if (known === undefined) return undefined;
  const check =
    store === undefined ? compareHeads(known.head, undefined, () => undefined) : store.compareHead(known.head);
  return { known, check };
}
