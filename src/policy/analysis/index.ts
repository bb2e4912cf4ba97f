export { ActionIndex, defaultActionIndex } from './ActionIndex.js';
export { CREDENTIAL_MINTING_ACTIONS, dangerRank, isSideEffectRead } from './dangerRank.js';
export { formatPolicyReport } from './formatPolicyReport.js';
export type { ReportStyle } from './formatPolicyReport.js';
export { POLICY_VERSIONS, parsePolicyDocument, parsePolicyText } from './parsePolicy.js';
export {
  PolicyAnalysisError,
  PolicyDocumentError,
  isPolicyAnalysisError,
  isPolicyDocumentError,
} from './PolicyAnalysisError.js';
export type { PolicyLocation } from './PolicyAnalysisError.js';
export { NOT_EVALUATED, PolicyAnalyzer, analyzePolicies } from './PolicyAnalyzer.js';
export type { PolicyAnalyzerOptions } from './PolicyAnalyzer.js';
export { DANGER_ORDER, DangerRank } from './types.js';
export type {
  AccessLevelCounts,
  ActionGroup,
  AllowedActionEntry,
  PolicyAnalysisReport,
  SessionGrant,
  PolicyDocument,
  PolicyEffect,
  PolicyStatement,
  SensitiveReadEntry,
  UnrecognisedPattern,
} from './types.js';
