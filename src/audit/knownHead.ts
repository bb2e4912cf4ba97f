/**
 * The last chain head recorded outside the store. Every entry the store
 * appends, and every session end, is logged to the security audit log with
 * the store's id, its sequence and hash; `audit verify` and `status` compare
 * the store's head with the newest of these, so a store whose newest rows
 * were deleted (or whose write-ahead log was damaged or deleted) is caught
 * even though what remains of its chain is intact.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * The newest head of the store `storeId` (or, for lines written before store
 * ids, of the store at `path`) in the security audit log of `logDirectory`
 * (the live file and its rotated copies). Undefined when none is recorded.
 */
export function lastLoggedHead(
  logDirectory: string,
  store: { storeId?: string | undefined; path?: string },
): KnownHead | undefined {
  let best: KnownHead | undefined;
  const base = join(logDirectory, SECURITY_LOG);
  const files = [base, ...Array.from({ length: 9 }, (_, i) => `${base}.${i + 1}`)].filter((f) => existsSync(f));
  for (const file of files) {
    for (const line of tailLines(file)) {
      if (store.storeId !== undefined ? !line.includes(store.storeId) : !line.includes('audit_session_end')) continue;
      const found = headOf(line, store);
      if (found !== undefined && (best === undefined || found.head.sequence > best.head.sequence))
        best = { ...found, source: file };
    }
    // Rotated files hold older lines: once the live file named a head, they cannot name a newer one.
    if (best !== undefined) break;
  }
  return best;
}

function headOf(
  line: string,
  store: { storeId?: string | undefined; path?: string },
): { head: ChainHead; at?: string } | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (store.storeId !== undefined ? record.store !== store.storeId : record.path !== store.path) return undefined;
  const at = typeof record.time === 'number' ? new Date(record.time).toISOString() : undefined;
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

function tailLines(file: string): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    // A cut first line is not JSON; it fails to parse and is skipped.
    return lines;
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
