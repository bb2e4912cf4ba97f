/**
 * The one place that knows what a format-2 row's `body` holds: each field's
 * name (format 1's column of the same name), the order `bodyOf` writes them
 * in, its type, and which of them an attempt summary takes and under what
 * name. Every reader of a body (the expanded row, the attempt row, the
 * attempt columns the verify walk gathers) reads its fields through
 * {@link readField}, so a value of the wrong type reads the same everywhere:
 * as absent.
 */
import { type AuditRow, HASHED_COLUMNS } from './chain.js';

/** The row fields format 2 keeps as columns; every other hashed field of format 1 goes into `body`. */
type ColumnField = 'seq' | 'audit_id' | 'kind' | 'timestamp' | 'ref_audit_id' | 'prev_hash';
const COLUMN_FIELDS = new Set<string>(['seq', 'audit_id', 'kind', 'timestamp', 'ref_audit_id', 'prev_hash']);

/** A field kept in a format-2 body. */
export type BodyField = Exclude<(typeof HASHED_COLUMNS)[number], ColumnField> | 'outcome_http_status';

/** The fields kept in `body`, in the order they are written: format 1's hashed fields that are not columns. */
export const BODY_FIELDS: readonly BodyField[] = [
  ...(HASHED_COLUMNS.filter((c) => !COLUMN_FIELDS.has(c)) as Exclude<(typeof HASHED_COLUMNS)[number], ColumnField>[]),
  'outcome_http_status',
];

/**
 * How each body field is stored: `text` a JSON string, `number` a JSON number, `json` any JSON value embedded
 * as it is (canonical JSON text in format 1's column, read back as JSON text).
 */
export const FIELD_TYPES = {
  session_id: 'text',
  service: 'text',
  operation: 'text',
  iam_action: 'text',
  operation_type: 'text',
  decision: 'text',
  risk_level: 'text',
  resource_arn: 'text',
  identity_account: 'text',
  identity_arn: 'text',
  identity_type: 'text',
  request_parameters: 'json',
  compliance_standard: 'text',
  validation_message: 'text',
  outcome_success: 'number',
  outcome_error_code: 'text',
  outcome_duration_us: 'number',
  outcome_http_status: 'number',
  data: 'json',
} as const satisfies Record<BodyField, 'text' | 'number' | 'json'>;

/** A parsed body: any JSON object (an edited one may hold anything). */
export type Body = Readonly<Record<string, unknown>>;

/** The body fields of one type. */
export type FieldOf<T extends 'text' | 'number' | 'json'> = {
  [F in BodyField]: (typeof FIELD_TYPES)[F] extends T ? F : never;
}[BodyField];

/**
 * Field `field` of a parsed body as format 1's column holds it: null when absent or of another type (a text
 * field holding a number, say: possible only in an edited row); the session, never null in format 1, reads as
 * an empty text then.
 */
export function readField<F extends BodyField>(body: Body, field: F): AuditRow[F] {
  const type: 'text' | 'number' | 'json' = FIELD_TYPES[field];
  const read =
    type === 'text'
      ? readText(body, field as FieldOf<'text'>)
      : type === 'number'
        ? readNumber(body, field as FieldOf<'number'>)
        : readJson(body, field as FieldOf<'json'>);
  return read as AuditRow[F];
}

/** A text field of a parsed body, as {@link readField} reads it. */
export function readText(body: Body, field: FieldOf<'text'>): string | null {
  const value = body[field];
  return typeof value === 'string' ? value : field === 'session_id' ? '' : null;
}

/** A number field of a parsed body, as {@link readField} reads it. */
export function readNumber(body: Body, field: FieldOf<'number'>): number | null {
  const value = body[field];
  return typeof value === 'number' ? value : null;
}

/** A JSON field of a parsed body, as {@link readField} reads it: its JSON text. */
export function readJson(body: Body, field: FieldOf<'json'>): string | null {
  const value = body[field];
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** The body as an object; a body that is not a JSON object (a damaged or edited row) reads as empty. */
export function parseBody(text: unknown): Body {
  if (typeof text !== 'string') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : {};
  } catch {
    return {};
  }
}

/**
 * The text fields of an attempt summary, in the order the summary lists them: its name there, the object it is
 * in (the summary, its `identity` or its `outcome`) and the body field it comes from. An attempt's
 * place in `AttemptColumns.ids` is its index here.
 */
export const ATTEMPT_TEXTS = [
  { key: 'sessionId', field: 'session_id', in: 'attempt' },
  { key: 'service', field: 'service', in: 'attempt' },
  { key: 'operation', field: 'operation', in: 'attempt' },
  { key: 'iamAction', field: 'iam_action', in: 'attempt' },
  { key: 'decision', field: 'decision', in: 'attempt' },
  { key: 'resourceArn', field: 'resource_arn', in: 'attempt' },
  { key: 'account', field: 'identity_account', in: 'identity' },
  { key: 'arn', field: 'identity_arn', in: 'identity' },
  { key: 'type', field: 'identity_type', in: 'identity' },
  { key: 'validationMessage', field: 'validation_message', in: 'attempt' },
  { key: 'errorCode', field: 'outcome_error_code', in: 'outcome' },
] as const satisfies readonly { key: string; field: BodyField; in: 'attempt' | 'identity' | 'outcome' }[];

/** The outcome fields of a body (an attempt's own, or its outcome record's). */
export const OUTCOME_FIELDS = [
  'outcome_success',
  'outcome_error_code',
  'outcome_duration_us',
  'outcome_http_status',
] as const satisfies readonly BodyField[];

/** The body fields an attempt row (`AttemptRow`) reads: its texts and its own outcome. */
export const ATTEMPT_FIELDS: readonly ((typeof ATTEMPT_TEXTS)[number]['field'] | (typeof OUTCOME_FIELDS)[number])[] = [
  ...new Set([...ATTEMPT_TEXTS.map((t) => t.field), ...OUTCOME_FIELDS]),
];
