/**
 * The store's SQLite schema. Triggers make the table append-only for every
 * client, the sqlite3 shell included: UPDATE is always refused and DELETE only
 * inside a cleanup transaction. They stop mistakes, not an attacker who can
 * drop them; the hash chain is what detects that.
 */

/** `PRAGMA application_id` of an InvenTag audit store ("IVTA"), so another application's database is never written into. */
export const APPLICATION_ID = 0x49565441;

/**
 * `PRAGMA user_version` of the store format new stores get. Format 1 (a
 * 25-column row hashed as a JSON array) is still read, verified and appended
 * to; format 2 keeps one JSON body per row (see format2.ts).
 */
export const SCHEMA_VERSION = 2;

export const TABLE = 'audit_entries';

/**
 * Deletes are allowed only of entries a chained checkpoint already covers:
 * the newest entry must be a checkpoint whose `prunedThroughSequence` is at
 * least the deleted entry's sequence. Cleanup therefore appends its checkpoint
 * first and deletes after it, in one transaction; the newest entries can never
 * be deleted this way (the checkpoint is newer than all of them), and no flag
 * outside the chain opens the table. Format 1 keeps checkpoint data in the
 * `data` column, format 2 in `body`.
 */
export function deleteTrigger(column: 'data' | 'body'): string {
  const path = column === 'data' ? '$.prunedThroughSequence' : '$.data.prunedThroughSequence';
  return `CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN NOT EXISTS (
  SELECT 1 FROM audit_entries c
  WHERE c.seq = (SELECT MAX(seq) FROM audit_entries) AND c.kind = 'checkpoint'
    AND OLD.seq <= json_extract(c.${column}, '${path}')
)
BEGIN
  SELECT RAISE(ABORT, 'audit entries are removed only by a retention cleanup, after its chained checkpoint');
END;`;
}

/** Format 2: the narrow row. */
export const SCHEMA_SQL_V2 = `
CREATE TABLE IF NOT EXISTS audit_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_entries (
  -- One entry per sequence number: two writers that read the same head cannot both commit, so the chain cannot fork.
  seq INTEGER PRIMARY KEY,
  audit_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('attempt', 'outcome', 'checkpoint')),
  timestamp TEXT NOT NULL,
  ref_audit_id TEXT,
  body TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

-- At most one outcome per attempt, and a fast join from attempt to outcome.
CREATE UNIQUE INDEX IF NOT EXISTS audit_entries_outcome_ref ON audit_entries (ref_audit_id) WHERE kind = 'outcome';

CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END;

${deleteTrigger('body')}
`;

/** The delete trigger of format 1 before it was tied to checkpoints: it honoured a flag anyone could set. */
export const FLAG_TRIGGER_MARK = 'cleanup_in_progress';

export const TRIGGER_NAMES = ['audit_entries_no_update', 'audit_entries_no_delete'] as const;

export const GUARD_INDEX_NAMES = ['audit_entries_outcome_ref'] as const;
