import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { COMPLIANCE_STANDARDS, CircuitState, ErrorSeverity } from '../constants.js';
import { MetricsError } from './errors.js';
import { OTHER_LABEL, boundedLabel, operationLabels } from './labels.js';
import { OPERATION_DECISIONS, OPERATION_OUTCOMES, OperationOutcome } from './snapshot.js';
import type { ComplianceSnapshot, OperationDecision } from './snapshot.js';

/** Every metric name this registry exposes (histograms add `_bucket`, `_sum`, `_count`). */
export const MetricName = {
  COMPLIANCE_SCORE: 'inventag_compliance_score',
  RISK_SCORE: 'inventag_risk_score',
  TOTAL_OPERATIONS: 'inventag_total_operations',
  ERROR_RATE: 'inventag_error_rate',
  SUCCESS_RATE: 'inventag_success_rate',
  BLOCKED_OPERATIONS: 'inventag_blocked_operations',
  OPERATIONS: 'inventag_operations_total',
  OPERATION_DURATION: 'inventag_operation_duration_seconds',
  ERRORS: 'inventag_errors_total',
  CIRCUIT_BREAKER_STATE: 'inventag_circuit_breaker_state',
  RESOURCE_USAGE: 'inventag_resource_usage_percent',
  RESOURCE_THRESHOLD: 'inventag_resource_threshold_percent',
  AUDIT_CHAIN_LENGTH: 'inventag_audit_chain_length',
  AUDIT_CHAIN_VERIFICATION: 'inventag_audit_chain_verification',
  CLOUDTRAIL_EVENTS_READ: 'inventag_cloudtrail_events_read',
  CLOUDTRAIL_WRITES_FOUND: 'inventag_cloudtrail_writes_found',
  SNAPSHOT_TIMESTAMP: 'inventag_snapshot_timestamp_seconds',
  INFO: 'inventag_info',
  COMPLIANT: 'inventag_compliant',
  FINDINGS: 'inventag_findings',
  MIN_COMPLIANCE_SCORE: 'inventag_min_compliance_score',
  CONTROL_STATUS: 'inventag_control_status',
  ACCOUNT_COMPLIANT: 'inventag_account_compliant',
  ACCOUNT_EVALUATED: 'inventag_account_evaluated',
  ACCOUNT_COMPLIANCE_SCORE: 'inventag_account_compliance_score',
  ACCOUNT_FINDINGS: 'inventag_account_findings',
  ACCOUNT_WRITES_FOUND: 'inventag_account_writes_found',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Where the operation counters and the duration histogram get their numbers. */
export type OperationsFrom = 'snapshot' | 'live';

export interface ComplianceMetricsOptions {
  /**
   * `snapshot`: every `update()` rebuilds the operation counters, error
   * counters and duration histogram from the snapshot's history (the CLI's
   * case). `live`: they count `observeOperation()` / `observeError()` calls
   * in this process (a guard feeding the registry), and `update()` sets
   * gauges only.
   * @default 'snapshot'
   */
  operationsFrom?: OperationsFrom;
  /**
   * Histogram buckets in seconds, sized for AWS API calls.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
   */
  durationBuckets?: number[];
}

/** One finished (or blocked) operation, as the guard sees it. */
export interface OperationObservation {
  service: string;
  operation: string;
  iamAction?: string;
  decision: OperationDecision;
  outcome: OperationOutcome;
  /** Absent for blocked operations, which never ran. */
  durationSeconds?: number;
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BREAKER_STATES = Object.values(CircuitState);
const SEVERITIES = Object.values(ErrorSeverity);
const BREAKER_RANK: Record<CircuitState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };
const CONTROL_STATES = ['PASS', 'FAIL', 'NOT_EVALUATED'] as const;
const FINDING_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
/** Control IDs as the standards spell them (CC6.1, A.8.15) or custom ones of the same shape; anything else is `other`. */
const CONTROL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const ACCOUNT_ID = /^\d{12}$/;

/**
 * The Prometheus metrics of one InvenTag instance, on a registry of its own
 * (never prom-client's global one, so two instances or a host application's
 * metrics cannot collide).
 *
 * @example
 * const metrics = new ComplianceMetrics();
 * metrics.update(await manager.getSnapshot());
 * const text = await metrics.render(); // Prometheus text format
 */
export class ComplianceMetrics {
  readonly registry: Registry;
  readonly operationsFrom: OperationsFrom;

  private readonly complianceScore: Gauge;
  private readonly riskScore: Gauge;
  private readonly totalOperations: Gauge;
  private readonly errorRate: Gauge;
  private readonly successRate: Gauge;
  private readonly blockedOperations: Gauge;
  private readonly operations: Counter<'service' | 'operation' | 'decision' | 'outcome'>;
  private readonly durations: Histogram<'service' | 'operation'>;
  private readonly errors: Counter<'severity'>;
  private readonly breakerState: Gauge<'service' | 'operation' | 'state'>;
  private readonly resourceUsage: Gauge<'resource'>;
  private readonly resourceThreshold: Gauge<'resource'>;
  private readonly auditChainLength: Gauge;
  private readonly auditChainVerification: Gauge<'result'>;
  private readonly cloudtrailEventsRead: Gauge;
  private readonly cloudtrailWritesFound: Gauge<'principal'>;
  private readonly snapshotTimestamp: Gauge;
  private readonly info: Gauge<'standard'>;
  private readonly compliant: Gauge;
  private readonly findings: Gauge<'severity'>;
  private readonly minComplianceScore: Gauge;
  private readonly controlStatus: Gauge<'framework' | 'control' | 'status'>;
  private readonly accountCompliant: Gauge<'account'>;
  private readonly accountEvaluated: Gauge<'account'>;
  private readonly accountScore: Gauge<'account'>;
  private readonly accountFindings: Gauge<'account' | 'severity'>;
  private readonly accountWrites: Gauge<'account'>;

  constructor(options: ComplianceMetricsOptions = {}) {
    this.operationsFrom = options.operationsFrom ?? 'snapshot';
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    const gauge = (name: string, help: string): Gauge => new Gauge({ name, help, registers });

    this.complianceScore = gauge(MetricName.COMPLIANCE_SCORE, 'Compliance score, 0 to 100.');
    this.riskScore = gauge(MetricName.RISK_SCORE, 'Risk score, 0 to 100 (higher is riskier).');
    this.compliant = gauge(
      MetricName.COMPLIANT,
      'The verdict the CI gate takes: 1 when COMPLIANT, 0 when NON_COMPLIANT, INCONCLUSIVE or without evidence.',
    );
    this.findings = new Gauge({
      name: MetricName.FINDINGS,
      help: 'Findings of the assessment by severity.',
      labelNames: ['severity'],
      registers,
    });
    this.minComplianceScore = gauge(
      MetricName.MIN_COMPLIANCE_SCORE,
      'The gate: the lowest compliance score that passes (minComplianceScore of the configuration).',
    );
    this.controlStatus = new Gauge({
      name: MetricName.CONTROL_STATUS,
      help: 'Each control of the configured standard: 1 for its current status (PASS, FAIL, NOT_EVALUATED), 0 for the others.',
      labelNames: ['framework', 'control', 'status'],
      registers,
    });
    const perAccount = <L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> =>
      new Gauge({ name, help, labelNames, registers });
    this.accountCompliant = perAccount(
      MetricName.ACCOUNT_COMPLIANT,
      'Last check --org: 1 when the account is COMPLIANT, 0 otherwise (only the accounts of that run).',
      ['account'],
    );
    this.accountEvaluated = perAccount(
      MetricName.ACCOUNT_EVALUATED,
      'Last check --org: 1 when the account was evaluated, 0 when NOT_EVALUATED.',
      ['account'],
    );
    this.accountScore = perAccount(
      MetricName.ACCOUNT_COMPLIANCE_SCORE,
      'Last check --org: compliance score of each evaluated account.',
      ['account'],
    );
    this.accountFindings = perAccount(
      MetricName.ACCOUNT_FINDINGS,
      'Last check --org: findings of each account by severity.',
      ['account', 'severity'],
    );
    this.accountWrites = perAccount(
      MetricName.ACCOUNT_WRITES_FOUND,
      "Last check --org: writes by the automation's session in each evaluated account's CloudTrail.",
      ['account'],
    );
    this.totalOperations = gauge(MetricName.TOTAL_OPERATIONS, 'Operations attempted in the history.');
    this.errorRate = gauge(MetricName.ERROR_RATE, 'Percent of operations that failed.');
    this.successRate = gauge(MetricName.SUCCESS_RATE, 'Percent of operations that succeeded.');
    this.blockedOperations = gauge(
      MetricName.BLOCKED_OPERATIONS,
      'Operations the guard blocked before they were sent.',
    );
    this.operations = new Counter({
      name: MetricName.OPERATIONS,
      help: 'Attempted AWS operations by IAM service, action, guard decision and outcome.',
      labelNames: ['service', 'operation', 'decision', 'outcome'],
      registers,
    });
    this.durations = new Histogram({
      name: MetricName.OPERATION_DURATION,
      help: 'Duration of AWS operations that ran, in seconds.',
      labelNames: ['service', 'operation'],
      buckets: options.durationBuckets ?? DEFAULT_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: MetricName.ERRORS,
      help: 'Classified errors by severity.',
      labelNames: ['severity'],
      registers,
    });
    this.breakerState = new Gauge({
      name: MetricName.CIRCUIT_BREAKER_STATE,
      help: 'Circuit breaker state per service operation: 1 for the current state, 0 for the others.',
      labelNames: ['service', 'operation', 'state'],
      registers,
    });
    this.resourceUsage = new Gauge({
      name: MetricName.RESOURCE_USAGE,
      help: 'Latest resource usage sample, percent.',
      labelNames: ['resource'],
      registers,
    });
    this.resourceThreshold = new Gauge({
      name: MetricName.RESOURCE_THRESHOLD,
      help: 'Alerting threshold per resource, percent.',
      labelNames: ['resource'],
      registers,
    });
    this.auditChainLength = gauge(MetricName.AUDIT_CHAIN_LENGTH, 'Entries in the tamper-evident audit hash chain.');
    this.auditChainVerification = new Gauge({
      name: MetricName.AUDIT_CHAIN_VERIFICATION,
      help: 'Result of the last audit chain verification: 1 for the current result (passed, failed, not_run), 0 for the others.',
      labelNames: ['result'],
      registers,
    });
    this.cloudtrailEventsRead = gauge(
      MetricName.CLOUDTRAIL_EVENTS_READ,
      'CloudTrail events read in the analysed window.',
    );
    this.cloudtrailWritesFound = new Gauge({
      name: MetricName.CLOUDTRAIL_WRITES_FOUND,
      help: 'CloudTrail write events in the analysed window, by principal: "automation" (the guarded principal) or "other".',
      labelNames: ['principal'],
      registers,
    });
    this.snapshotTimestamp = gauge(MetricName.SNAPSHOT_TIMESTAMP, 'Unix time the exported snapshot was taken.');
    this.info = new Gauge({
      name: MetricName.INFO,
      help: 'Always 1; labels carry the compliance standard.',
      labelNames: ['standard'],
      registers,
    });
  }

  /** Sets every gauge from a snapshot and, in `snapshot` mode, rebuilds the counters and histogram. */
  update(snapshot: ComplianceSnapshot): void {
    const { dashboard } = snapshot;
    this.complianceScore.set(dashboard.complianceScore);
    this.riskScore.set(dashboard.riskScore);
    this.compliant.set(dashboard.overallStatus === 'COMPLIANT' ? 1 : 0);
    for (const severity of ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const)
      this.findings.set({ severity }, dashboard.findingsBySeverity?.[severity] ?? 0);
    if (dashboard.minComplianceScore !== undefined) this.minComplianceScore.set(dashboard.minComplianceScore);
    this.totalOperations.set(dashboard.metrics.totalOperations);
    this.errorRate.set(dashboard.metrics.errorRate);
    this.successRate.set(dashboard.metrics.successRate);
    this.blockedOperations.set(dashboard.metrics.blockedOperations);

    this.updateBreakers(snapshot);
    this.updateResources(snapshot);
    this.updateControls(snapshot);
    this.updateAccounts(snapshot);

    this.auditChainLength.set(snapshot.audit.length);
    const verified = snapshot.audit.verified;
    const result = verified === undefined ? 'not_run' : verified ? 'passed' : 'failed';
    for (const candidate of ['passed', 'failed', 'not_run'])
      this.auditChainVerification.set({ result: candidate }, candidate === result ? 1 : 0);

    const trail = snapshot.cloudtrail;
    this.cloudtrailEventsRead.set(trail.eventsRead);
    this.cloudtrailWritesFound.set({ principal: 'automation' }, trail.writesByAutomation);
    this.cloudtrailWritesFound.set({ principal: 'other' }, Math.max(0, trail.writesFound - trail.writesByAutomation));

    const taken = Date.parse(snapshot.generatedAt);
    if (Number.isFinite(taken)) this.snapshotTimestamp.set(taken / 1000);
    this.info.reset();
    this.info.set({ standard: boundedLabel(snapshot.standard, COMPLIANCE_STANDARDS) }, 1);

    if (this.operationsFrom === 'snapshot') this.rebuildHistory(snapshot);
  }

  /** Counts one operation (live mode). */
  observeOperation(event: OperationObservation): void {
    this.requireLive('observeOperation');
    const { service, operation } = operationLabels(event.service, event.operation, event.iamAction);
    this.operations.inc({
      service,
      operation,
      decision: boundedLabel(event.decision, OPERATION_DECISIONS),
      outcome: boundedLabel(event.outcome, OPERATION_OUTCOMES),
    });
    if (event.durationSeconds !== undefined && event.outcome !== OperationOutcome.NOT_RUN) {
      this.durations.observe({ service, operation }, event.durationSeconds);
    }
  }

  /** Counts one classified error (live mode). */
  observeError(severity: ErrorSeverity): void {
    this.requireLive('observeError');
    this.errors.inc({ severity: boundedLabel(severity, SEVERITIES) });
  }

  /** The registry in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private requireLive(method: string): void {
    if (this.operationsFrom !== 'live') {
      throw new MetricsError(
        'WRONG_MODE',
        `ComplianceMetrics.${method}() needs operationsFrom: 'live'; this registry takes its operation history from snapshots`,
      );
    }
  }

  private updateBreakers(snapshot: ComplianceSnapshot): void {
    // Unknown operations share the `other` labels; show the worst state among them.
    const worst = new Map<string, { service: string; operation: string; state: CircuitState }>();
    for (const breaker of snapshot.breakers) {
      const labels = operationLabels(breaker.service, breaker.operation, breaker.iamAction);
      const state = boundedLabel(breaker.state, BREAKER_STATES) === 'other' ? CircuitState.OPEN : breaker.state;
      const key = `${labels.service}:${labels.operation}`;
      const seen = worst.get(key);
      if (!seen || BREAKER_RANK[state] > BREAKER_RANK[seen.state]) worst.set(key, { ...labels, state });
    }
    this.breakerState.reset();
    for (const { service, operation, state } of worst.values()) {
      for (const candidate of BREAKER_STATES)
        this.breakerState.set({ service, operation, state: candidate }, candidate === state ? 1 : 0);
    }
  }

  private updateControls(snapshot: ComplianceSnapshot): void {
    this.controlStatus.reset();
    const framework = boundedLabel(snapshot.standard, COMPLIANCE_STANDARDS);
    for (const control of snapshot.controls ?? []) {
      const id = CONTROL_ID.test(control.id) ? control.id : OTHER_LABEL;
      for (const status of CONTROL_STATES)
        this.controlStatus.set({ framework, control: id, status }, status === control.status ? 1 : 0);
    }
  }

  // Only the accounts of the last org run: the gauges are rebuilt from the snapshot each time.
  private updateAccounts(snapshot: ComplianceSnapshot): void {
    for (const g of [this.accountCompliant, this.accountEvaluated, this.accountScore, this.accountWrites]) g.reset();
    this.accountFindings.reset();
    for (const a of snapshot.accounts ?? []) {
      if (!ACCOUNT_ID.test(a.accountId)) continue;
      const account = a.accountId;
      this.accountCompliant.set({ account }, a.verdict === 'COMPLIANT' ? 1 : 0);
      this.accountEvaluated.set({ account }, a.verdict === 'NOT_EVALUATED' ? 0 : 1);
      if (a.complianceScore !== null) this.accountScore.set({ account }, a.complianceScore);
      if (a.writesFound !== null) this.accountWrites.set({ account }, a.writesFound);
      for (const severity of FINDING_SEVERITIES)
        this.accountFindings.set({ account, severity }, a.findings[severity] ?? 0);
    }
  }

  private updateResources(snapshot: ComplianceSnapshot): void {
    const { latest, thresholds } = snapshot.resources;
    this.resourceUsage.reset();
    if (latest) {
      this.resourceUsage.set({ resource: 'cpu' }, latest.cpuPercent);
      this.resourceUsage.set({ resource: 'memory' }, latest.memoryPercent);
      this.resourceUsage.set({ resource: 'disk' }, latest.diskPercent);
    }
    this.resourceThreshold.set({ resource: 'cpu' }, thresholds.cpuPercent);
    this.resourceThreshold.set({ resource: 'memory' }, thresholds.memoryPercent);
    this.resourceThreshold.set({ resource: 'disk' }, thresholds.diskPercent);
  }

  private rebuildHistory(snapshot: ComplianceSnapshot): void {
    this.operations.reset();
    for (const entry of snapshot.operations) {
      if (!(entry.count > 0)) continue;
      const { service, operation } = operationLabels(entry.service, entry.operation, entry.iamAction);
      this.operations.inc(
        {
          service,
          operation,
          decision: boundedLabel(entry.decision, OPERATION_DECISIONS),
          outcome: boundedLabel(entry.outcome, OPERATION_OUTCOMES),
        },
        entry.count,
      );
    }
    this.durations.reset();
    for (const entry of snapshot.durations) {
      // One child per series: prom-client hashes the labels once, not once per observation.
      const series = this.durations.labels(operationLabels(entry.service, entry.operation, entry.iamAction));
      for (const seconds of entry.seconds) series.observe(seconds);
    }
    this.errors.reset();
    for (const severity of SEVERITIES)
      this.errors.inc({ severity }, Math.max(0, snapshot.errorsBySeverity[severity] ?? 0));
  }
}
