import { EventEmitter } from 'node:events';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { z } from 'zod';
import { ErrorSeverity, RiskLevel } from '../constants.js';
import type { CloudTrailEvent } from '../cloudtrail/CloudTrailEvent.js';
import type { LookupEventsReader } from '../cloudtrail/LookupEventsReader.js';
import type { LookupFilter } from '../cloudtrail/lookupFilter.js';
import type { OperationMonitor, SecurityEvent } from '../contracts.js';
import { BoundedLog } from './BoundedLog.js';
import {
  BreakerRegistry,
  savedBreakersSchema,
  type BreakerStatus,
  type CircuitStateChange,
} from '../breaker/BreakerRegistry.js';
import { ErrorCategory, ErrorClassifier, USER_IMPACT, type ClassifiedError } from './ErrorClassifier.js';
import { ErrorThresholdWindow } from './ErrorThresholdWindow.js';
import { isBreakerStateError } from '../breaker/errors.js';
import { isGuardBlock, readErrorFacts, safeGet } from '../breaker/errorFacts.js';
import { MonitorConfigError, MonitorStateError } from './errors.js';
import type { MonitorEvents, PerformanceThresholdBreach } from './events.js';
import { readJsonFile, writeJsonFile } from './jsonFile.js';
import { redact } from '../audit/redact.js';
import {
  resolveMonitorOptions,
  type MonitorLogger,
  type MonitorLoggers,
  type ProductionSafetyMonitorOptions,
  type ResolvedMonitorOptions,
} from './options.js';
import type { ErrorRecord, OperationRecord, PerformanceBreachRecord, SecurityEventRecord } from './records.js';
import { ResourceSampler, type ResourceSample } from './ResourceSampler.js';
import { SecurityReportBuilder, type SecurityValidationReport } from './SecurityReportBuilder.js';

/** Per-service operation counts in the summary. */
export interface ServiceOperationStats {
  total: number;
  successful: number;
  failed: number;
  averageDurationSeconds: number;
  maxDurationSeconds: number;
}

/** The seed's `get_monitoring_summary()`, in camelCase. Rates are percentages 0-100. */
export interface MonitoringSummary {
  timestamp: string;
  totalOperations: number;
  successfulOperations: number;
  failedOperations: number;
  totalErrors: number;
  /** errors / max(totalOperations, errors) × 100, where errors = max(failedOperations, totalErrors). */
  errorRate: number;
  /** successfulOperations / totalOperations × 100 (100 before any operation). */
  successRate: number;
  averageDurationSeconds: number;
  slowOperations: number;
  operationsByService: Record<string, ServiceOperationStats>;
  errorsBySeverity: Record<ErrorSeverity, number>;
  errorsByCategory: Partial<Record<ErrorCategory, number>>;
  /** Errors inside the current sliding window, and what raises an alert. */
  errorsInWindow: number;
  errorThreshold: number;
  errorWindowSeconds: number;
  circuitBreakerStates: Record<string, BreakerStatus>;
  performanceThresholds: { cpu: number; memory: number; disk: number };
  performanceMonitoringActive: boolean;
  latestResourceSample: ResourceSample | null;
  performanceThresholdBreaches: number;
  securityEvents: number;
  blockedOperations: number;
  cloudtrailEnabled: boolean;
  /** The AWS account the operations ran in, when known (`setAccountId`; the manager sets it from the identity). */
  accountId?: string;
  /**
   * Errors per `service:operation`: a failed `recordOperation` and a `handleError` of the same call count once
   * (the larger of the two counts per key).
   */
  errorsByOperation: Record<string, number>;
}

export interface SecurityValidationReportOptions {
  /**
   * Hours before `endTime` the report covers.
   * @default 24
   */
  validationPeriodHours?: number;
  /**
   * End of the period.
   * @default new Date()
   */
  endTime?: Date;
}

/** The JSON file written by `saveState()`. */
export interface MonitorStateFile {
  format: 'inventag-monitor-state';
  version: 1;
  savedAt: string;
  circuitBreakerThreshold: number;
  circuitBreakerTimeout: number;
  breakers: z.infer<typeof savedBreakersSchema>;
}

