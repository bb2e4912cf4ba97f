import {
  NO_CHAIN_HEAD_TEXT,
  formatCell,
  formatEvidence,
  formatNumber,
  headlineOf,
  noControlsText,
  orderedSections,
  rowColumns,
  sortFindings,
  statusFacts,
  subjectFacts,
  neutraliseControls,
} from './renderCommon.js';
import type { CellValue } from './renderCommon.js';
import type { ComprehensiveComplianceReport } from './types.js';

/**
 * Report strings come from AWS (user agents, resource names, error messages)
 * and must read as text in any Markdown viewer: inline syntax is
 * backslash-escaped and `<`, `>`, `&` become entities so no viewer turns them
 * into HTML. In a block (not a table cell) a line must also not start a
 * heading, list, quote or rule.
 */
export function escapeMarkdown(text: string, options: { block?: boolean } = {}): string {
  const inline = neutraliseControls(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
  if (options.block === false) return inline;
  return inline.replace(/^(\s*)([#+=-])/gm, '$1\\$2').replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

/** A table cell: escaped, with line breaks as `<br>` so a multi-line value cannot end the row. */
export function markdownCell(text: string): string {
  const escaped = escapeMarkdown(text.trim(), { block: false }).replace(/\r\n|\r|\n/g, '<br>');
  return escaped === '' ? ' ' : escaped;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** A fenced code block whose fence is longer than any backtick run in the text. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${neutraliseControls(text)}\n${fence}`;
}

const list = (items: readonly string[], ordered = false): string =>
  items.length === 0
    ? '_None._'
    : items
        .map((item, i) => `${ordered ? `${i + 1}.` : '-'} ${escapeMarkdown(item).replace(/\r\n|\r|\n/g, ' ')}`)
        .join('\n');

/**
 * The report as GitHub-flavoured Markdown, in the same structure as the HTML
 * report: subject, executive summary, compliance status, score formulas with
 * their inputs, findings by severity with control IDs, evidence sections, the
 * control table and the audit chain head.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from 'inventag';
 * await writeFile('report.md', renderMarkdown(report));
 * ```
 */
export function renderMarkdown(report: ComprehensiveComplianceReport): string {
  const h = headlineOf(report);
  const out: string[] = [];
  const push = (...blocks: string[]) => out.push(...blocks);

  push('# InvenTag compliance report', table(['Subject', ''], subjectFacts(report)));

  push('## Executive summary');
  if (!h.fromExecutiveSummary)
    push(
      '_No executive summary was generated (generateExecutiveSummary is off); the headline below is taken from the compliance status._',
    );
  push(
    `**Overall compliance: ${h.label}**`,
    [
      `- Compliance score: **${formatNumber(h.complianceScore)}%**`,
      `- Risk score: **${formatNumber(h.riskScore)}/100**${h.riskLevel === undefined ? '' : ` (${h.riskLevel})`}`,
    ].join('\n'),
    '### Key findings',
    list(h.keyFindings),
    '### Immediate actions',
    list(h.immediateActions, true),
  );

  push('## Compliance status', table(['Measure', 'Value'], statusFacts(report)));
  if (report.complianceStatus.recommendations.length > 0)
    push('### Recommendations', list(report.complianceStatus.recommendations));

  const inputs = Object.entries(report.scoring.inputs).map(([k, v]) => [k, formatCell(v)]);
  push(
    '## How the scores are computed',
    '**Compliance score**',
    fenced(report.scoring.complianceScoreFormula),
    '**Risk score**',
    fenced(report.scoring.riskScoreFormula),
    '**Inputs**',
    inputs.length === 0 ? '_None._' : table(['Input', 'Value'], inputs),
  );

  push('## Findings');
  const findings = sortFindings(report.findings);
  push(
    findings.length === 0
      ? '_No findings._'
      : table(
          ['Severity', 'ID', 'Source', 'Title', 'Description', 'Controls', 'Recommendation', 'Evidence'],
          findings.map((f) => [
            f.severity,
            f.id,
            f.source,
            f.title,
            f.description,
            f.controls.length === 0 ? '—' : f.controls.join(', '),
            f.recommendation,
            formatEvidence(f.evidence),
          ]),
        ),
  );

  push('## Evidence');
  const sections = orderedSections(report.sections);
  if (sections.length === 0) push('_No evidence sections._');
  for (const [, section] of sections) {
    push(
      `### ${escapeMarkdown(section.title.replace(/\s+/g, ' '))}: ${section.status}`,
      escapeMarkdown(section.summary),
    );
    const facts = Object.entries(section.facts).map(([k, v]) => [k, formatCell(v)]);
    if (facts.length > 0) push(table(['Fact', 'Value'], facts));
    const rows = section.rows ?? [];
    if (rows.length > 0) {
      const columns = rowColumns(rows);
      push(
        table(
          columns,
          rows.map((row: Record<string, CellValue>) => columns.map((c) => formatCell(row[c]))),
        ),
      );
    }
  }

  push('## Controls');
  push(
    report.controls.length === 0
      ? `_${escapeMarkdown(noControlsText(report))}_`
      : table(
          ['Control', 'Title', 'Evidence', 'Status', 'Findings'],
          report.controls.map((c) => [c.id, c.title, c.evidence, c.status, c.findingIds.join(', ')]),
        ),
  );

  push('## Audit chain head');
  const head = report.auditChainHead;
  push(
    head === undefined
      ? `_${escapeMarkdown(NO_CHAIN_HEAD_TEXT)}_`
      : `Sequence **${head.sequence}**, hash \`${head.hash.replace(/`/g, '')}\``,
  );

  return `${out.join('\n\n')}\n`;
}
