/** What the CI renderers (SARIF, JUnit, CSV, GitHub) share: a finding's rule id, its file, its section. */
import type { ComprehensiveComplianceReport, ReportFinding } from './types.js';

/** The finding's stable code: SARIF rule ids and CSV keys. */
export function ruleIdOf(finding: ReportFinding): string {
  return finding.code;
}

const FILE_KEYS = ['file', 'path', 'policyFile', 'trailFile', 'source'] as const;

/** The evidence or policy file a finding points at, when it names one. */
export function fileOf(finding: ReportFinding): string | undefined {
  for (const key of FILE_KEYS) {
    const value = finding.evidence?.[key];
    if (typeof value === 'string' && /\.(json|ya?ml|gz|db)$/i.test(value)) return value;
  }
  // Policy findings name the document they come from: "allowed by <file> Statement[0]".
  return /(?:^|\s)((?:\/|\.{1,2}\/|[A-Za-z]:\\)?[\w./\\-]+\.json)\b/.exec(finding.description)?.[1];
}

/** Which report section each finding source belongs to (for per-section tests when no controls apply). */
export const SECTION_OF_SOURCE: Record<ReportFinding['source'], string> = {
  validator: 'securityValidation',
  guard: 'securityValidation',
  monitor: 'productionMonitoring',
  cloudtrail: 'cloudtrail',
  identity: 'identity',
  permissions: 'permissions',
  audit: 'auditTrail',
  configuration: 'securityValidation',
};

/** One test of the gate: a control of the standard, or (GENERAL has no controls) a section of evidence. */
export interface GateCheck {
  id: string;
  title: string;
  status: 'PASS' | 'FAIL' | 'NOT_EVALUATED';
  detail: string;
  findings: ReportFinding[];
}

/** The controls of the report as checks, or its sections when the standard maps no controls. */
export function gateChecks(report: ComprehensiveComplianceReport): GateCheck[] {
  const byId = new Map(report.findings.map((f) => [f.id, f]));
  if (report.controls.length > 0)
    return report.controls.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      detail: c.evidence,
      findings: c.findingIds.map((id) => byId.get(id)).filter((f): f is ReportFinding => f !== undefined),
    }));
  return Object.entries(report.sections).map(([key, section]) => {
    const findings = report.findings.filter((f) => SECTION_OF_SOURCE[f.source] === key);
    const failing =
      section.status === 'FAIL' || findings.some((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
    return {
      id: key,
      title: section.title,
      status: section.status === 'NOT_EVALUATED' ? 'NOT_EVALUATED' : failing ? 'FAIL' : 'PASS',
      detail: section.summary,
      findings,
    };
  });
}
