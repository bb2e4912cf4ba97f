export { AuditStore } from './AuditStore.js';
export {
  AUDIT_KEY_ENV,
  DEFAULT_AUDIT_LOG_RETENTION_DAYS,
  DEFAULT_AUDIT_STORE_PATH,
  DEFAULT_MAX_AUDIT_ENTRIES,
} from './defaults.js';
export { uuidv7 } from './uuidv7.js';
export type { AuditStoreLoggers, AuditStoreOptions, StagedAttempt } from './AuditStore.js';
export { CHAIN_FORMAT_2, payload2 } from './format2.js';
export { checkAgainstLog, compareHeads, headWentBackwards, lastLoggedHead } from './knownHead.js';
export type { HeadCheck, HeadSource, KnownHead, StoreIdentity } from './knownHead.js';
export { AuditStoreError, AuditStoreErrorCode, isAuditStoreError } from './errors.js';
export {
  CHAIN_FORMAT,
  GENESIS_HASH,
  HASHED_COLUMNS,
  canonicalJson,
  entryHash,
  formatAnchor,
  hashOfValues,
  hashPayload,
  hashedValues,
  parseAnchor,
} from './chain.js';
export type { AuditRow, ChainHead } from './chain.js';
export { DEFAULT_REDACTED_KEYS, NON_SECRET_KEYS, REDACTED, createRedactor, redact, redactText } from './redact.js';
export type { Redactor, RedactorOptions } from './redact.js';
export { CSV_COLUMNS } from './exportFormat.js';
export type {
  AuditAttemptSummary,
  AuditEntry,
  AuditEntryInput,
  AuditEntryKind,
  AuditReceipt,
  CheckpointData,
  CleanupOptions,
  CleanupResult,
  ExportFormat,
  ExportOptions,
  TamperFinding,
  TamperReason,
  VerifyOptions,
  VerifyResult,
} from './types.js';
