/** The production safety monitor: error classification, threshold alerts, circuit breakers, resource sampling, security validation report. */
export { ProductionSafetyMonitor } from './ProductionSafetyMonitor.js';
export type {
  MonitoringSummary,
  MonitorStateFile,
  SecurityValidationReportOptions,
  ServiceOperationStats,
} from './ProductionSafetyMonitor.js';
export { ErrorClassifier, ErrorCategory, USER_IMPACT } from './ErrorClassifier.js';
export type { ClassifiedError, ClassifyContext } from './ErrorClassifier.js';
export { ErrorThresholdWindow } from './ErrorThresholdWindow.js';
export type { ErrorThresholdAlert } from './ErrorThresholdWindow.js';
export { BreakerRegistry, countsAsBreakerFailure, normalizeOperationName } from './BreakerRegistry.js';
export type { BreakerStatus, CircuitStateChange, SavedBreakers } from './BreakerRegistry.js';
export { ResourceSampler } from './ResourceSampler.js';
export type { ResourceSample, ResourceSamplerOptions } from './ResourceSampler.js';
export {
  SecurityReportBuilder,
  computeRiskScore,
  isWithinBusinessHours,
  RISK_SCORE_FORMULA,
} from './SecurityReportBuilder.js';
export type {
  ComplianceViolation,
  RiskInputs,
  RiskScoreComponent,
  SecurityFinding,
  SecurityReportInput,
  SecurityValidationReport,
} from './SecurityReportBuilder.js';
export { DEFAULT_BUSINESS_HOURS, resolveMonitorOptions } from './options.js';
export type {
  BusinessHours,
  MonitorLogger,
  MonitorLoggers,
  ProductionSafetyMonitorOptions,
  ResolvedMonitorOptions,
} from './options.js';
export type { MonitorEvents, PerformanceThresholdBreach, SecurityEventNotice, SlowOperationEvent } from './events.js';
export type { ErrorRecord, OperationRecord, PerformanceBreachRecord, SecurityEventRecord } from './records.js';
export { MonitorError, MonitorConfigError, MonitorStateError, isMonitorError } from './errors.js';
export { readErrorFacts } from './errorFacts.js';
export type { ErrorFacts } from './errorFacts.js';
