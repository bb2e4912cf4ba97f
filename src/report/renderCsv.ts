/** The findings as CSV, one row each, for spreadsheets and ticket imports. */
import { csvCell } from '../audit/exportFormat.js';
import { ruleIdOf } from './ciCommon.js';
import type { ComprehensiveComplianceReport } from './types.js';

export const FINDINGS_CSV_COLUMNS = [
  'id',
  'code',
  'severity',
  'source',
  'title',
  'description',
  'recommendation',
  'controls',
  'evidence',
] as const;

/** A cell: quoted when it must be, and a leading = + - @ (a spreadsheet formula) made text with a `'`. */
const cell = (value: string): string => csvCell(value, false);

/** The report's findings as CSV text (header first, CRLF line ends as RFC 4180 has them). */
export function renderFindingsCsv(report: ComprehensiveComplianceReport): string {
  const rows = [FINDINGS_CSV_COLUMNS.join(',')];
  for (const f of report.findings) {
    rows.push(
      [
        f.id,
        ruleIdOf(f),
        f.severity,
        f.source,
        f.title,
        f.description,
        f.recommendation,
        f.controls.join(';'),
        f.evidence ? JSON.stringify(f.evidence) : '',
      ]
        .map(cell)
        .join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
