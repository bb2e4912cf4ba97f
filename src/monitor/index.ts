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
// The breakers live in src/breaker/ (shared with the guard); the monitor reports and saves them.
export { BreakerRegistry, countsAsBreakerFailure } from '../breaker/index.js';
export type { BreakerStatus, CircuitStateChange, SavedBreakers } from '../breaker/index.js';
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
export { readErrorFacts } from '../breaker/index.js';
export type { ErrorFacts } from '../breaker/index.js';
