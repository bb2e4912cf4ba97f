import { STANDARD_LABELS, formatNumber, headlineOf } from './renderCommon.js';
import type { ComprehensiveComplianceReport } from './types.js';

/** Options of {@link renderSummaryText}. */
export interface SummaryTextOptions {
  /**
   * Colour with ANSI escapes. The CLI passes what its colour rule says for
   * stdout (`--no-color`, FORCE_COLOR, NO_COLOR, TERM=dumb, a terminal).
   */
  colour: boolean;
  /**
   * Most key findings and immediate actions listed; the rest are counted.
   * @default 10
   */
  maxItems?: number;
}

// Terminal control characters in report strings (from AWS data) could move
// the cursor or recolour the terminal; they are shown as visible escapes.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const clean = (text: string): string =>
  text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/\r?\n/g, ' ');

/**
 * A compact executive summary for a terminal: overall compliance, scores,
 * operation counts, key findings, immediate actions and the audit chain head.
 * Paths of written reports are printed by the caller.
 *
 * @example
 * ```ts
 * import { renderSummaryText } from 'inventag';
 * process.stdout.write(renderSummaryText(report, { colour: process.stdout.isTTY === true }));
 * ```
 */
export function renderSummaryText(report: ComprehensiveComplianceReport, options: SummaryTextOptions): string {
  const paint = (code: string) => (text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const bold = paint('1');
  const dim = paint('2');
  const max = options.maxItems ?? 10;
  const h = headlineOf(report);
  const s = report.complianceStatus;
  const standard = STANDARD_LABELS[report.complianceStandard] ?? String(report.complianceStandard);
  const subject = [report.subject.mode, report.subject.account, report.subject.principal]
    .filter((x): x is string => x !== undefined)
    .map(clean)
    .join(' · ');

  const lines: string[] = [];
  lines.push(`${bold('InvenTag compliance')} ${dim(`(${standard}; ${clean(subject)})`)}`);
  lines.push(`Overall: ${bold(paint(h.compliant ? '32' : '31')(h.label))}`);
  const risk = `${formatNumber(h.riskScore)}/100${h.riskLevel === undefined ? '' : ` (${h.riskLevel})`}`;
  lines.push(`Compliance score: ${bold(`${formatNumber(h.complianceScore)}%`)}   Risk score: ${bold(risk)}`);
  lines.push(`Operations: ${s.totalOperations} total, ${s.blockedOperations} blocked, ${s.errorCount} errors`);

  const section = (title: string, items: readonly string[], numbered: boolean) => {
    lines.push('', bold(title));
    if (items.length === 0) lines.push(dim('  none'));
    items.slice(0, max).forEach((item, i) => lines.push(`  ${numbered ? `${i + 1}.` : '-'} ${clean(item)}`));
    if (items.length > max) lines.push(dim(`  … and ${items.length - max} more (see the full report)`));
  };
  section('Key findings', h.keyFindings, false);
  section('Immediate actions', h.immediateActions, true);

  const head = report.auditChainHead;
  lines.push(
    '',
    head === undefined
      ? dim('Audit chain head: none (no audit store attached)')
      : `Audit chain head: ${head.sequence}:${clean(head.hash)}`,
  );
  return `${lines.join('\n')}\n`;
}