const stateFileSchema = z.object({
  format: z.literal('inventag-monitor-state', { error: 'must be "inventag-monitor-state"' }),
  version: z.literal(1, { error: 'must be 1' }),
  savedAt: z.string().optional(),
  circuitBreakerThreshold: z.number().optional(),
  circuitBreakerTimeout: z.number().optional(),
  breakers: savedBreakersSchema,
});

/** How long a block the guard reported waits for the matching `handleError` call, so one block is counted once. */
const BLOCK_MATCH_MS = 60_000;
const RISK_LEVELS = new Set<string>(Object.values(RiskLevel));

const round2 = (n: number): number => Math.round(n * 100) / 100;
const text = (value: unknown, fallback: string): string =>
  typeof value === 'string' && value.trim().length > 0 ? value : fallback;

/**
 * Production safety monitor: classifies errors (severity, impact, recovery),
 * raises threshold alerts over a sliding window, keeps one cockatiel circuit
 * breaker per `service:operation`, samples CPU, memory and disk, records
 * operations, and writes the security validation report.
 *
 * Recording methods never throw, whatever they are given: a monitor must not
 * turn a failing AWS call into a crash.
 *
 * @example
 * const monitor = new ProductionSafetyMonitor({ errorThreshold: 10, performanceThresholdCpu: 80 });
 * monitor.on('errorThresholdExceeded', (alert) => console.warn(alert.topErrorKinds));
 * try {
 *   await ec2.send(new DescribeInstancesCommand({}));
 * } catch (err) {
 *   const context = monitor.handleError(err, { operation: 'DescribeInstances', service: 'ec2' });
 *   console.error(context.severity, context.recoveryAction);
 * }
 */
export class ProductionSafetyMonitor extends EventEmitter<MonitorEvents> implements OperationMonitor {
  readonly options: Readonly<ResolvedMonitorOptions>;
  private readonly loggers: MonitorLoggers;
  private readonly classifier = new ErrorClassifier();
  private readonly errorWindow: ErrorThresholdWindow;
  private readonly breakers: BreakerRegistry;
  private readonly sampler: ResourceSampler;
  private readonly reportBuilder = new SecurityReportBuilder();

  private readonly operations: BoundedLog<OperationRecord>;
  private readonly slowOperations: BoundedLog<OperationRecord>;
  private readonly errors: BoundedLog<ErrorRecord>;
  private readonly securityEvents: BoundedLog<SecurityEventRecord>;
  private readonly breaches: BoundedLog<PerformanceBreachRecord>;
  private readonly samples: BoundedLog<ResourceSample>;
  private readonly pendingBlocks = new Map<string, number[]>();

  private totals = {
    operations: 0,
    successful: 0,
    durationSeconds: 0,
    errors: 0,
    slow: 0,
    securityEvents: 0,
    blocked: 0,
    breaches: 0,
  };
  private readonly byService = new Map<string, ServiceOperationStats & { durationSeconds: number }>();
  private readonly bySeverity: Record<ErrorSeverity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
  private readonly byCategory: Partial<Record<ErrorCategory, number>> = {};
  /** handleError calls and failed recordOperation calls per `service:operation` (bounded like the logs). */
  private readonly reportedErrors = new Map<string, number>();
  private readonly failedCalls = new Map<string, number>();
  private accountId: string | undefined;

  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private cloudtrailReader: LookupEventsReader | undefined;
  /** Bumped by stop, so a sample that was in flight does not report after it. */
  private generation = 0;

  /** @throws {MonitorConfigError} when an option is out of range, naming the option. */
  constructor(options: ProductionSafetyMonitorOptions = {}) {
    super();
    this.options = Object.freeze(resolveMonitorOptions(options));
    const o = this.options;
    this.loggers = o.loggers;
    this.errorWindow = new ErrorThresholdWindow(o.errorThreshold, o.errorWindowSeconds);
    this.breakers = new BreakerRegistry({
      threshold: o.circuitBreakerThreshold,
      timeoutSeconds: o.circuitBreakerTimeout,
      onStateChange: (change) => this.onCircuitStateChange(change),
    });
    this.sampler = new ResourceSampler({ dataDirectory: o.dataDirectory });
    this.operations = new BoundedLog(o.historySize);
    this.slowOperations = new BoundedLog(o.historySize);
    this.errors = new BoundedLog(o.historySize);
    this.securityEvents = new BoundedLog(o.historySize);
    this.breaches = new BoundedLog(o.historySize);
    this.samples = new BoundedLog(o.performanceHistorySize);
  }

