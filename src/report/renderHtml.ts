import {
  NO_CHAIN_HEAD_TEXT,
  STANDARD_LABELS,
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
} from './renderCommon.js';
import type { CellValue } from './renderCommon.js';
import type { ComprehensiveComplianceReport } from './types.js';

/**
 * The page may load nothing: no script, font, image or stylesheet from
 * anywhere. A report opened offline, or by an auditor on a locked-down
 * machine, reads the same, and a hostile string that slipped past escaping
 * still could not run or call out.
 */
export const REPORT_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const e = escapeHtml;

/** A token safe in a class or id attribute. */
const token = (text: string): string => text.toLowerCase().replace(/[^a-z0-9-]/g, '-');

function dl(pairs: readonly [string, string][], id?: string): string {
  const rows = pairs.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`).join('');
  return `<table class="facts"${id === undefined ? '' : ` id="${id}"`}><tbody>${rows}</tbody></table>`;
}

function table(
  header: readonly string[],
  rows: readonly string[][],
  options: { id?: string; rowClass?: (i: number) => string } = {},
): string {
  const head = header.map((h) => `<th scope="col">${e(h)}</th>`).join('');
  const body = rows
    .map((cells, i) => {
      const cls = options.rowClass?.(i);
      return `<tr${cls ? ` class="${cls}"` : ''}>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="scroll"><table${options.id === undefined ? '' : ` id="${options.id}"`}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

const td = (text: string, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${e(text)}</td>`;
const badge = (status: string): string => `<span class="badge ${token(status)}">${e(status.replace(/_/g, ' '))}</span>`;
const list = (items: readonly string[], tag: 'ul' | 'ol', id: string): string =>
  items.length === 0
    ? `<p class="none" id="${id}">None.</p>`
    : `<${tag} id="${id}">${items.map((i) => `<li>${e(i)}</li>`).join('')}</${tag}>`;

const STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--panel:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--na:#6e7781}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px;max-width:1200px;margin-inline:auto}
h1{font-size:26px;margin:0 0 12px}h2{font-size:20px;margin:32px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:16px;margin:20px 0 8px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere;white-space:pre-line}
td.nowrap{white-space:nowrap;overflow-wrap:normal}p.summary{white-space:pre-line}
thead th{background:var(--panel)}table.facts{width:auto;min-width:50%}table.facts th{background:var(--panel);font-weight:600;white-space:nowrap}
.scroll{overflow-x:auto}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;font-size:13px;color:#fff;background:var(--na);white-space:nowrap}
.badge.pass,.badge.compliant,.badge.low{background:var(--pass)}.badge.fail,.badge.non-compliant,.badge.critical,.badge.high{background:var(--fail)}.badge.warn,.badge.medium{background:var(--warn)}
#executive-summary{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:16px 20px}
#executive-summary h2{border:0;margin-top:0}
#overall-compliance{font-size:22px;padding:4px 16px;border-radius:16px}
.scores{display:flex;flex-wrap:wrap;gap:16px;margin:16px 0}.score{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:8px 16px;min-width:180px}
.score .value{font-size:28px;font-weight:700}.score .label{color:var(--muted);font-size:13px}
pre{background:var(--panel);border:1px solid var(--line);padding:10px;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.none,.note{color:var(--muted)}
footer{margin-top:32px;color:var(--muted);font-size:13px}
@media print{body{padding:0}.scroll{overflow:visible}#executive-summary{break-inside:avoid}}
`;

/**
 * The report as one self-contained HTML file: inline CSS, no script, no
 * external URL, and a Content-Security-Policy that forbids loading anything,
 * so it reads the same offline. Every report string is HTML-escaped.
 *
 * @example
 * ```ts
 * import { renderHtml } from 'inventag';
 * await writeFile('report.html', renderHtml(report));
 * ```
 */
export function renderHtml(report: ComprehensiveComplianceReport): string {
  const h = headlineOf(report);
  const standard = STANDARD_LABELS[report.complianceStandard] ?? String(report.complianceStandard);
  const parts: string[] = [];

  parts.push(
    `<header id="report-header"><h1>InvenTag compliance report</h1>`,
    dl(subjectFacts(report), 'subject'),
    `</header>`,
  );

  parts.push(
    `<section id="executive-summary"><h2>Executive summary</h2>`,
    h.fromExecutiveSummary
      ? ''
      : `<p class="note">No executive summary was generated (generateExecutiveSummary is off); the headline is taken from the compliance status.</p>`,
    `<p>Overall compliance: <span id="overall-compliance" class="badge ${h.compliant ? 'compliant' : 'non-compliant'}">${e(h.label)}</span></p>`,
    `<div class="scores">`,
    `<div class="score"><div class="label">Compliance score</div><div class="value" id="compliance-score">${e(formatNumber(h.complianceScore))}%</div></div>`,
    `<div class="score"><div class="label">Risk score</div><div class="value" id="risk-score">${e(formatNumber(h.riskScore))}/100</div></div>`,
    h.riskLevel === undefined
      ? ''
      : `<div class="score"><div class="label">Risk level</div><div class="value" id="risk-level">${badge(h.riskLevel)}</div></div>`,
    `</div>`,
    `<h3>Key findings</h3>`,
    list(h.keyFindings, 'ul', 'key-findings'),
    `<h3>Immediate actions</h3>`,
    list(h.immediateActions, 'ol', 'immediate-actions'),
    `</section>`,
  );

  parts.push(`<section id="compliance-status"><h2>Compliance status</h2>`, dl(statusFacts(report)));
  if (report.complianceStatus.recommendations.length > 0)
    parts.push(`<h3>Recommendations</h3>`, list(report.complianceStatus.recommendations, 'ul', 'recommendations'));
  parts.push(`</section>`);

  const inputs = Object.entries(report.scoring.inputs).map(([k, v]): [string, string] => [k, formatCell(v)]);
  parts.push(
    `<section id="scoring"><h2>How the scores are computed</h2>`,
    `<h3>Compliance score</h3><pre id="compliance-score-formula">${e(report.scoring.complianceScoreFormula)}</pre>`,
    `<h3>Risk score</h3><pre id="risk-score-formula">${e(report.scoring.riskScoreFormula)}</pre>`,
    `<h3>Inputs</h3>`,
    inputs.length === 0 ? `<p class="none">None.</p>` : dl(inputs, 'score-inputs'),
    `</section>`,
  );

  const findings = sortFindings(report.findings);
  parts.push(`<section id="findings"><h2>Findings</h2>`);
  parts.push(
    findings.length === 0
      ? `<p class="none">No findings.</p>`
      : table(
          ['Severity', 'ID', 'Source', 'Title', 'Description', `Controls (${standard})`, 'Recommendation', 'Evidence'],
          findings.map((f) => [
            `<td>${badge(f.severity)}</td>`,
            td(f.id, 'mono nowrap'),
            td(f.source, 'nowrap'),
            td(f.title),
            td(f.description),
            td(f.controls.length === 0 ? '—' : f.controls.join(', '), 'mono'),
            td(f.recommendation),
            td(formatEvidence(f.evidence), 'mono'),
          ]),
          { id: 'findings-table', rowClass: (i) => `severity-${token(findings[i]?.severity ?? '')}` },
        ),
    `</section>`,
  );

  parts.push(`<section id="evidence"><h2>Evidence</h2>`);
  const sections = orderedSections(report.sections);
  if (sections.length === 0) parts.push(`<p class="none">No evidence sections.</p>`);
  for (const [key, section] of sections) {
    parts.push(
      `<section class="evidence-section" id="section-${token(key)}"><h3>${e(section.title)} ${badge(section.status)}</h3><p class="summary">${e(section.summary)}</p>`,
    );
    const facts = Object.entries(section.facts).map(([k, v]): [string, string] => [k, formatCell(v)]);
    if (facts.length > 0) parts.push(dl(facts));
    const rows = section.rows ?? [];
    if (rows.length > 0) {
      const columns = rowColumns(rows);
      parts.push(
        table(
          columns,
          rows.map((row: Record<string, CellValue>) => columns.map((c) => td(formatCell(row[c])))),
        ),
      );
    }
    parts.push(`</section>`);
  }
  parts.push(`</section>`);

  parts.push(`<section id="controls"><h2>Controls (${e(standard)})</h2>`);
  parts.push(
    report.controls.length === 0
      ? `<p class="none">${e(noControlsText(report))}</p>`
      : table(
          ['Control', 'Title', 'Evidence', 'Status', 'Findings'],
          report.controls.map((c) => [
            td(c.id, 'mono'),
            td(c.title),
            td(c.evidence),
            `<td>${badge(c.status)}</td>`,
            td(c.findingIds.join(', '), 'mono'),
          ]),
          { id: 'controls-table' },
        ),
    `</section>`,
  );

  const head = report.auditChainHead;
  parts.push(
    `<section id="audit-chain"><h2>Audit chain head</h2>`,
    head === undefined
      ? `<p class="none">${e(NO_CHAIN_HEAD_TEXT)}</p>`
      : `${dl([
          ['Sequence', String(head.sequence)],
          ['Hash', head.hash],
        ])}<p class="note">Run <code>inventag audit verify --anchor ${e(`${head.sequence}:${head.hash}`)}</code> later to show the trail has not been rewritten since this report.</p>`,
    `</section>`,
  );

  parts.push(
    `<footer>Generated by ${e(report.tool.name)} ${e(report.tool.version)} at ${e(report.generatedAt)} · report ${e(report.reportId)} · schema ${e(report.schemaVersion)}</footer>`,
  );

  const title = `InvenTag compliance report: ${h.label} (${standard})`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...parts.filter((p) => p !== ''),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
