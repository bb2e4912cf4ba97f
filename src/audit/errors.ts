/**
 * Errors of the audit store. Every one names the store file and says whether
 * anything was written, because an operator's first question after a failed
 * append is "did we lose or change any entry?" (the answer is always no).
 */

export const AuditStoreErrorCode = {
  /** The file at the store path is not an SQLite database. */
  NOT_SQLITE: 'NOT_SQLITE',
  /** SQLite reports the database file as damaged. */
  CORRUPT: 'CORRUPT',
  /** The file is an SQLite database of another application. */
  FOREIGN_DATABASE: 'FOREIGN_DATABASE',
  /** The store was written by a newer InvenTag with a format this one does not know. */
  NEWER_FORMAT: 'NEWER_FORMAT',
  /** No store exists at the path and the caller asked not to create one. */
  NOT_FOUND: 'NOT_FOUND',
  /** The directory or file cannot be written (permissions, read-only filesystem). */
  READ_ONLY: 'READ_ONLY',
  /** The file cannot be opened for another reason. */
  CANNOT_OPEN: 'CANNOT_OPEN',
  /** The disk, or the store's configured size limit, is full. */
  STORE_FULL: 'STORE_FULL',
  /** An I/O error while writing. */
  WRITE_FAILED: 'WRITE_FAILED',
  /** Another process held the write lock for longer than the busy timeout. */
  BUSY: 'BUSY',
  /** An outcome names an audit id that is not an attempt in this store. */
  UNKNOWN_AUDIT_ID: 'UNKNOWN_AUDIT_ID',
  /** An outcome was already recorded for this attempt. */
  DUPLICATE_OUTCOME: 'DUPLICATE_OUTCOME',
  /** An entry or option is missing a field or has a value outside the allowed set. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The store was closed. */
  CLOSED: 'CLOSED',
  /** The store is keyed (HMAC) and no key, or another key, was given. */
  KEY_MISMATCH: 'KEY_MISMATCH',
} as const;
export type AuditStoreErrorCode = (typeof AuditStoreErrorCode)[keyof typeof AuditStoreErrorCode];

/** The one error class of the audit feature; check with {@link isAuditStoreError}, which works across module copies. */
export class AuditStoreError extends Error {
  readonly isAuditStoreError = true;
  readonly code: AuditStoreErrorCode;
  /** The store file the error is about. */
  readonly path: string;
  constructor(code: AuditStoreErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.name = 'AuditStoreError';
    this.code = code;
    this.path = path;
  }
}

export const isAuditStoreError = (value: unknown): value is AuditStoreError =>
  typeof value === 'object' && value !== null && (value as { isAuditStoreError?: unknown }).isAuditStoreError === true;

const NOTHING_CHANGED = 'no entry was written and entries already stored are unchanged';

/** Turns a better-sqlite3 error into an AuditStoreError with a message an operator can act on. */
export function fromSqliteError(err: unknown, path: string, doing: string): AuditStoreError {
  if (isAuditStoreError(err)) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  const detail = err instanceof Error ? err.message : String(err);
  const say = (c: AuditStoreErrorCode, text: string) =>
    new AuditStoreError(c, path, `${doing} failed: ${text} (${detail}); ${NOTHING_CHANGED}`, { cause: err });
  if (code === 'SQLITE_FULL') return say(AuditStoreErrorCode.STORE_FULL, 'the disk or the store size limit is full');
  if (code.startsWith('SQLITE_READONLY'))
    return say(AuditStoreErrorCode.READ_ONLY, 'the store or its directory is read-only');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return say(AuditStoreErrorCode.BUSY, 'another process held the store lock past the busy timeout');
  if (code === 'SQLITE_NOTADB') return say(AuditStoreErrorCode.NOT_SQLITE, 'the file is not an SQLite database');
  if (code.startsWith('SQLITE_CORRUPT')) return say(AuditStoreErrorCode.CORRUPT, 'the database file is damaged');
  if (code.startsWith('SQLITE_CANTOPEN')) return say(AuditStoreErrorCode.CANNOT_OPEN, 'the file cannot be opened');
  if (code.startsWith('SQLITE_IOERR')) return say(AuditStoreErrorCode.WRITE_FAILED, 'an I/O error occurred');
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return say(AuditStoreErrorCode.WRITE_FAILED, 'a uniqueness rule of the chain was violated');
  }
  return new AuditStoreError(AuditStoreErrorCode.WRITE_FAILED, path, `${doing} failed: ${detail}`, { cause: err });
}
