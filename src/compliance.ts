/**
 * `inventag/compliance`: the seed's compliance module
 * (`from inventag.compliance import ...`), in TypeScript.
 */
export { ComplianceStandard, OperationType, RiskLevel, ErrorSeverity, CircuitState, ExitCode } from './constants.js';
export type * from './contracts.js';
export { ReadOnlyAccessValidator, COMPLIANCE_SCORE_FORMULA as VALIDATOR_SCORE_FORMULA } from './validator/index.js';
export type {
  ValidationResult,
  ComplianceReport,
  SecurityFinding,
  AuditSummary,
  ReadOnlyAccessValidatorOptions,
  ValidatorAuditEntry,
} from './validator/index.js';
export { ProductionSafetyMonitor } from './monitor/index.js';
export type { MonitoringSummary, SecurityValidationReport, ProductionSafetyMonitorOptions } from './monitor/index.js';
export {
  ComplianceManager,
  loadConfiguration,
  parseConfiguration,
  complianceConfigurationSchema,
  ConfigError,
  runCheck,
} from './manager/index.js';
export type {
  ComplianceConfiguration,
  ComplianceConfigurationInput,
  ComplianceManagerOptions,
} from './manager/index.js';
export type {
  ComprehensiveComplianceReport,
  ComplianceStatus,
  ExecutiveSummary,
  ReportFinding,
  ControlResult,
} from './report/types.js';
export type { DashboardData, ComplianceSnapshot } from './metrics/snapshot.js';
export {
  getInventagPlugin,
  guardClient,
  OperationBlockedError,
  CircuitOpenError,
  isOperationBlockedError,
  isCircuitOpenError,
} from './guard/index.js';
export { VerdictEngine } from './policy/index.js';
