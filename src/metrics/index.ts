export { ComplianceMetrics, MetricName } from './ComplianceMetrics.js';
export type { ComplianceMetricsOptions, OperationObservation, OperationsFrom } from './ComplianceMetrics.js';
export { startMetricsServer } from './metricsServer.js';
export type { MetricsServerOptions } from './metricsServer.js';
export { writeTextfile } from './textfile.js';
export { pushToGateway } from './pushgateway.js';
export type { PushOptions } from './pushgateway.js';
export { FileSnapshotSource } from './FileSnapshotSource.js';
export { complianceSnapshotSchema, parseSnapshot } from './snapshotSchema.js';
export {
  emptySnapshot,
  OperationDecision,
  OperationOutcome,
  OPERATION_DECISIONS,
  OPERATION_OUTCOMES,
} from './snapshot.js';
export type {
  AuditChainStatus,
  BlockedOperation,
  BreakerStatus,
  CloudTrailFinding,
  CloudTrailSummary,
  ComplianceSnapshot,
  DashboardData,
  OperationCount,
  OperationDurations,
  ResourceStatus,
  ResourceUsage,
  SnapshotSource,
  TimelineBucket,
} from './snapshot.js';
export { operationLabels, OTHER_LABEL } from './labels.js';
export { MIN_TOKEN_LENGTH, isLoopbackHost } from './httpAccess.js';
export type { RunningServer } from './httpAccess.js';
export { BindError, MetricsError, PushgatewayError, SnapshotError, TextfileError, isMetricsError } from './errors.js';
export type { MetricsErrorCode } from './errors.js';
