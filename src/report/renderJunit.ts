/**
 * JUnit XML for CI test-report views (GitLab, Jenkins, Azure DevOps): one
 * test per control of the standard (per evidence section for GENERAL, which
 * maps no controls), a failure per finding, NOT_EVALUATED as skipped.
 */
import { gateChecks } from './ciCommon.js';
import type { ComprehensiveComplianceReport } from './types.js';

// XML 1.0 cannot carry most C0 controls even escaped: they are dropped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const xml = (text: string): string =>
  text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** The report as a JUnit XML document. */
export function renderJunit(report: ComprehensiveComplianceReport): string {
  const checks = gateChecks(report);
  const suite = `inventag ${report.complianceStandard}`;
  const failures = checks.filter((c) => c.status === 'FAIL').length;
  const skipped = checks.filter((c) => c.status === 'NOT_EVALUATED').length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="inventag" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${xml(suite)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${xml(report.generatedAt)}">`,
    '    <properties>',
    `      <property name="complianceScore" value="${report.complianceStatus.complianceScore}"/>`,
    `      <property name="riskScore" value="${report.complianceStatus.riskScore}"/>`,
    `      <property name="verdict" value="${report.complianceStatus.isCompliant ? 'COMPLIANT' : 'NON_COMPLIANT'}"/>`,
    `      <property name="reportId" value="${xml(report.reportId)}"/>`,
    '    </properties>',
  ];
  for (const check of checks) {
    lines.push(`    <testcase classname="${xml(suite)}" name="${xml(`${check.id}: ${check.title}`)}">`);
    if (check.status === 'NOT_EVALUATED')
      lines.push(`      <skipped message="${xml(`not evaluated: ${check.detail}`)}"/>`);
    if (check.status === 'FAIL') {
      const failing = check.findings.length ? check.findings : [];
      if (failing.length === 0) lines.push(`      <failure message="${xml(check.detail)}" type="FAIL"/>`);
      for (const f of failing)
        lines.push(
          `      <failure message="${xml(`${f.severity} ${f.title}`)}" type="${xml(f.severity)}">${xml(`${f.description}\nRecommendation: ${f.recommendation}`)}</failure>`,
        );
    }
    lines.push(`      <system-out>${xml(check.detail)}</system-out>`, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
