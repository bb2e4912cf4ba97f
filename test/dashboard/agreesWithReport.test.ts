import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/AuditStore.js';
import type { ComprehensiveComplianceReport } from '../../src/report/types.js';
import { attempt, sqlite } from '../audit/helpers.js';
import { launchChromium, watchedPage } from '../support/browser.js';
import { runCli, startCli } from '../support/cli.js';

// `inventag check --json` and `inventag dashboard` over the same evidence directory: what the page says (verdict,
// score, gate colour, findings by severity, key findings, actions, the audit trail's verification) is what the
// JSON report says.

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'inventag-dashboard-agrees-'));
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `check --json` and serves the dashboard on the same evidence; returns the report and the page's texts. */
async function bothViews(name: string, evidence: string) {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  const env = { INVENTAG_DATA_DIRECTORY: join(work, 'data') };
  const check = await runCli(['check', '--evidence', evidence, '--json', '--quiet', '--out', join(work, 'out')], {
    cwd: work,
    env,
  });
  expect(check.stderr).toBe('');
  const report = JSON.parse(check.stdout) as ComprehensiveComplianceReport;

  const server = await startCli(['dashboard', '--port', '0', '--refresh', '1', '--evidence', evidence], {
    cwd: work,
    env,
  });
  try {
    const url = /^dashboard at (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(server.line)?.[1];
    expect(url, server.line).toBeDefined();
    const { page, consoleErrors, dialogs } = await watchedPage(browser);
    await page.goto(`${url!}/`);
    await page.locator('body[data-generated-at]').waitFor({ state: 'attached' });
    const textOf = async (selector: string): Promise<string> => (await page.locator(selector).textContent()) ?? '';
    const listOf = (selector: string): Promise<string[]> => page.locator(`${selector} li`).allTextContents();
    const view = {
      badge: await textOf('#overall-status'),
      score: await textOf('#compliance-score'),
      scoreClass: (await page.locator('#compliance-score').getAttribute('class')) ?? '',
      gate: await textOf('#gate'),
      risk: await textOf('#risk-score'),
      operations: await textOf('#total-operations'),
      blocked: await textOf('#blocked-operations'),
      bySeverity: await textOf('#findings-by-severity'),
      keyFindings: await listOf('#key-findings'),
      actions: await listOf('#immediate-actions'),
      audit: await textOf('#audit'),
      indicators: await textOf('#status-indicators'),
    };
    const screenshot = join(work, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    await page.close();
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    return { code: check.code, report, view };
  } finally {
    await server.stop();
  }
}

/** What the page must say for this report. */
function expectAgreement(view: Awaited<ReturnType<typeof bothViews>>['view'], report: ComprehensiveComplianceReport) {
  const s = report.complianceStatus;
  const counts = (sev: string) => report.findings.filter((f) => f.severity === sev).length;
  expect(view.bySeverity).toBe(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].map((sev) => `${sev} ${counts(sev)}`).join(' · '));
  expect(view.operations).toBe(String(s.totalOperations));
  expect(view.blocked).toBe(String(s.blockedOperations));
  expect(view.actions).toEqual(
    report.executiveSummary!.immediateActions.length
      ? report.executiveSummary!.immediateActions
      : ['Nothing to do now.'],
  );
  const trail = report.sections.auditTrail;
  if (!trail) expect(view.audit).toBe('0 entries in the hash chain · not verified yet');
  else {
    const facts = trail.facts as { checked: number; entries: number };
    expect(view.audit).toContain(`${facts.entries} entries in the hash chain`);
    expect(view.audit).toContain(
      trail.status === 'PASS' ? `verified intact (${facts.checked} checked)` : `VERIFICATION FAILED: ${trail.summary}`,
    );
    const head = report.auditChainHead!;
    expect(view.audit).toContain(`head ${`${head.sequence}:${head.hash}`.slice(0, 16)}…`);
  }
}

describe('the dashboard says what the JSON report of the same evidence says (headless Chromium)', () => {
  it('no data: the report is INCONCLUSIVE (exit 1) and the page says no evidence yet, with the same reason', async () => {
    const empty = join(dir, 'empty-evidence');
    mkdirSync(empty);
    const { code, report, view } = await bothViews('no-data', empty);

    expect(code).toBe(1);
    expect(report.complianceStatus.verdict).toBe('INCONCLUSIVE');
    const reasons = report.complianceStatus.inconclusiveReasons!;
    expect(reasons).toEqual([expect.stringMatching(/^No evidence: /)]);
    expect(view.badge).toBe('NO EVIDENCE YET');
    expect(view.score).toBe('no evidence yet');
    expect(view.scoreClass).toBe('big off');
    expect(view.risk).toBe('–');
    expect(view.keyFindings).toEqual(reasons);
    expectAgreement(view, report);
  });

  it('non-compliant below the gate, with a verified trail: the score is red next to NON_COMPLIANT', async () => {
    const { code, report, view } = await bothViews('below-gate', DEMO);

    const s = report.complianceStatus;
    expect(code).toBe(1);
    expect(s.verdict).toBe('NON_COMPLIANT');
    expect(s.complianceScore).toBeLessThan(95);
    expect(report.sections.auditTrail?.status).toBe('PASS');
    expect(view.badge).toBe(s.verdict);
    expect(view.score).toBe(`${s.complianceScore.toFixed(1)}%`);
    expect(view.scoreClass).toBe('big bad');
    expect(view.gate).toBe('gate: 95%');
    expect(view.risk).toBe(`${s.riskScore.toFixed(1)}/100`);
    expect(view.keyFindings).toEqual(report.executiveSummary!.keyFindings);
    expect(view.indicators).toContain('Security validation: failing');
    expectAgreement(view, report);
  });

  it('a verified trail of reads only: COMPLIANT on both, green score, the same entries checked', async () => {
    const evidence = join(dir, 'reads-evidence');
    mkdirSync(evidence);
    writeFileSync(
      join(evidence, 'identity.json'),
      JSON.stringify({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/reader/nightly' }),
    );
    const store = AuditStore.open({ path: join(evidence, 'audit.db') });
    for (let i = 0; i < 6; i++) {
      const { auditId } = store.recordAttempt(attempt(i));
      store.recordOutcome(auditId, { success: true, durationMs: 4 });
    }
    await store.close();
    const { code, report, view } = await bothViews('verified', evidence);

    const s = report.complianceStatus;
    expect(code).toBe(0);
    expect(s.verdict).toBe('COMPLIANT');
    expect(s.totalOperations).toBe(6);
    expect(report.sections.auditTrail?.facts).toMatchObject({ intact: true, checked: 12, entries: 12 });
    expect(view.badge).toBe('COMPLIANT');
    expect(view.score).toBe('100.0%');
    expect(view.scoreClass).toBe('big ok');
    expect(view.keyFindings).toEqual(report.executiveSummary!.keyFindings);
    expectAgreement(view, report);
  });

  it('a tampered trail: CRITICAL on both, and the page names the broken entry as the report does', async () => {
    const evidence = join(dir, 'tampered-evidence');
    cpSync(DEMO, evidence, { recursive: true });
    sqlite(
      join(evidence, 'audit.db'),
      "DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET operation = 'TerminateInstances' WHERE seq = 2;",
    );
    const { code, report, view } = await bothViews('tampered', evidence);

    expect(code).toBe(1);
    expect(report.complianceStatus.verdict).toBe('NON_COMPLIANT');
    expect(report.findings[0]).toMatchObject({ code: 'audit-tampered', severity: 'CRITICAL' });
    expect(report.sections.auditTrail?.status).toBe('FAIL');
    expect(view.badge).toBe('NON_COMPLIANT');
    expect(view.audit).toContain('VERIFICATION FAILED: The hash chain is broken: entry 2');
    expect(view.keyFindings[0]).toBe('CRITICAL: Audit trail tampered: entry 2 edited');
    expect(view.keyFindings).toEqual(report.executiveSummary!.keyFindings);
    expectAgreement(view, report);
  });
});
