/**
 * GitHub Actions output: a short Markdown summary for `$GITHUB_STEP_SUMMARY`
 * (verdict, scores, top findings; the full report is too wide for it) and
 * workflow-command annotations (`::error` / `::warning`) for CRITICAL and HIGH
 * findings, which GitHub shows on the run and the pull request.
 */
import { RISK_ORDER } from '../constants.js';
import { fileOf } from './ciCommon.js';
import type { ComprehensiveComplianceReport } from './types.js';

/** Findings listed in the step summary; the rest are counted. */
export const STEP_SUMMARY_TOP = 10;

// Workflow commands end at a newline; %, CR and LF are escaped, and property values also escape : and ,.
const data = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (text: string): string => data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
// Table cells: no pipes, no line breaks, no HTML.
const md = (text: string): string => text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');

/** `::error` for CRITICAL, `::warning` for HIGH findings; one line each. */
export function githubAnnotations(report: ComprehensiveComplianceReport): string[] {
  const out: string[] = [];
  for (const f of report.findings) {
    if (f.severity !== 'CRITICAL' && f.severity !== 'HIGH') continue;
    const command = f.severity === 'CRITICAL' ? 'error' : 'warning';
    const file = fileOf(f);
    const props = [
      `title=${property(`inventag ${f.severity}: ${f.title}`)}`,
      ...(file ? [`file=${property(file)}`] : []),
    ];
    out.push(`::${command} ${props.join(',')}::${data(`${f.description} Recommendation: ${f.recommendation}`)}`);
  }
  return out;
}

/** The Markdown for the job summary. */
export function githubStepSummary(report: ComprehensiveComplianceReport): string {
  const s = report.complianceStatus;
  const verdict = s.isCompliant ? '✅ COMPLIANT' : '❌ NON-COMPLIANT';
  const counts = Object.keys(RISK_ORDER)
    .reverse()
    .map((sev) => `${report.findings.filter((f) => f.severity === sev).length} ${sev}`)
    .join(', ');
  const top = [...report.findings]
    .sort((a, b) => RISK_ORDER[b.severity] - RISK_ORDER[a.severity])
    .slice(0, STEP_SUMMARY_TOP);
  const lines = [
    `### InvenTag ${report.complianceStandard.toUpperCase()}: ${verdict}`,
    '',
    `| compliance score | risk score | findings |`,
    `| --- | --- | --- |`,
    `| ${s.complianceScore} | ${s.riskScore} | ${counts} |`,
    '',
  ];
  if (report.subject.principal) lines.push(`Principal: \`${report.subject.principal.replace(/`/g, '')}\``, '');
  if (top.length) {
    lines.push('| severity | finding |', '| --- | --- |');
    for (const f of top) lines.push(`| ${f.severity} | ${md(f.title)} |`);
    if (report.findings.length > top.length)
      lines.push('', `${report.findings.length - top.length} more in the full report.`);
  } else lines.push('No findings.');
  lines.push('');
  return lines.join('\n');
}
