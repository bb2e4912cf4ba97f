import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toCloudTrailEvent } from '../../src/cloudtrail/CloudTrailEvent.js';
import { EventClassifier } from '../../src/cloudtrail/EventClassifier.js';
import { PrincipalAnalyzer } from '../../src/cloudtrail/PrincipalAnalyzer.js';
import { buildReport } from '../../src/manager/assessment/buildReport.js';
import type { AssessmentInputs } from '../../src/manager/assessment/inputs.js';
import { identityFromCallerIdentity } from '../../src/manager/check/evidenceFiles.js';
import { parseConfiguration } from '../../src/manager/config.js';
import { auditEvidence } from '../../src/manager/evidence/auditEvidence.js';
import { cloudtrailEvidence } from '../../src/manager/evidence/cloudtrailEvidence.js';
import { identityEvidence } from '../../src/manager/evidence/identityEvidence.js';
import { permissionsEvidence } from '../../src/manager/evidence/permissionsEvidence.js';
import type { EvidenceSection } from '../../src/manager/evidence/types.js';
import { dashboardData } from '../../src/manager/snapshot/buildSnapshot.js';
import { ProductionSafetyMonitor } from '../../src/monitor/ProductionSafetyMonitor.js';
import { analyzePolicies } from '../../src/policy/analysis/PolicyAnalyzer.js';
import { parsePolicyDocument } from '../../src/policy/analysis/parsePolicy.js';
import { VerdictEngine } from '../../src/policy/VerdictEngine.js';
import type { FindingCode } from '../../src/report/findingCodes.js';
import { ReadOnlyAccessValidator } from '../../src/validator/ReadOnlyAccessValidator.js';

/**
 * Report decisions as data: each JSON file in cases/ gives the inputs of one assessment (configuration,
 * operations the guard saw, monitoring, audit trail, identity, policies, CloudTrail events) and the verdict,
 * scores, findings (code and severity, in report order) and control statuses expected. Inputs are turned into
 * AssessmentInputs by the real validator, monitor and evidence builders; the report is the pure buildReport.
 */
interface Case {
  name: string;
  config?: Record<string, unknown>;
  operations?: [string, string, number][];
  monitoring?: {
    summary?: Record<string, unknown>;
    findings?: { code: FindingCode; severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; title: string }[];
  };
  auditTrail?: { ok: boolean; checked: number; firstBad?: { sequence: number; reason: string; message: string } };
  identity?: { Arn: string; AccessKeyId?: string };
  policies?: unknown[];
  cloudtrail?: {
    principal: string;
    events: { eventName: string; eventSource: string; readOnly?: boolean; arn?: string; userAgent?: string }[];
    corrupt?: { file: string; reason: string }[];
  };
  minComplianceScore?: number;
  expect: {
    verdict: 'COMPLIANT' | 'NON_COMPLIANT' | 'INCONCLUSIVE';
    complianceScore?: number;
    riskScore?: number;
    findings: string[];
    controls?: Record<string, 'PASS' | 'FAIL' | 'NOT_EVALUATED'>;
    findingControls?: Record<string, string[]>;
    dashboardStatus?: string;
  };
}

const CASES = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const cases = readdirSync(CASES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, c: JSON.parse(readFileSync(join(CASES, f), 'utf8')) as Case }));