  /**
   * Classify an error and record it: severity, user impact, recovery action,
   * correlation ID. Logs to the errors log, counts towards the error threshold,
   * and records guard blocks as security events. Never throws.
   */
  handleError(
    error: unknown,
    context: { operation: string; service: string; resourceArn?: string; recoveryAction?: string },
  ): ClassifiedError {
    const service = text(safeGet(context, 'service'), 'unknown');
    const operation = text(safeGet(context, 'operation'), 'unknown');
    let classified: ClassifiedError;
    try {
      const facts = readErrorFacts(error);
      const resourceArn = safeGet(context, 'resourceArn');
      const recoveryAction = safeGet(context, 'recoveryAction');
      classified = this.classifier.classify(
        error,
        {
          service,
          operation,
          ...(typeof resourceArn === 'string' ? { resourceArn } : {}),
          ...(typeof recoveryAction === 'string' && recoveryAction.length > 0 ? { recoveryAction } : {}),
        },
        facts,
      );
      if (isGuardBlock(error, facts)) this.recordBlockFromError(error, service, operation, classified.errorMessage);
    } catch (internal) {
      // Only reachable through a bug in the classifier; keep the promise not to throw.
      classified = {
        timestamp: new Date().toISOString(),
        errorType: 'UnclassifiedError',
        errorMessage: `The error could not be classified: ${String((internal as Error)?.message ?? internal)}`,
        severity: ErrorSeverity.HIGH,
        operation,
        service,
        recoveryAction: 'Inspect the original error in the application log.',
        userImpact: USER_IMPACT.HIGH,
        correlationId: 'unavailable',
        retryable: false,
        category: ErrorCategory.UNEXPECTED,
      };
    }
    const at = Date.parse(classified.timestamp);
    this.totals.errors++;
    bumpKey(this.reportedErrors, `${service}:${operation}`, this.options.historySize);
    this.bySeverity[classified.severity]++;
    this.byCategory[classified.category] = (this.byCategory[classified.category] ?? 0) + 1;
    this.errors.push({
      at,
      service,
      operation,
      errorType: classified.errorType,
      category: classified.category,
      severity: classified.severity,
    });
    const level =
      classified.severity === ErrorSeverity.CRITICAL || classified.severity === ErrorSeverity.HIGH
        ? 'error'
        : classified.severity === ErrorSeverity.INFO
          ? 'info'
          : 'warn';
    this.log(
      'errors',
      level,
      { ...classified },
      `${classified.severity} ${classified.errorType} in ${service}:${operation}`,
    );
    this.safeEmit('errorHandled', classified);
    const alert = this.errorWindow.record(at, classified.category, classified.severity);
    if (alert) {
      this.log(
        'metrics',
        'warn',
        { event: 'error_threshold_exceeded', ...alert },
        `Error threshold exceeded: ${alert.errorCount} errors within ${alert.windowSeconds}s`,
      );
      this.safeEmit('errorThresholdExceeded', alert);
    }
    return classified;
  }

