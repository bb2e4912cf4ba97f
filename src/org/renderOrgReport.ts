/** The org report in JSON, Markdown and HTML: one row per account, the org verdict, links to each account's reports. */
import { escapeHtml as e, REPORT_HTML_CSP } from '../report/renderHtml.js';
import type { AccountRow, OrgReport } from './types.js';

export function renderOrgJson(report: OrgReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const severities = (r: AccountRow): string =>
  `${r.findings.CRITICAL} / ${r.findings.HIGH} / ${r.findings.MEDIUM} / ${r.findings.LOW}`;
const num = (v: number | null): string => (v === null ? '-' : String(v));
const evaluatedText = (r: AccountRow): string => (r.evaluated ? 'yes' : `no: ${r.reason ?? 'unknown'}`);
/** Markdown table cells: pipes and newlines would break the row. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderOrgMarkdown(report: OrgReport): string {
  const t = report.totals;
  const lines = [
    `# InvenTag organization report`,
    '',
    `**Verdict: ${report.verdict}** — ${report.verdictReason}`,
    '',
    `| | |`,
    `| --- | --- |`,
    `| Generated | ${report.generatedAt} |`,
    `| Standard | ${report.complianceStandard} |`,
    `| Role assumed | ${cell(report.roleName)} |`,
    `| Accounts from | ${report.accountSource === 'organizations' ? 'organizations:ListAccounts' : '--accounts'} |`,
    `| Accounts | ${t.accounts}: ${t.compliant} compliant, ${t.nonCompliant} non-compliant, ${t.notEvaluated} not evaluated |`,
    `| Writes found | ${t.writesFound} |`,
    `| Findings (critical / high / medium / low) | ${t.findings.CRITICAL} / ${t.findings.HIGH} / ${t.findings.MEDIUM} / ${t.findings.LOW} |`,
    `| Base principal | ${cell(report.basePrincipal.arn ?? 'unknown')} |`,
    ...(report.auditChainHead
      ? [`| Audit chain head | ${report.auditChainHead.sequence}:${report.auditChainHead.hash} |`]
      : []),
    '',
    '## Accounts',
    '',
    '| Account | Name | Verdict | Score | Writes found | Findings (C / H / M / L) | Evaluated | Reports |',
    '| --- | --- | --- | ---: | ---: | --- | --- | --- |',
    ...report.accounts.map(
      (r) =>
        `| ${r.accountId} | ${cell(r.name ?? '-')} | ${r.verdict} | ${num(r.complianceScore)} | ${num(r.writesFound)} | ${severities(r)} | ${cell(evaluatedText(r))} | ${r.reports.map((p) => `[${p.split('.').at(-1)}](${p})`).join(' ')} |`,
    ),
    '',
    '## Base principal',
    '',
    ...(report.basePrincipal.sessionGrants.length
      ? report.basePrincipal.sessionGrants.map(
          (g) =>
            `- ${g.expected ? 'expected' : 'FINDING'}: ${cell(g.statement)} allows sts:AssumeRole on ${cell(g.roles.join(', '))}`,
        )
      : ['- no statement allows sts:AssumeRole']),
    ...report.basePrincipal.findings.map((f) => `- **${f.severity}** ${cell(f.title)}: ${cell(f.description)}`),
    '',
  ];
  const withFindings = report.accounts.filter((r) => r.findingTitles.length);
  if (withFindings.length) {
    lines.push('## Findings per account', '');
    for (const r of withFindings) lines.push(`- ${r.accountId}: ${r.findingTitles.map(cell).join('; ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

export function renderOrgHtml(report: OrgReport): string {
  const t = report.totals;
  const rows = report.accounts
    .map(
      (r) =>
        `<tr class="${r.verdict.toLowerCase()}"><td>${e(r.accountId)}</td><td>${e(r.name ?? '-')}</td><td>${e(r.verdict)}</td><td>${e(num(r.complianceScore))}</td><td>${e(num(r.writesFound))}</td><td>${e(severities(r))}</td><td>${e(evaluatedText(r))}</td><td>${r.reports
          .map((p) => `<a href="${e(p)}">${e(p.split('.').at(-1) ?? p)}</a>`)
          .join(' ')}</td></tr>`,
    )
    .join('\n');
  const grants = report.basePrincipal.sessionGrants
    .map(
      (g) =>
        `<li>${g.expected ? 'expected' : '<strong>FINDING</strong>'}: ${e(g.statement)} allows sts:AssumeRole on ${e(g.roles.join(', '))}</li>`,
    )
    .concat(
      report.basePrincipal.findings.map(
        (f) => `<li><strong>${e(f.severity)}</strong> ${e(f.title)}: ${e(f.description)}</li>`,
      ),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(REPORT_HTML_CSP)}">
<title>InvenTag organization report: ${e(report.verdict)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}tr.non_compliant td{background:#fde8e8}tr.not_evaluated td{background:#fff6db}#verdict{font-size:1.3rem}</style>
</head><body>
<h1>InvenTag organization report</h1>
<p id="verdict"><strong>${e(report.verdict)}</strong>: ${e(report.verdictReason)}</p>
<table id="totals"><tbody>
<tr><th scope="row">Generated</th><td>${e(report.generatedAt)}</td></tr>
<tr><th scope="row">Standard</th><td>${e(report.complianceStandard)}</td></tr>
<tr><th scope="row">Role assumed</th><td>${e(report.roleName)}</td></tr>
<tr><th scope="row">Accounts</th><td>${t.accounts}: ${t.compliant} compliant, ${t.nonCompliant} non-compliant, ${t.notEvaluated} not evaluated</td></tr>
<tr><th scope="row">Writes found</th><td>${t.writesFound}</td></tr>
<tr><th scope="row">Base principal</th><td>${e(report.basePrincipal.arn ?? 'unknown')}</td></tr>
</tbody></table>
<h2>Accounts</h2>
<table id="accounts"><thead><tr><th>Account</th><th>Name</th><th>Verdict</th><th>Score</th><th>Writes found</th><th>Findings (C / H / M / L)</th><th>Evaluated</th><th>Reports</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Base principal</h2>
<ul id="base">${grants || '<li>no statement allows sts:AssumeRole</li>'}</ul>
</body></html>
`;
}
