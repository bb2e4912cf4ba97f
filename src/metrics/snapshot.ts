/**
 * The one data shape behind `/metrics`, the textfile, the Pushgateway push and
 * the dashboard. The ComplianceManager builds it from its history
 * (`getSnapshot()`); everything in this folder and in dashboard/ only reads it,
 * so the exporters never reach into the audit store or the monitor directly.
 */
import type { CircuitState, ComplianceStandard, ErrorSeverity, RiskLevel } from '../constants.js';

/** How an attempted operation ended. Blocked operations never ran. */
export const OperationOutcome = {
  SUCCESS: 'success',
  FAILURE: 'failure',
  NOT_RUN: 'not_run',
} as const;
export type OperationOutcome = (typeof OperationOutcome)[keyof typeof OperationOutcome];
export const OPERATION_OUTCOMES = Object.values(OperationOutcome);

export const OperationDecision = {
  ALLOWED: 'allowed',
  BLOCKED: 'blocked',
} as const;
export type OperationDecision = (typeof OperationDecision)[keyof typeof OperationDecision];
export const OPERATION_DECISIONS = Object.values(OperationDecision);

/** The seed's `get_compliance_dashboard_data()` result, in camelCase. */
export interface DashboardData {
  /** COMPLIANT, NON_COMPLIANT, INCONCLUSIVE, or NO_EVIDENCE before anything was seen. */
  overallStatus: string;
  /** 0 to 100. */
  complianceScore: number;
  /** 0 to 100; higher is riskier. */
  riskScore: number;
  metrics: {
    /** Percent of operations that succeeded. */
    successRate: number;
    totalOperations: number;
    /** Percent of operations that failed. */
    errorRate: number;
    blockedOperations: number;
  };
  statusIndicators: {
    securityValidation: string;
    productionMonitoring: string;
    cloudtrailIntegration: string;
  };
  timestamp?: string;
  /** The gate's minimum compliance score: the page colours the score by it. */
  minComplianceScore?: number;
  /** Findings by severity, and what the report's executive summary says. */
  findingsBySeverity?: Partial<Record<RiskLevel, number>>;
  keyFindings?: string[];
  immediateActions?: string[];
  recommendations?: string[];
  /** Why the verdict is INCONCLUSIVE. */
  inconclusiveReasons?: string[];
  /** The newest operations, newest first. */
  recentActivity?: { time: string; service: string; operation: string; decision: 'allowed' | 'blocked' }[];
}

/** How many attempts of one service operation ended one way. */
export interface OperationCount {
  service: string;
  operation: string;
  /** `prefix:Action` when the catalog resolved it; preferred for metric labels. */
  iamAction?: string;
  decision: OperationDecision;
  outcome: OperationOutcome;
  count: number;
}

/** Every recorded duration of one service operation, oldest first. */
export interface OperationDurations {
  service: string;
  operation: string;
  iamAction?: string;
  seconds: number[];
}

/** One slice of the operations-over-time chart. */
export interface TimelineBucket {
  /** ISO 8601 start of the bucket. */
  start: string;
  allowed: number;
  blocked: number;
  failed: number;
}

export interface BreakerStatus {
  service: string;
  operation: string;
  iamAction?: string;
  state: CircuitState;
  /** Consecutive failures counted by the breaker, when known. */
  failures?: number;
}

/** Percentages, 0 to 100. */
export interface ResourceUsage {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
}

export interface ResourceStatus {
  /** The most recent sample, absent when performance monitoring is off. */
  latest?: ResourceUsage & { time: string };
  thresholds: ResourceUsage;
}

export interface AuditChainStatus {
  /** Entries in the hash chain. */
  length: number;
  /** Hash of the newest entry. */
  head?: string;
  /** Result of the last verification, when one ran. */
  verified?: boolean;
  /** Entries whose hash and link that verification checked. */
  checked?: number;
  /** Why verification failed. */
  problem?: string;
}

export interface BlockedOperation {
  time: string;
  service: string;
  operation: string;
  iamAction?: string;
  riskLevel: RiskLevel;
  message: string;
}

/** A CloudTrail event worth showing: every field here came from AWS and is untrusted text. */
export interface CloudTrailFinding {
  time: string;
  eventName: string;
  eventSource: string;
  userAgent?: string;
  sourceIpAddress?: string;
  /** The principal's ARN or name. */
  principal?: string;
  readOnly?: boolean;
  errorCode?: string;
  /** Why the event is shown, e.g. "write by the automation principal". */
  reason?: string;
}

export interface CloudTrailSummary {
  /** Events read from LookupEvents or trail files in the analysed window. */
  eventsRead: number;
  /** Write (non-read-only) events among them. */
  writesFound: number;
  /** Writes made by the principal InvenTag guards: each one breaks the read-only promise. */
  writesByAutomation: number;
  findings: CloudTrailFinding[];
}

/** A control of the configured standard and its status in the assessment (the report's control table). */
export interface ControlStatusEntry {
  id: string;
  status: 'PASS' | 'FAIL' | 'NOT_EVALUATED';
}

/** One account of the last `inventag check --org` run (the org report's row). */
export interface AccountStatusEntry {
  /** 12-digit account id. */
  accountId: string;
  verdict: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_EVALUATED';
  complianceScore: number | null;
  writesFound: number | null;
  findings: Partial<Record<RiskLevel, number>>;
}

/** Everything the metrics exporters and the dashboard show, at one instant. */
export interface ComplianceSnapshot {
  /** ISO 8601 time the snapshot was taken. */
  generatedAt: string;
  standard: ComplianceStandard;
  dashboard: DashboardData;
  operations: OperationCount[];
  durations: OperationDurations[];
  timeline: TimelineBucket[];
  errorsBySeverity: Partial<Record<ErrorSeverity, number>>;
  breakers: BreakerStatus[];
  resources: ResourceStatus;
  audit: AuditChainStatus;
  /** Newest first. */
  recentBlocked: BlockedOperation[];
  cloudtrail: CloudTrailSummary;
  /** The control table of the configured standard (empty for GENERAL). */
  controls?: ControlStatusEntry[];
  /** The accounts of the last `check --org` run, when there was one. */
  accounts?: AccountStatusEntry[];
}

/** Where exporters get snapshots; the ComplianceManager is one. */
export interface SnapshotSource {
  getSnapshot(): Promise<ComplianceSnapshot>;
}

/**
 * A snapshot of a history with no operations, with the seed's default
 * thresholds (CPU 80 %, memory 80 %, disk 90 %).
 *
 * @example
 * const snapshot = emptySnapshot();
 * snapshot.dashboard.complianceScore; // 100
 */
export function emptySnapshot(now: Date = new Date()): ComplianceSnapshot {
  return {
    generatedAt: now.toISOString(),
    standard: 'general',
    dashboard: {
      overallStatus: 'NO_EVIDENCE',
      complianceScore: 100,
      riskScore: 0,
      metrics: { successRate: 100, totalOperations: 0, errorRate: 0, blockedOperations: 0 },
      statusIndicators: {
        securityValidation: 'active',
        productionMonitoring: 'active',
        cloudtrailIntegration: 'inactive',
      },
      timestamp: now.toISOString(),
    },
    operations: [],
    durations: [],
    timeline: [],
    errorsBySeverity: {},
    breakers: [],
    resources: { thresholds: { cpuPercent: 80, memoryPercent: 80, diskPercent: 90 } },
    audit: { length: 0 },
    recentBlocked: [],
    cloudtrail: { eventsRead: 0, writesFound: 0, writesByAutomation: 0, findings: [] },
  };
}
