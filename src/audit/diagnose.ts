/**
 * Names what happened to the first row whose hash or link failed. The walk
 * only knows that something is wrong; these checks tell an auditor whether a
 * field was edited, rows were swapped, a row was slipped in, or rows were
 * removed and the rest renumbered.
 */
import type Database from 'better-sqlite3';
import type { BadRow } from './AuditStore.js';
import type { TamperFinding } from './types.js';

/** `rehash(row, seq)`: the hash the row would carry at sequence `seq` (per the store's format and key). */
export function diagnoseBadRow(
  db: Database.Database,
  bad: BadRow,
  rehash: (row: BadRow['row'], seq: number) => string,
): TamperFinding {
  const { row, beforePrev, prev } = bad;
  const validAt = (seq: number): boolean => rehash(row, seq) === row.hash;
  const at = (
    r: { seq: number; audit_id: string },
    reason: TamperFinding['reason'],
    message: string,
  ): TamperFinding => ({
    sequence: r.seq,
    auditId: r.audit_id,
    reason,
    message,
  });
  // The predecessor this row was written after, if it is still in the table somewhere.
  const linkedSeq = (): number | undefined =>
    (
      db.prepare('SELECT seq FROM audit_entries WHERE hash = ? LIMIT 1').get(row.prev_hash) as
        { seq: number } | undefined
    )?.seq;

  if (rehash(row, row.seq) !== row.hash) {
    const wasOneEarlier = validAt(row.seq - 1);
    if (prev !== undefined && wasOneEarlier && row.prev_hash === beforePrev) {
      return at(
        prev,
        'inserted',
        `entry ${prev.seq} (${prev.audit_id}) was inserted: the entry after it was written as ${row.seq - 1} and links to ${prev.seq - 1}`,
      );
    }
    if (wasOneEarlier || validAt(row.seq + 1)) {
      const linked = linkedSeq();
      if (linked !== undefined) {
        return at(
          row,
          'reordered',
          `entry ${row.audit_id} was written at another position but now sits at ${row.seq} (its predecessor is now at ${linked})`,
        );
      }
      return at(
        row,
        'deleted',
        `entries before ${row.audit_id} were removed and the rest renumbered: it was written at another position than ${row.seq}`,
      );
    }
    return at(row, 'edited', `entry ${row.seq} (${row.audit_id}) was edited: its content no longer matches its hash`);
  }
  if (prev !== undefined && row.prev_hash === beforePrev) {
    return at(
      prev,
      'inserted',
      `entry ${prev.seq} (${prev.audit_id}) was inserted: entry ${row.seq} links directly to ${prev.seq - 1}`,
    );
  }
  if (prev === undefined) {
    return at(
      row,
      'chain-broken',
      `the first entry ${row.seq} (${row.audit_id}) does not link to the chain start or to a retention checkpoint`,
    );
  }
  const linked = linkedSeq();
  if (linked !== undefined) {
    return at(
      row,
      'reordered',
      `entry ${row.seq} (${row.audit_id}) follows ${prev.seq} but was written after the entry now at ${linked}`,
    );
  }
  // The row is intact but its predecessor is not the one it was written after:
  // the predecessor was rewritten and its hash re-computed.
  return at(
    prev,
    'edited',
    `entry ${prev.seq} (${prev.audit_id}) was rewritten and re-hashed: entry ${row.seq} still links to its original hash`,
  );
}
