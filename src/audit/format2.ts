/**
 * Store format 2: a narrow row. The columns SQLite indexes or filters on
 * (sequence, audit id, kind, time, the attempt an outcome completes) stay
 * columns; everything else is one JSON object in `body`. The hash covers the
 * exact stored text, so verifying a row never rebuilds JSON:
 *
 *   payload = "inventag-audit/2" LF seq LF audit_id LF kind LF timestamp LF
 *             ref_audit_id (empty when NULL) LF prev_hash LF body
 *   hash    = hex(SHA-256(payload))          (HMAC-SHA-256 with the store key when keyed)
 *
 * No field but `body` may hold a line feed (verify treats one as an edit), so
 * the payload names every field unambiguously. With the sqlite3 shell:
 *
 *   sqlite3 audit.db "SELECT writefile('row.bin', 'inventag-audit/2'||char(10)||seq||char(10)||audit_id||char(10)||
 *     kind||char(10)||timestamp||char(10)||coalesce(ref_audit_id,'')||char(10)||prev_hash||char(10)||body)
 *     FROM audit_entries WHERE seq = 42"
 *   sha256sum row.bin      # equals: sqlite3 audit.db "SELECT hash FROM audit_entries WHERE seq = 42"
 *
 * (keyed stores: `openssl dgst -sha256 -hmac "$INVENTAG_AUDIT_KEY" row.bin`).
 */
import { createHash, createHmac } from 'node:crypto';
import * as crypto from 'node:crypto';
import type { AuditRow } from './chain.js';
import { BODY_FIELDS, parseBody, readField } from './rowFields.js';
import { jsonString } from './jsonText.js';

export const CHAIN_FORMAT_2 = 'inventag-audit/2';

/** One row of a format-2 `audit_entries` table, exactly as stored. */
export interface StoredRow2 {
  seq: number;
  audit_id: string;
  kind: string;
  timestamp: string;
  ref_audit_id: string | null;
  body: string;
  prev_hash: string;
  hash: string;
}

/** The format-2 columns in table (and insert) order. */
export const COLUMNS_2 = ['seq', 'audit_id', 'kind', 'timestamp', 'ref_audit_id', 'body', 'prev_hash', 'hash'] as const;

/** The row fields format 2 takes apart into columns and body (format 1 stores them as they are). */
export type RowFields = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

/** `out` with `"name":value` added (a string as JSON text, anything else as JSON.stringify writes it); nulls are left out. */
const add = (out: string, head: string, value: string | number | null | undefined): string =>
  value === null || value === undefined
    ? out
    : `${out}${out.length === 0 ? '{' : ','}${head}${typeof value === 'string' ? jsonString(value) : JSON.stringify(value)}`;

/** `out` with `"name":text` added, `text` already JSON; a null is left out. */
const addJson = (out: string, head: string, text: string | null | undefined): string =>
  text === null || text === undefined ? out : `${out}${out.length === 0 ? '{' : ','}${head}${text}`;

/**
 * The body text of a row: the {@link BODY_FIELDS} in that order.
 * `request_parameters` and `data` hold JSON text (already canonical: sorted
 * keys) and are embedded as JSON values, not re-encoded strings. Null fields
 * are left out. Written out field by field (not a loop over the names): this
 * runs once per entry written.
 */
export function bodyOf(row: RowFields): string {
  let out = '';
  out = add(out, '"session_id":', row.session_id);
  out = add(out, '"service":', row.service);
  out = add(out, '"operation":', row.operation);
  out = add(out, '"iam_action":', row.iam_action);
  out = add(out, '"operation_type":', row.operation_type);
  out = add(out, '"decision":', row.decision);
  out = add(out, '"risk_level":', row.risk_level);
  out = add(out, '"resource_arn":', row.resource_arn);
  out = add(out, '"identity_account":', row.identity_account);
  out = add(out, '"identity_arn":', row.identity_arn);
  out = add(out, '"identity_type":', row.identity_type);
  out = addJson(out, '"request_parameters":', row.request_parameters);
  out = add(out, '"compliance_standard":', row.compliance_standard);
  out = add(out, '"validation_message":', row.validation_message);
  out = add(out, '"outcome_success":', row.outcome_success);
  out = add(out, '"outcome_error_code":', row.outcome_error_code);
  out = add(out, '"outcome_duration_us":', row.outcome_duration_us);
  out = addJson(out, '"data":', row.data);
  out = add(out, '"outcome_http_status":', row.outcome_http_status);
  const text = out.length === 0 ? '{}' : `${out}}`;
  // The text is a chain of concatenations that is hashed and then handed to SQLite. Reading a character makes
  // V8 join the chain into one string now, once, instead of once for the hash and again for SQLite.
  if (text.charCodeAt(0) !== 123) throw new Error('a row body must be a JSON object');
  return text;
}

/** The stored row's fields in format 1's shape (for readers that share one conversion to entries). */
export function expandRow(row: StoredRow2): AuditRow {
  const body = parseBody(row.body);
  const out: Record<string, unknown> = {
    seq: row.seq,
    audit_id: row.audit_id,
    kind: row.kind,
    timestamp: row.timestamp,
    ref_audit_id: row.ref_audit_id,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
  for (const field of BODY_FIELDS) out[field] = readField(body, field);
  return out as unknown as AuditRow;
}

/** The exact bytes a format-2 hash covers. */
export function payload2(
  seq: number,
  auditId: string,
  kind: string,
  timestamp: string,
  ref: string | null,
  prevHash: string,
  body: string,
): string {
  return `${CHAIN_FORMAT_2}\n${seq}\n${auditId}\n${kind}\n${timestamp}\n${ref ?? ''}\n${prevHash}\n${body}`;
}

// One-shot hashing (Node 20.12+) skips creating a Hash object per row.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** SHA-256 (HMAC-SHA-256 when keyed) of a payload, hex. */
export function hashText(payload: string, key: Buffer | undefined): string {
  if (key !== undefined) return createHmac('sha256', key).update(payload).digest('hex');
  return oneShot !== undefined ? oneShot('sha256', payload, 'hex') : createHash('sha256').update(payload).digest('hex');
}

/** The hash a stored format-2 row should carry (at `seq`, which defaults to its own). */
export function rowHash2(row: StoredRow2, key: Buffer | undefined, seq = row.seq): string {
  return hashText(payload2(seq, row.audit_id, row.kind, row.timestamp, row.ref_audit_id, row.prev_hash, row.body), key);
}
