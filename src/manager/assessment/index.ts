export { assess, buildReport, executiveSummary } from './buildReport.js';
export type { Assessment } from './buildReport.js';
export { controlTable } from './controls.js';
export { collectFindings } from './findings.js';
export type { AssessmentConfig, AssessmentInputs, MonitoringFacts, ValidatorFacts } from './inputs.js';
export {
  COMPLIANCE_SCORE_FORMULA,
  RISK_SCORE_FORMULA,
  RISK_WEIGHTS,
  complianceScore,
  riskLevelOf,
  riskScore,
} from './scoring.js';
export { NO_EVIDENCE_REASON, assessStatus, blockedOperationsOf, hasEvidence, inconclusiveReasonsOf } from './status.js';
