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
export { runCheck, EvidenceError, EVIDENCE_LAYOUT } from './runCheck.js';
export type { CheckRunOptions, CheckRunResult } from './runCheck.js';
export { cloudtrailEvidence, identityEvidence, permissionsEvidence, auditEvidence } from './collect.js';
export type { EvidenceSection, EvidenceFinding, TopicCheck } from './evidence.js';
export {
  COMPLIANCE_SCORE_FORMULA,
  RISK_SCORE_FORMULA,
  RISK_WEIGHTS,
  complianceScore,
  riskScore,
  riskLevelOf,
} from './scoring.js';
export { loadSnapshotSource } from './snapshotSource.js';
export { demoEvidenceDir } from './paths.js';