  /** Record one AWS operation that ran (blocked operations are security events instead). Never throws. */
  recordOperation(operation: string, service: string, durationSeconds: number, success: boolean): void {
    try {
      const op = text(operation, 'unknown');
      const svc = text(service, 'unknown');
      let duration = durationSeconds;
      if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) {
        this.log(
          'production',
          'warn',
          { service: svc, operation: op, durationSeconds: String(durationSeconds) },
          'recordOperation: duration must be a finite number of seconds >= 0; recorded as 0',
        );
        duration = 0;
      }
      const ok = success === true;
      const at = Date.now();
      const record: OperationRecord = { at, service: svc, operation: op, durationSeconds: duration, success: ok };
      this.operations.push(record);
      this.totals.operations++;
      this.totals.durationSeconds += duration;
      if (ok) this.totals.successful++;
      else bumpKey(this.failedCalls, `${svc}:${op}`, this.options.historySize);
      const stats = this.byService.get(svc) ?? {
        total: 0,
        successful: 0,
        failed: 0,
        averageDurationSeconds: 0,
        maxDurationSeconds: 0,
        durationSeconds: 0,
      };
      stats.total++;
      if (ok) stats.successful++;
      else stats.failed++;
      stats.durationSeconds += duration;
      stats.maxDurationSeconds = Math.max(stats.maxDurationSeconds, duration);
      this.byService.set(svc, stats);
      if (duration > this.options.slowOperationThresholdSeconds) {
        this.totals.slow++;
        this.slowOperations.push(record);
        const event = {
          timestamp: new Date(at).toISOString(),
          service: svc,
          operation: op,
          durationSeconds: duration,
          thresholdSeconds: this.options.slowOperationThresholdSeconds,
          success: ok,
        };
        this.log(
          'production',
          'warn',
          { event: 'slow_operation', ...event },
          `Slow operation ${svc}:${op} took ${round2(duration)}s`,
        );
        this.safeEmit('slowOperation', event);
      }
    } catch (internal) {
      this.log('errors', 'error', { error: String(internal) }, 'recordOperation failed');
    }
  }

  /** Record a security event, such as a blocked operation; logged to the security log. Never throws. */
  recordSecurityEvent(event: SecurityEvent): void {
    try {
      const kind = text(safeGet(event, 'kind'), 'unspecified');
      const service = text(safeGet(event, 'service'), 'unknown');
      const operation = text(safeGet(event, 'operation'), 'unknown');
      const risk = safeGet(event, 'riskLevel');
      const record: SecurityEventRecord = {
        at: Date.now(),
        kind,
        service,
        operation,
        message: text(safeGet(event, 'message'), ''),
        riskLevel: typeof risk === 'string' && RISK_LEVELS.has(risk) ? (risk as RiskLevel) : RiskLevel.HIGH,
      };
      this.storeSecurityEvent(record);
      if (/block/i.test(kind)) {
        const key = BreakerRegistry.key(service, operation);
        this.pendingBlocks.set(key, [...(this.pendingBlocks.get(key) ?? []), record.at]);
        if (this.pendingBlocks.size > 1000) this.prunePendingBlocks(record.at);
      }
    } catch (internal) {
      this.log('errors', 'error', { error: String(internal) }, 'recordSecurityEvent failed');
    }
  }

  /** The shared cockatiel breaker for `service:operation` (names are normalised: `describe_instances` = `DescribeInstances`). */
  breakerFor(service: string, operation: string): CircuitBreakerPolicy {
    return this.breakers.breakerFor(service, operation);
  }

  /**
   * Close breakers by forgetting them (the next call starts CLOSED): all, or
   * the `service:Operation` keys given. Returns the keys reset.
   */
  resetCircuitBreakers(keys?: readonly string[]): string[] {
    const removed = this.breakers.reset(keys);
    for (const key of removed) this.log('production', 'info', { event: 'circuit_reset', key }, `Circuit ${key} reset`);
    return removed;
  }

  /**
   * Run `fn` through the breaker for `service:operation`, recording its
   * duration and outcome and classifying any error, which is then rethrown.
   * For code that is not behind the guard (the guard does this itself).
   */
  async run<T>(service: string, operation: string, fn: () => Promise<T> | T): Promise<T> {
    const started = performance.now();
    try {
      const result = await this.breakerFor(service, operation).execute(() => fn());
      this.recordOperation(operation, service, (performance.now() - started) / 1000, true);
      return result;
    } catch (error) {
      this.recordOperation(operation, service, (performance.now() - started) / 1000, false);
      this.handleError(error, { service, operation });
      throw error;
    }
  }

  /**
   * Sample resources every `performanceMonitoringInterval` seconds and compare
   * with the thresholds. The timer does not keep the process alive.
   * @returns false when `enablePerformanceMonitoring` is off.
   */
  startPerformanceMonitoring(): boolean {
    if (!this.options.enablePerformanceMonitoring) {
      this.log(
        'metrics',
        'info',
        { event: 'performance_monitoring_disabled' },
        'Performance monitoring is disabled (enablePerformanceMonitoring: false)',
      );
      return false;
    }
    if (this.timer) return true;
    this.sampler.start();
    const generation = this.generation;
    this.timer = setInterval(() => void this.tick(generation), this.options.performanceMonitoringInterval * 1000);
    this.timer.unref();
    this.log(
      'metrics',
      'info',
      { event: 'performance_monitoring_started', intervalSeconds: this.options.performanceMonitoringInterval },
      'Performance monitoring started',
    );
    return true;
  }

  /** Stop sampling and release the timer and the event-loop delay monitor. */
  stopPerformanceMonitoring(): void {
    this.generation++;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.log('metrics', 'info', { event: 'performance_monitoring_stopped' }, 'Performance monitoring stopped');
    }
    this.sampler.stop();
  }

  get performanceMonitoringActive(): boolean {
    return this.timer !== undefined;
  }

  /** Take one resource sample now, record it and check the thresholds. */
  async samplePerformance(): Promise<ResourceSample> {
    const sample = await this.sampler.sample();
    this.acceptSample(sample);
    return sample;
  }

  /** Resource samples kept (at most `performanceHistorySize`), oldest first. */
  /**
   * The seed's CloudTrail integration: management events between the two
   * times, read with LookupEvents (paged, paced at 2 requests/s per region,
   * throttling retried). Pass a configured `LookupEventsReader` for regions,
   * credentials or an endpoint; by default one reader on the SDK's defaults.
   * Returns [] when `enableCloudtrail` is false.
   */
  async integrateCloudtrailEvents(
    startTime: Date,
    endTime: Date,
    filter?: LookupFilter,
    reader?: LookupEventsReader,
  ): Promise<CloudTrailEvent[]> {
    if (!this.options.enableCloudtrail) return [];
    const cloudtrail = await import('../cloudtrail/LookupEventsReader.js');
    this.cloudtrailReader ??= reader ?? new cloudtrail.LookupEventsReader();
    return cloudtrail.integrateCloudtrailEvents(reader ?? this.cloudtrailReader, startTime, endTime, filter);
  }

  getPerformanceHistory(): ResourceSample[] {
    return [...this.samples.all()];
  }

  /** The AWS account the operations run in, shown in the summary and the security report. */
  setAccountId(accountId: string | undefined): void {
    this.accountId = typeof accountId === 'string' && accountId.length > 0 ? accountId : undefined;
  }

  /** Operations, errors and breaker states so far. */
  getMonitoringSummary(): MonitoringSummary {
    const t = this.totals;
    const failed = t.operations - t.successful;
    // An error is a failed call or a reported error; the seed's pattern reports one failure both ways.
    const errors = Math.max(failed, t.errors);
    const errorsByOperation: Record<string, number> = {};
    for (const key of [...new Set([...this.reportedErrors.keys(), ...this.failedCalls.keys()])].sort())
      errorsByOperation[key] = Math.max(this.reportedErrors.get(key) ?? 0, this.failedCalls.get(key) ?? 0);
    const operationsByService: Record<string, ServiceOperationStats> = {};
    for (const [service, s] of [...this.byService.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      operationsByService[service] = {
        total: s.total,
        successful: s.successful,
        failed: s.failed,
        averageDurationSeconds: s.total === 0 ? 0 : round2(s.durationSeconds / s.total),
        maxDurationSeconds: round2(s.maxDurationSeconds),
      };
    }
    return {
      timestamp: new Date().toISOString(),
      totalOperations: t.operations,
      successfulOperations: t.successful,
      failedOperations: t.operations - t.successful,
      totalErrors: t.errors,
      errorRate: errors === 0 ? 0 : round2((100 * errors) / Math.max(t.operations, errors)),
      successRate: t.operations === 0 ? 100 : round2((100 * t.successful) / t.operations),
      averageDurationSeconds: t.operations === 0 ? 0 : round2(t.durationSeconds / t.operations),
      slowOperations: t.slow,
      operationsByService,
      errorsBySeverity: { ...this.bySeverity },
      errorsByCategory: { ...this.byCategory },
      errorsInWindow: this.errorWindow.count(Date.now()),
      errorThreshold: this.options.errorThreshold,
      errorWindowSeconds: this.options.errorWindowSeconds,
      circuitBreakerStates: this.breakers.status(),
      performanceThresholds: {
        cpu: this.options.performanceThresholdCpu,
        memory: this.options.performanceThresholdMemory,
        disk: this.options.performanceThresholdDisk,
      },
      performanceMonitoringActive: this.performanceMonitoringActive,
      latestResourceSample: this.samples.last() ?? null,
      performanceThresholdBreaches: t.breaches,
      securityEvents: t.securityEvents,
      blockedOperations: t.blocked,
      cloudtrailEnabled: this.options.enableCloudtrail,
      ...(this.accountId ? { accountId: this.accountId } : {}),
      errorsByOperation,
    };
  }

  /**
   * The security validation report over the last `validationPeriodHours`.
   * @throws {MonitorConfigError} when validationPeriodHours is not a positive number.
   */
  generateSecurityValidationReport(options: SecurityValidationReportOptions = {}): SecurityValidationReport {
    const hours = options.validationPeriodHours ?? 24;
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0) {
      throw new MonitorConfigError(
        'validationPeriodHours',
        `must be a positive number of hours (got ${String(hours)})`,
      );
    }
    const end = options.endTime ?? new Date();
    if (!(end instanceof Date) || Number.isNaN(end.getTime()))
      throw new MonitorConfigError('endTime', 'must be a valid Date');
    const periodEnd = end.getTime();
    const report = this.reportBuilder.build(
      {
        periodStart: periodEnd - hours * 3_600_000,
        periodEnd,
        operations: this.operations.all(),
        errors: this.errors.all(),
        securityEvents: this.securityEvents.all(),
        breaches: this.breaches.all(),
        slowOperations: this.slowOperations.all(),
        breakers: Object.values(this.breakers.status()),
        businessHours: this.options.businessHours,
      },
      hours,
    );
    return this.accountId ? { ...report, accountId: this.accountId } : report;
  }

  /** Write a report as JSON (atomically; parent directories are created). Returns the absolute path. */
  async saveSecurityReport(report: SecurityValidationReport, path: string): Promise<string> {
    // Reports quote error messages and security events: secrets are redacted as in every file InvenTag writes.
    const written = await writeJsonFile(path, redact(report));
    this.log(
      'security',
      'info',
      { event: 'security_report_saved', reportId: report.reportId, riskScore: report.riskScore, path: written },
      'Security validation report saved',
    );
    return written;
  }

  /** Save the circuit breaker states, so a later process (a CLI run) resumes them with {@link loadState}. */
  async saveState(path: string): Promise<string> {
    const state: MonitorStateFile = {
      format: 'inventag-monitor-state',
      version: 1,
      savedAt: new Date().toISOString(),
      circuitBreakerThreshold: this.options.circuitBreakerThreshold,
      circuitBreakerTimeout: this.options.circuitBreakerTimeout,
      breakers: this.breakers.save(),
    };
    return writeJsonFile(path, state);
  }

  /**
   * Restore breaker states saved by {@link saveState}; call it before the first guarded call.
   * @returns the number of breakers restored.
   * @throws {MonitorStateError} naming the file and the field when the file is unreadable or malformed.
   */
  async loadState(path: string): Promise<number> {
    const raw = await readJsonFile(path);
    const parsed = stateFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      throw new MonitorStateError(
        path,
        `${field}: ${issue?.message ?? 'invalid'}; expected a file written by saveState()`,
      );
    }
    try {
      this.breakers.restore(parsed.data.breakers, path);
    } catch (error) {
      if (isBreakerStateError(error)) throw new MonitorStateError(path, error.detail, { cause: error });
      throw error;
    }
    return Object.keys(parsed.data.breakers).length;
  }

  private async tick(generation: number): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const sample = await this.sampler.sample();
      if (generation === this.generation) this.acceptSample(sample);
    } catch (error) {
      this.log(
        'errors',
        'error',
        { event: 'performance_sample_failed', error: String((error as Error)?.message ?? error) },
        'Resource sample failed',
      );
    } finally {
      this.sampling = false;
    }
  }

  private acceptSample(sample: ResourceSample): void {
    this.samples.push(sample);
    this.log('metrics', 'info', { event: 'resource_sample', ...sample }, 'Resource sample');
    this.safeEmit('performanceSample', sample);
    const checks: Array<[PerformanceThresholdBreach['metric'], number | undefined, number]> = [
      ['cpu', sample.cpuPercent, this.options.performanceThresholdCpu],
      ['memory', sample.memoryPercent, this.options.performanceThresholdMemory],
      ['disk', sample.diskPercent, this.options.performanceThresholdDisk],
    ];
    for (const [metric, value, threshold] of checks) {
      if (value === undefined || value <= threshold) continue;
      const breach: PerformanceThresholdBreach = { timestamp: sample.timestamp, metric, value, threshold, sample };
      this.totals.breaches++;
      this.breaches.push({ at: Date.parse(sample.timestamp), metric, value, threshold });
      this.log(
        'metrics',
        'warn',
        { event: 'performance_threshold_exceeded', metric, value, threshold },
        `${metric} ${value}% is above the ${threshold}% threshold`,
      );
      this.safeEmit('performanceThresholdExceeded', breach);
    }
  }

  private recordBlockFromError(error: unknown, service: string, operation: string, message: string): void {
    const at = Date.now();
    const key = BreakerRegistry.key(service, operation);
    const pending = (this.pendingBlocks.get(key) ?? []).filter((t) => at - t <= BLOCK_MATCH_MS);
    if (pending.length > 0) {
      // The guard already reported this block; count it once.
      pending.shift();
      if (pending.length > 0) this.pendingBlocks.set(key, pending);
      else this.pendingBlocks.delete(key);
      return;
    }
    // The guard's OperationBlockedError carries the verdict; other block errors may carry riskLevel directly.
    const risk = safeGet(safeGet(error, 'verdict'), 'riskLevel') ?? safeGet(error, 'riskLevel');
    this.storeSecurityEvent({
      at,
      kind: 'operation_blocked',
      service,
      operation,
      message,
      riskLevel: typeof risk === 'string' && RISK_LEVELS.has(risk) ? (risk as RiskLevel) : RiskLevel.HIGH,
    });
  }

  private storeSecurityEvent(record: SecurityEventRecord): void {
    this.securityEvents.push(record);
    this.totals.securityEvents++;
    if (/block/i.test(record.kind)) this.totals.blocked++;
    const { at, ...rest } = record;
    const notice = { ...rest, timestamp: new Date(at).toISOString() };
    this.log(
      'security',
      record.riskLevel === RiskLevel.LOW ? 'info' : 'warn',
      { event: 'security_event', ...notice },
      `Security event ${record.kind} for ${record.service}:${record.operation}`,
    );
    this.safeEmit('securityEvent', notice);
  }

  private prunePendingBlocks(now: number): void {
    for (const [key, times] of this.pendingBlocks) {
      const fresh = times.filter((t) => now - t <= BLOCK_MATCH_MS);
      if (fresh.length === 0) this.pendingBlocks.delete(key);
      else this.pendingBlocks.set(key, fresh);
    }
  }

  private onCircuitStateChange(change: CircuitStateChange): void {
    this.log(
      'production',
      change.to === 'CLOSED' ? 'info' : 'warn',
      { event: 'circuit_state_change', ...change },
      `Circuit ${change.key} ${change.from} -> ${change.to}`,
    );
    this.safeEmit('circuitStateChange', change);
  }

  private log(channel: keyof MonitorLoggers, level: keyof MonitorLogger, obj: object, msg: string): void {
    try {
      this.loggers[channel]?.[level](obj, msg);
    } catch {
      // A broken logger must not break the monitored call.
    }
  }

  private safeEmit<K extends keyof MonitorEvents>(event: K, ...args: MonitorEvents[K]): void {
    try {
      (this.emit as (name: K, ...rest: MonitorEvents[K]) => boolean)(event, ...args);
    } catch (listenerError) {
      this.log(
        'errors',
        'error',
        {
          event: 'listener_failed',
          listener: String(event),
          error: String((listenerError as Error)?.message ?? listenerError),
        },
        `A ${String(event)} listener threw`,
      );
    }
  }
}

/** Counts one more under `key`; a map that reached `limit` keys counts new keys under `other:other`. */
function bumpKey(map: Map<string, number>, key: string, limit: number): void {
  const k = map.has(key) || map.size < limit ? key : 'other:other';
  map.set(k, (map.get(k) ?? 0) + 1);
}
