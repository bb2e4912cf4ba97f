import { REPORT_SCHEMA_VERSION } from '../../src/report/index.js';
import type { ComprehensiveComplianceReport, ReportFinding } from '../../src/report/index.js';

/** A user agent as an attacker could plant it in CloudTrail: it must show as text in every report. */
export const HOSTILE = '<img src=x onerror=alert(1)>';
/** A value with Markdown table syntax and a line break: it must stay in one cell. */
export const PIPE_AND_NEWLINE = 'bucket|name\nsecond line';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAexample\n-----END RSA PRIVATE KEY-----';
export const CHAIN_HASH = 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00';

const SOC2_FINDINGS: ReportFinding[] = [
  {
    id: 'F-003',
    severity: 'MEDIUM',
    code: 'high-error-rate',
    source: 'monitor',
    title: 'Error rate above threshold',
    description: '3 of 40 operations failed (7.5%); threshold 5%.',
    recommendation: 'Look at the throttled calls and lower concurrency.',
    controls: ['CC7.2'],
    evidence: { errors: 3, operations: 40 },
  },
  {
    id: 'F-001',
    severity: 'CRITICAL',
    code: 'cloudtrail-write',
    source: 'cloudtrail',
    title: 'Write by the inventory role: s3:PutBucketPolicy',
    description: `CloudTrail event 7a1b shows PutBucketPolicy on ${PIPE_AND_NEWLINE} from user agent ${HOSTILE}.`,
    recommendation: 'Remove s3:PutBucketPolicy from the role and review the bucket policy.',
    controls: ['CC6.1', 'CC6.3', 'CC7.3'],
    evidence: { eventId: '7a1b-4c2d', eventName: 'PutBucketPolicy', userAgent: HOSTILE, sessionToken: SECRET },
  },
  {
    id: 'F-004',
    severity: 'LOW',
    code: 'policies-not-collected',
    source: 'configuration',
    title: 'Audit retention shorter than a year',
    description: 'auditLogRetentionDays is 90.',
    recommendation: 'Keep audit entries for 365 days.',
    controls: ['CC1.3'],
  },
  {
    id: 'F-002',
    severity: 'HIGH',
    code: 'mutating-attempt',
    source: 'guard',
    title: 'Blocked mutating call: ec2:TerminateInstances',
    description: 'The guard refused ec2:TerminateInstances 4 times.',
    recommendation: 'Find the code path that calls TerminateInstances.',
    controls: ['CC6.1'],
    evidence: { action: 'ec2:TerminateInstances', count: 4 },
  },
];

/**
 * A SOC2 report using every field of the model: all section statuses, detail
 * rows (one ragged), hostile strings, a secret under a secret-named key and a
 * PEM key inside a string.
 */
