export { ComplianceManager } from './ComplianceManager.js';
export type { ComplianceManagerOptions } from './ComplianceManager.js';
export {
  complianceConfigurationSchema,
  loadConfiguration,
  parseConfiguration,
  ConfigError,
  envName,
  CONFIG_KEYS,
  DEFAULT_CONFIG_FILES,
} from './config.js';
export type {
  ComplianceConfiguration,
  ComplianceConfigurationInput,
  ConfigSource,
  LoadedConfiguration,
  LoadConfigurationOptions,
} from './config.js';
export { runCheck, EvidenceError, EVIDENCE_LAYOUT } from './check/index.js';
export type { CheckRunOptions, CheckRunResult } from './check/index.js';
export {
  auditEvidence,
  cloudtrailEvidence,
  identityEvidence,
  permissionsEvidence,
  trailScanFacts,
} from './evidence/index.js';
export type {
  CloudtrailScanFacts,
  CloudtrailWriteFact,
  EvidenceFacts,
  EvidenceFinding,
  EvidenceIncompleteness,
  EvidenceProblem,
  EvidenceSection,
  TopicCheck,
} from './evidence/index.js';
export { assess, buildReport, collectFindings, controlTable } from './assessment/index.js';
export type {
  Assessment,
  AssessmentConfig,
  AssessmentInputs,
  MonitoringFacts,
  ValidatorFacts,
} from './assessment/index.js';
export {
  COMPLIANCE_SCORE_FORMULA,
  RISK_SCORE_FORMULA,
  RISK_WEIGHTS,
  complianceScore,
  riskScore,
  riskLevelOf,
} from './assessment/index.js';
export { buildSnapshot } from './snapshot/buildSnapshot.js';
export type { LedgerView, SnapshotInputs } from './snapshot/buildSnapshot.js';
export { loadSnapshotSource } from './snapshot/snapshotSource.js';
export type { SnapshotSourceOptions } from './snapshot/snapshotSource.js';
export { SessionLedger } from './session/SessionLedger.js';
export { TOOL_SESSION_PREFIX, isToolSession, newToolSessionId } from './session/toolSession.js';
export {
  AuditKeyMissingError,
  AuditStoreTrustError,
  auditKeyOf,
  isAuditStoreTrustError,
  openAuditStore,
} from './openAuditStore.js';
export type { OpenAuditStoreOptions } from './openAuditStore.js';
export { demoEvidenceDir } from './paths.js';
