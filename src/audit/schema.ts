/**
 * The store's SQLite schema. Triggers make the table append-only for every
 * client, the sqlite3 shell included: UPDATE is always refused and DELETE only
 * inside a cleanup transaction. They stop mistakes, not an attacker who can
 * drop them; the hash chain is what detects that.
 */

/** `PRAGMA application_id` of an InvenTag audit store ("IVTA"), so another application's database is never written into. */
export const APPLICATION_ID = 0x49565441;

/** `PRAGMA user_version` of the current store format. */
export const SCHEMA_VERSION = 1;

export const TABLE = 'audit_entries';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS audit_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audit_entries (
  -- One entry per sequence number: two writers that read the same head cannot both commit, so the chain cannot fork.
  seq INTEGER PRIMARY KEY,
  audit_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('attempt', 'outcome', 'checkpoint')),
  session_id TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  service TEXT,
  operation TEXT,
  iam_action TEXT,
  operation_type TEXT,
  decision TEXT,
  risk_level TEXT,
  resource_arn TEXT,
  identity_account TEXT,
  identity_arn TEXT,
  identity_type TEXT,
  request_parameters TEXT,
  compliance_standard TEXT,
  validation_message TEXT,
  outcome_success INTEGER,
  outcome_error_code TEXT,
  outcome_duration_us INTEGER,
  ref_audit_id TEXT,
  data TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

-- At most one outcome per attempt, and a fast join from attempt to outcome.
CREATE UNIQUE INDEX IF NOT EXISTS audit_entries_outcome_ref ON audit_entries (ref_audit_id) WHERE kind = 'outcome';
CREATE INDEX IF NOT EXISTS audit_entries_timestamp ON audit_entries (timestamp);

CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
  SELECT RAISE(ABORT, 'audit entries are append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN (SELECT value FROM audit_meta WHERE key = 'cleanup_in_progress') IS NOT '1'
BEGIN
  SELECT RAISE(ABORT, 'audit entries are removed only by a retention cleanup');
END;
`;

export const TRIGGER_NAMES = ['audit_entries_no_update', 'audit_entries_no_delete'] as const;

export const GUARD_INDEX_NAMES = ['audit_entries_outcome_ref'] as const;
