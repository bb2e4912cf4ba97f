/** Text encodings of the trail for `export`: JSON lines and CSV, produced lazily in chunks. */
import type { AuditRow } from './chain.js';
import type { AuditEntry } from './types.js';

const CHUNK_LINES = 256;

export function* rowsToJsonl(rows: Iterable<AuditEntry | AuditRow>): Generator<string> {
  let chunk: string[] = [];
  for (const row of rows) {
    chunk.push(`${JSON.stringify(row)}\n`);
    if (chunk.length >= CHUNK_LINES) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

/** Columns of the merged (human) CSV view. */
export const CSV_COLUMNS = [
  'sequence',
  'auditId',
  'kind',
  'sessionId',
  'timestamp',
  'service',
  'operation',
  'iamAction',
  'operationType',
  'decision',
  'riskLevel',
  'resourceArn',
  'identityAccount',
  'identityArn',
  'identityType',
  'complianceStandard',
  'outcomeSuccess',
  'outcomeErrorCode',
  'outcomeDurationMs',
  'validationMessage',
  'requestParameters',
  'checkpoint',
  'prevHash',
  'hash',
] as const;

/** CSV of the merged view, or with `rawColumns` of stored rows (those columns, as stored). */
export function* rowsToCsv(
  rows: Iterable<AuditEntry | AuditRow>,
  rawColumns: readonly string[] | undefined,
): Generator<string> {
  const raw = rawColumns !== undefined;
  const columns: readonly string[] = rawColumns ?? CSV_COLUMNS;
  yield `${columns.join(',')}\n`;
  let chunk: string[] = [];
  for (const row of rows) {
    const values = raw
      ? columns.map((c) => (row as unknown as Record<string, unknown>)[c])
      : mergedValues(row as AuditEntry);
    chunk.push(`${values.map((v) => csvCell(v, raw)).join(',')}\n`);
    if (chunk.length >= CHUNK_LINES) {
      yield chunk.join('');
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('');
}

function mergedValues(e: AuditEntry): unknown[] {
  return [
    e.sequence,
    e.auditId,
    e.kind,
    e.sessionId,
    e.timestamp,
    e.service,
    e.operation,
    e.iamAction,
    e.operationType,
    e.decision,
    e.riskLevel,
    e.resourceArn,
    e.identity?.account,
    e.identity?.arn,
    e.identity?.type,
    e.complianceStandard,
    e.outcome?.success,
    e.outcome?.errorCode,
    e.outcome?.durationMs,
    e.validationMessage,
    e.requestParameters === undefined ? undefined : JSON.stringify(e.requestParameters),
    e.checkpoint === undefined ? undefined : JSON.stringify(e.checkpoint),
    e.prevHash,
    e.hash,
  ];
}

/** Text a spreadsheet would run as a formula (or a cell already starting with the escape). */
const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * One CSV cell. A text cell starting with `=`, `+`, `-`, `@`, tab or CR gets
 * a leading `'`, so a spreadsheet shows it as text instead of running it.
 * In the raw view (kept for re-verification) the escape is reversible: a cell
 * starting with `'` gets one too, so removing exactly one leading `'` from
 * every cell that starts with one gives back the stored bytes.
 */
export function csvCell(value: unknown, raw: boolean): string {
  if (value === undefined || value === null) return '';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- cells are primitives; objects are never passed
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text) && (raw || text[0] !== "'")) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
