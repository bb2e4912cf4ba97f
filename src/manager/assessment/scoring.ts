import { ComplianceStandard, RiskLevel, RISK_ORDER } from '../../constants.js';
import type { ReportFinding } from '../../report/types.js';
import type { ComplianceConfiguration } from '../config.js';

/** Points each finding adds to the risk score, by severity. */
export const RISK_WEIGHTS: Readonly<Record<RiskLevel, number>> = { CRITICAL: 40, HIGH: 15, MEDIUM: 5, LOW: 1 };

export const COMPLIANCE_SCORE_FORMULA =
  'complianceScore = 100 × readOnlyOperations / totalOperations, rounded to one decimal (100 when no operation was attempted). readOnlyOperations are the attempts that were read-only and ran; every blocked attempt (mutating, unknown or denied by rule) lowers the score, because the automation tried to do something it must not.';

export const RISK_SCORE_FORMULA = `riskScore = min(100, 40 × CRITICAL + 15 × HIGH + 5 × MEDIUM + 1 × LOW), counting findings by severity. riskLevel: CRITICAL from 70, HIGH from 40, MEDIUM from 15, otherwise LOW.`;

export const COMPLIANT_RULE = (
  minScore: number,
  standard: ComplianceStandard,
  maxRisk?: number,
  maxBlocked?: number,
): string =>
  `COMPLIANT when complianceScore >= ${minScore}, there is no CRITICAL finding (a write by the principal seen by CloudTrail, a tampered audit trail, an unguarded call)${standard === ComplianceStandard.CUSTOM ? `, riskScore <= ${maxRisk ?? 100}${maxBlocked !== undefined ? ` and blocked operations <= ${maxBlocked}` : ''}` : ''}.`;

export function complianceScore(readOnlyOperations: number, totalOperations: number): number {
  return totalOperations === 0 ? 100 : Math.round((1000 * readOnlyOperations) / totalOperations) / 10;
}

export function riskScore(findings: readonly Pick<ReportFinding, 'severity'>[]): number {
  return Math.min(
    100,
    findings.reduce((sum, f) => sum + RISK_WEIGHTS[f.severity], 0),
  );
}

export function riskLevelOf(score: number): RiskLevel {
  if (score >= 70) return RiskLevel.CRITICAL;
  if (score >= 40) return RiskLevel.HIGH;
  if (score >= 15) return RiskLevel.MEDIUM;
  return RiskLevel.LOW;
}

export interface Verdictable {
  complianceScore: number;
  riskScore: number;
  blockedOperations: number;
  findings: readonly Pick<ReportFinding, 'severity'>[];
}

/** The thresholds that decide compliant / non-compliant under the configured standard. */
export function thresholdsOf(
  config: Pick<ComplianceConfiguration, 'complianceStandard' | 'custom' | 'minComplianceScore'>,
): {
  minComplianceScore: number;
  maxRiskScore: number | undefined;
  maxBlockedOperations: number | undefined;
} {
  if (config.complianceStandard === ComplianceStandard.CUSTOM && config.custom) {
    return {
      minComplianceScore: config.custom.thresholds.minComplianceScore,
      maxRiskScore: config.custom.thresholds.maxRiskScore,
      maxBlockedOperations: config.custom.thresholds.maxBlockedOperations,
    };
  }
  return { minComplianceScore: config.minComplianceScore, maxRiskScore: undefined, maxBlockedOperations: undefined };
}

export function isCompliant(
  v: Verdictable,
  config: Pick<ComplianceConfiguration, 'complianceStandard' | 'custom' | 'minComplianceScore'>,
  minScoreOverride?: number,
): boolean {
  const t = thresholdsOf(config);
  const min = minScoreOverride ?? t.minComplianceScore;
  if (v.complianceScore < min) return false;
  if (v.findings.some((f) => f.severity === RiskLevel.CRITICAL)) return false;
  if (t.maxRiskScore !== undefined && v.riskScore > t.maxRiskScore) return false;
  if (t.maxBlockedOperations !== undefined && v.blockedOperations > t.maxBlockedOperations) return false;
  return true;
}

export const bySeverity = (a: Pick<ReportFinding, 'severity'>, b: Pick<ReportFinding, 'severity'>): number =>
  RISK_ORDER[b.severity] - RISK_ORDER[a.severity];