export function buildReport(overrides: Partial<ComprehensiveComplianceReport> = {}): ComprehensiveComplianceReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: 'rpt-20260101-0001',
    generatedAt: '2026-01-01T12:00:00.000Z',
    tool: { name: 'inventag', version: '0.1.0' },
    complianceStandard: 'soc2',
    subject: {
      mode: 'demo',
      account: '123456789012',
      principal: 'arn:aws:sts::123456789012:assumed-role/inventory-reader/ci',
      regions: ['eu-west-1', 'us-east-1'],
      window: { start: '2025-12-31T12:00:00Z', end: '2026-01-01T12:00:00Z' },
    },
    executiveSummary: {
      overallCompliance: 'NON_COMPLIANT',
      complianceScore: 87.5,
      riskScore: 42,
      riskLevel: 'HIGH',
      keyFindings: [
        `2 writes by the inventory role in CloudTrail: s3:PutBucketPolicy, ec2:CreateTags (${HOSTILE})`,
        '4 mutating calls blocked by the guard',
      ],
      immediateActions: [
        'Remove write permissions from the inventory role',
        'Review bucket policy changes made on 2025-12-31',
      ],
    },
    complianceStatus: {
      isCompliant: false,
      verdict: 'NON_COMPLIANT',
      complianceScore: 87.5,
      riskScore: 42,
      securityValidationPassed: false,
      productionMonitoringActive: true,
      totalOperations: 40,
      blockedOperations: 4,
      errorCount: 3,
      lastAssessment: '2026-01-01T12:00:00.000Z',
      recommendations: ['Remove write permissions from the inventory role'],
    },
    scoring: {
      complianceScoreFormula:
        'complianceScore = 100 × (totalOperations − blockedOperations − writesObserved) / totalOperations',
      riskScoreFormula: 'riskScore = min(100, 25 × critical + 10 × high + 4 × medium + 1 × low)',
      inputs: { totalOperations: 40, blockedOperations: 4, writesObserved: 1, critical: 1, high: 1, medium: 1, low: 1 },
    },
    findings: SOC2_FINDINGS,
    sections: {
      auditTrail: {
        title: 'Audit trail',
        status: 'PASS',
        summary: 'The hash chain of 40 entries verified intact.',
        facts: { entries: 40, intact: true, keyed: false, firstEntry: null },
      },
      securityValidation: {
        title: 'Security validation',
        status: 'FAIL',
        summary: '4 mutating operations were blocked.',
        facts: { totalOperations: 40, readOnlyOperations: 36, blockedOperations: 4, complianceRate: 90.25 },
        rows: [
          { action: 'ec2:TerminateInstances', count: 4, risk: 'HIGH' },
          { action: HOSTILE, count: 1, risk: 'LOW', note: PIPE_AND_NEWLINE },
        ],
        detail: { byService: { ec2: 20, s3: 20 }, privateKey: PEM },
      },
      productionMonitoring: {
        title: 'Production monitoring',
        status: 'WARN',
        summary: `Error rate 7.5% above the 5% threshold. Note: ${PEM}`,
        facts: { errorRate: 7.5, cpuPercent: 12.25, openBreakers: 0 },
      },
      cloudtrail: {
        title: 'CloudTrail',
        status: 'FAIL',
        summary: '2 write events by the principal.',
        facts: { eventsRead: 1200, writes: 2 },
        rows: [{ eventId: '7a1b-4c2d', eventName: 'PutBucketPolicy', userAgent: HOSTILE }],
      },
      identity: { title: 'Identity', status: 'NOT_EVALUATED', summary: 'Not evaluated in demo mode.', facts: {} },
    },
    controls: [
      {
        id: 'CC6.1',
        title: 'Logical access security',
        evidence: 'Guard verdicts and the role policy show write access.',
        status: 'FAIL',
        findingIds: ['F-001', 'F-002'],
      },
      {
        id: 'CC6.3',
        title: 'Role-based access and least privilege',
        evidence: 'IAM policies of the principal analysed.',
        status: 'FAIL',
        findingIds: ['F-001'],
      },
      {
        id: 'CC7.2',
        title: 'System monitoring',
        evidence: 'Monitor error rates and breaker states.',
        status: 'PASS',
        findingIds: [],
      },
      {
        id: 'CC7.3',
        title: 'Security event evaluation',
        evidence: 'CloudTrail events evaluated for writes.',
        status: 'FAIL',
        findingIds: ['F-001'],
      },
      {
        id: 'CC1.3',
        title: 'Oversight and responsibilities',
        evidence: 'Configuration reviewed.',
        status: 'NOT_EVALUATED',
        findingIds: [],
      },
    ],
    auditChainHead: { sequence: 40, hash: CHAIN_HASH },
    ...overrides,
  };
}

/** The same evidence under GENERAL: no control IDs anywhere, and no executive summary or chain head. */
export function buildGeneralReport(): ComprehensiveComplianceReport {
  const base = buildReport();
  const { executiveSummary: _e, auditChainHead: _a, ...rest } = base;
  return {
    ...rest,
    complianceStandard: 'general',
    findings: base.findings.map((f) => ({ ...f, controls: [] })),
    controls: [],
  };
}

/** An ISO/IEC 27001:2022 report of a compliant run. */
export function buildIsoReport(): ComprehensiveComplianceReport {
  return buildReport({
    complianceStandard: 'iso27001',
    executiveSummary: {
      overallCompliance: 'COMPLIANT',
      complianceScore: 100,
      riskScore: 0,
      riskLevel: 'LOW',
      keyFindings: [],
      immediateActions: [],
    },
    findings: [],
    controls: [
      {
        id: 'A.5.15',
        title: 'Access control',
        evidence: 'No write allowed by the principal policies.',
        status: 'PASS',
        findingIds: [],
      },
      { id: 'A.8.15', title: 'Logging', evidence: 'Audit chain verified.', status: 'PASS', findingIds: [] },
      { id: 'A.8.16', title: 'Monitoring activities', evidence: 'Monitor active.', status: 'PASS', findingIds: [] },
    ],
  });
}
