/**
 * The hash chain: which columns an entry's hash covers, how they are
 * serialized, and the anchor format. Kept apart from the store so an auditor
 * (or a test) can re-compute a hash from a row read with any SQLite tool.
 */
import { createHash, createHmac } from 'node:crypto';

/** The `prevHash` of the first entry ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/** Tag of the serialization; part of every hashed payload so a format change can never collide. */
export const CHAIN_FORMAT = 'inventag-audit/1';

/** One row of the `audit_entries` table, exactly as stored. */
export interface AuditRow {
  seq: number;
  audit_id: string;
  kind: string;
  session_id: string;
  timestamp: string;
  service: string | null;
  operation: string | null;
  iam_action: string | null;
  operation_type: string | null;
  decision: string | null;
  risk_level: string | null;
  resource_arn: string | null;
  identity_account: string | null;
  identity_arn: string | null;
  identity_type: string | null;
  request_parameters: string | null;
  compliance_standard: string | null;
  validation_message: string | null;
  outcome_success: number | null;
  outcome_error_code: string | null;
  outcome_duration_us: number | null;
  /** Format 2 only (in `body`; not a format-1 column, so not hashed there): the outcome's HTTP status. */
  outcome_http_status?: number | null;
  ref_audit_id: string | null;
  data: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * Every column but `hash`, in hashing order. Values are strings, integers or
 * null only (durations are whole microseconds, booleans 0/1), so any language
 * serializes them to the same bytes.
 */
export const HASHED_COLUMNS = [
  'seq',
  'audit_id',
  'kind',
  'session_id',
  'timestamp',
  'service',
  'operation',
  'iam_action',
  'operation_type',
  'decision',
  'risk_level',
  'resource_arn',
  'identity_account',
  'identity_arn',
  'identity_type',
  'request_parameters',
  'compliance_standard',
  'validation_message',
  'outcome_success',
  'outcome_error_code',
  'outcome_duration_us',
  'ref_audit_id',
  'data',
  'prev_hash',
] as const satisfies readonly (keyof AuditRow)[];

export type HashedRow = Pick<AuditRow, (typeof HASHED_COLUMNS)[number]>;

/** The hashed column values of a row, in {@link HASHED_COLUMNS} order (the store also binds them in this order). */
export function hashedValues(row: HashedRow): (string | number | null)[] {
  return HASHED_COLUMNS.map((column) => row[column] ?? null);
}

/** The exact bytes an entry's hash covers: a JSON array of the format tag and the hashed columns. */
export function hashPayload(row: HashedRow): string {
  return payloadOf(hashedValues(row));
}

const payloadOf = (values: readonly (string | number | null)[]): string =>
  `["${CHAIN_FORMAT}",${JSON.stringify(values).slice(1)}`;

/** SHA-256 (or HMAC-SHA-256 when the store is keyed) of the payload of values from {@link hashedValues}, hex. */
export function hashOfValues(values: readonly (string | number | null)[], key?: Buffer): string {
  const payload = payloadOf(values);
  return key === undefined
    ? createHash('sha256').update(payload).digest('hex')
    : createHmac('sha256', key).update(payload).digest('hex');
}

/** SHA-256 (or HMAC-SHA-256 when the store is keyed) of {@link hashPayload}, hex. */
export function entryHash(row: HashedRow, key?: Buffer): string {
  return hashOfValues(hashedValues(row), key);
}

/**
 * JSON with object keys sorted at every level, so equal values always give
 * equal text (and equal hashes) whatever order the caller built them in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** A point of the chain published outside the store (in a report or a log line). */
export interface ChainHead {
  readonly sequence: number;
  readonly hash: string;
}

const ANCHOR = /^(\d{1,15}):([0-9a-f]{64})$/i;

/** Parses `SEQ:HASH` (as printed by reports, logs and `inventag audit verify`). Returns undefined when malformed. */
export function parseAnchor(text: string): ChainHead | undefined {
  const m = ANCHOR.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return { sequence: Number(m[1]), hash: m[2].toLowerCase() };
}

/** Formats a chain head as `SEQ:HASH`. */
export const formatAnchor = (head: ChainHead): string => `${head.sequence}:${head.hash}`;