function inputsOf(c: Case): AssessmentInputs {
  const config = parseConfiguration(c.config ?? {});
  const engine = new VerdictEngine({
    standard: config.complianceStandard,
    overrides: config.overrides,
    ...(config.custom ? { custom: config.custom } : {}),
  });
  const validator = new ReadOnlyAccessValidator({ engine });
  for (const [service, operation, count] of c.operations ?? [])
    for (let i = 0; i < count; i++) validator.record(engine.decide(service, operation), undefined, undefined, {});
  const evidence: EvidenceSection[] = [];
  if (c.auditTrail)
    evidence.push(
      auditEvidence(
        {
          ok: c.auditTrail.ok,
          checked: c.auditTrail.checked,
          head: { sequence: c.auditTrail.checked, hash: 'a'.repeat(64) },
          firstSequence: 1,
          warnings: [],
          ...(c.auditTrail.firstBad
            ? { firstBad: { ...c.auditTrail.firstBad, reason: c.auditTrail.firstBad.reason as 'edited' } }
            : {}),
        },
        'audit.db',
      ),
    );
  if (c.identity) evidence.push(identityEvidence(identityFromCallerIdentity(c.identity, 'identity.json')));
  if (c.policies)
    evidence.push(
      permissionsEvidence(analyzePolicies(c.policies.map((p, i) => parsePolicyDocument(p, `policy-${i}.json`)))),
    );
  if (c.cloudtrail) {
    const classifier = new EventClassifier();
    const analyzer = new PrincipalAnalyzer(c.cloudtrail.principal);
    c.cloudtrail.events.forEach((e, i) => {
      const event = toCloudTrailEvent(
        {
          eventID: `event-${i}`,
          eventTime: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          eventName: e.eventName,
          eventSource: e.eventSource,
          awsRegion: 'us-east-1',
          ...(e.readOnly === undefined ? {} : { readOnly: e.readOnly }),
          ...(e.userAgent ? { userAgent: e.userAgent } : {}),
          userIdentity: { type: 'AssumedRole', arn: e.arn ?? c.cloudtrail!.principal },
        },
        classifier,
      );
      if (typeof event === 'string') throw new Error(`${c.name}: ${event}`);
      analyzer.add(event);
    });
    const corrupt = c.cloudtrail.corrupt ?? [];
    evidence.push(
      cloudtrailEvidence(analyzer.result(), {
        source: 'trail files',
        window: { start: new Date(Date.UTC(2026, 0, 1)), end: new Date(Date.UTC(2026, 0, 2)) },
        eventsRead: c.cloudtrail.events.length,
        filesRead: 1 + corrupt.length,
        filesCorrupt: corrupt.length,
        corrupt,
      }),
    );
  }
  const monitor = new ProductionSafetyMonitor({ enablePerformanceMonitoring: false });
  const monitoring = config.enableProductionMonitoring
    ? {
        summary: { ...monitor.getMonitoringSummary(), ...(c.monitoring?.summary ?? {}) },
        securityReport: {
          riskScore: 0,
          securityFindings: (c.monitoring?.findings ?? []).map((f) => ({
            ...f,
            description: f.title,
            recommendation: 'Review it.',
            count: 1,
          })),
        },
      }
    : undefined;
  return {
    config,
    validator: validator.generateComplianceReport(),
    ...(monitoring ? { monitoring } : {}),
    evidence,
    auditTrail: true,
    subject: { mode: 'library' },
    ...(c.minComplianceScore !== undefined ? { minComplianceScore: c.minComplianceScore } : {}),
    generatedAt: '2026-01-02T00:00:00.000Z',
    reportId: '00000000-0000-4000-8000-000000000000',
  };
}

describe('assessment cases (inputs JSON in, findings and controls out)', () => {
  it('has at least 20 cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it.each(cases)('$file', ({ c }) => {
    // Prepare
    const inputs = inputsOf(c);
    // Act
    const report = buildReport(inputs);
    // Assess
    const status = report.complianceStatus;
    expect(status.verdict, c.name).toBe(c.expect.verdict);
    expect(status.isCompliant).toBe(c.expect.verdict === 'COMPLIANT');
    expect(report.executiveSummary?.overallCompliance).toBe(c.expect.verdict);
    if (c.expect.complianceScore !== undefined) expect(status.complianceScore).toBe(c.expect.complianceScore);
    if (c.expect.riskScore !== undefined) expect(status.riskScore).toBe(c.expect.riskScore);
    expect(
      report.findings.map((f) => `${f.code}:${f.severity}`),
      c.name,
    ).toEqual(c.expect.findings);
    for (const [id, want] of Object.entries(c.expect.controls ?? {}))
      expect(report.controls.find((x) => x.id === id)?.status, `${c.name}: control ${id}`).toBe(want);
    for (const [code, ids] of Object.entries(c.expect.findingControls ?? {}))
      expect(report.findings.find((f) => f.code === code)?.controls, `${c.name}: ${code}`).toEqual(ids);
    // Not evaluated controls name the reason when the evidence was incomplete.
    if (c.expect.verdict === 'INCONCLUSIVE') {
      expect(status.inconclusiveReasons?.length).toBeGreaterThan(0);
      expect(report.controls.filter((x) => x.status === 'NOT_EVALUATED').map((x) => x.evidence)).toContainEqual(
        expect.stringMatching(/^Not evaluated: (the CloudTrail evidence is incomplete|No evidence)/),
      );
    }
    // The dashboard says the same as the report.
    const dash = dashboardData(inputs, status, report.findings);
    expect(dash.overallStatus).toBe(c.expect.dashboardStatus ?? c.expect.verdict);
    expect(dash.complianceScore).toBe(status.complianceScore);
  });
});
