import { RiskLevel } from '../../constants.js';
import { ComplianceVerdict, type ComplianceStatus, type ReportFinding } from '../../report/types.js';
import type { AssessmentInputs } from './inputs.js';
import { complianceScore, isCompliant, riskScore } from './scoring.js';

/** Blocked attempts: every attempt that neither was read-only nor ran by override. */
export const blockedOperationsOf = (inputs: AssessmentInputs): number =>
  inputs.validator.totalOperations - inputs.validator.readOnlyOperations - inputs.validator.allowedByOverride;

/** No operation and no evidence at all: nothing to judge, so never COMPLIANT (the page says "no evidence yet"). */
export const hasEvidence = (inputs: AssessmentInputs): boolean =>
  inputs.validator.totalOperations > 0 || inputs.evidence.length > 0;

export const NO_EVIDENCE_REASON =
  'No evidence: no operation was recorded and no evidence (audit trail, identity, policies, CloudTrail) was read.';

/** Why the evidence is incomplete (one line per source that could not be read completely), or that there is none. */
export const inconclusiveReasonsOf = (inputs: AssessmentInputs): string[] =>
  hasEvidence(inputs)
    ? inputs.evidence.flatMap((e) => (e.incomplete ? [e.incomplete.reason] : []))
    : [NO_EVIDENCE_REASON];

/**
 * The seed's ComplianceStatus, with the verdict: NON_COMPLIANT when a threshold is missed or a CRITICAL
 * finding stands (even on incomplete evidence: what was read already fails); otherwise INCONCLUSIVE when some
 * evidence could not be read completely, or there is none at all; COMPLIANT only on complete evidence.
 */
export function assessStatus(inputs: AssessmentInputs, findings: readonly ReportFinding[]): ComplianceStatus {
  const vr = inputs.validator;
  const score = complianceScore(vr.readOnlyOperations, vr.totalOperations);
  const risk = riskScore(findings);
  const blocked = blockedOperationsOf(inputs);
  const passes = isCompliant(
    { complianceScore: score, riskScore: risk, blockedOperations: blocked, findings },
    inputs.config,
    inputs.minComplianceScore,
  );
  const inconclusive = inconclusiveReasonsOf(inputs);
  const verdict = !passes
    ? ComplianceVerdict.NON_COMPLIANT
    : inconclusive.length > 0
      ? ComplianceVerdict.INCONCLUSIVE
      : ComplianceVerdict.COMPLIANT;
  const recommendations = [
    ...new Set([
      ...findings
        .filter((f) => f.severity === RiskLevel.CRITICAL || f.severity === RiskLevel.HIGH)
        .map((f) => f.recommendation),
      ...vr.recommendations,
      ...(risk >= 40
        ? [
            `The risk score is ${risk.toFixed(0)}/100: fix the HIGH and CRITICAL findings first; each one adds 15 or 40 points.`,
          ]
        : []),
    ]),
  ];
  return {
    isCompliant: verdict === ComplianceVerdict.COMPLIANT,
    verdict,
    ...(inconclusive.length ? { inconclusiveReasons: inconclusive } : {}),
    complianceScore: score,
    riskScore: risk,
    // The guard always enforces; this says whether what it saw passed.
    securityValidationPassed:
      vr.allowedByOverride === 0 && blocked === 0 && !findings.some((f) => f.severity === RiskLevel.CRITICAL),
    productionMonitoringActive: inputs.config.enableProductionMonitoring,
    totalOperations: vr.totalOperations,
    blockedOperations: blocked,
    errorCount: inputs.monitoring?.summary.totalErrors ?? 0,
    lastAssessment: inputs.generatedAt,
    recommendations,
  };
}
