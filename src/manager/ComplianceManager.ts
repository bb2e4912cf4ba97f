import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AuditStore } from '../audit/AuditStore.js';
import type { ChainHead } from '../audit/chain.js';
import type { AuditAttemptSummary, CleanupResult } from '../audit/types.js';
import type { AuditSink, IdentityRef, OperationMonitor, Verdict, VerdictSource } from '../contracts.js';
import type { GuardOptions } from '../guard/options.js';
import { guardClient } from '../guard/plugin.js';
import {
  validateAndMonitorOperation,
  type ValidateAndMonitorRequest,
  type ValidateAndMonitorResult,
} from '../guard/validateAndMonitorOperation.js';
import { createLogFiles, createNoopLogFiles, type InventagLoggers } from '../logging/LogFiles.js';
import type { ComplianceMetrics } from '../metrics/ComplianceMetrics.js';
import type { AuditChainStatus, ComplianceSnapshot, DashboardData } from '../metrics/snapshot.js';
import { ProductionSafetyMonitor } from '../monitor/ProductionSafetyMonitor.js';
import { ResourceSampler, type ResourceSample } from '../monitor/ResourceSampler.js';
import { VerdictEngine } from '../policy/VerdictEngine.js';
import { saveReport } from '../report/saveReport.js';
import type { ComplianceStatus, ComprehensiveComplianceReport } from '../report/types.js';
import { ReadOnlyAccessValidator } from '../validator/ReadOnlyAccessValidator.js';
import { assess, buildReport } from './assessment/buildReport.js';
import type { AssessmentInputs } from './assessment/inputs.js';
import {
  loadConfiguration,
  parseConfiguration,
  type ComplianceConfiguration,
  type ComplianceConfigurationInput,
} from './config.js';
import type { EvidenceSection } from './evidence/types.js';
import { openAuditStore } from './openAuditStore.js';
import { SessionLedger } from './session/SessionLedger.js';
import { buildSnapshot, dashboardData } from './snapshot/buildSnapshot.js';

export interface ComplianceManagerOptions {
  /**
   * The durable audit trail: an AuditStore, `false` for none (in-memory only),
   * or undefined to open the configured store (`openAuditStore`) on first use.
   */
  audit?: AuditStore | false;
  /** The four log files: given, `false` for none, or undefined to open them under `config.logDirectory` on first use. */
  loggers?: InventagLoggers | false;
  /** Who the automation runs as, written into audit entries. */
  identity?: IdentityRef;
  /** What the report says it covers. @default { mode: 'library' } */
  subject?: ComprehensiveComplianceReport['subject'];
  /** Id written on this manager's audit entries. @default a random UUID */
  sessionId?: string;
  /**
   * The manager observes evidence recorded elsewhere (an evidence directory, another process's audit trail):
   * snapshots still show this host's resources, but a threshold breach here is no finding about the automation,
   * so the report and the snapshot of the same evidence assess the same findings. @default false
   */
  observer?: boolean;
}

/**
 * The seed's ComplianceManager: configure once, guard clients or wrap calls, then assess and report. A thin
 * facade: it wires the guard's verdicts into the session ledger and the validator, the outcomes into the
 * monitor, and hands one AssessmentInputs to the pure report and snapshot builders.
 *
 * @example
 * const manager = new ComplianceManager({ complianceStandard: 'soc2', dataDirectory: '.inventag' });
 * const ec2 = manager.guard(new EC2Client({}));
 * await ec2.send(new DescribeInstancesCommand({}));
 * const report = manager.generateComprehensiveComplianceReport();
 * await manager.saveComplianceReport(report, 'compliance.json');
 */
export class ComplianceManager {
  readonly config: ComplianceConfiguration;
  readonly engine: VerdictEngine;
  readonly validator: ReadOnlyAccessValidator;
  readonly monitor: ProductionSafetyMonitor;
  readonly ledger = new SessionLedger();
  readonly sessionId: string;
  /** The verdict source given to guards: decides with the engine and counts each verdict once. */
  readonly verdicts: VerdictSource;
  /** The monitor given to guards: the production monitor (when enabled), each outcome also in the ledger. */
  readonly operationMonitor: OperationMonitor;
  private readonly auditOption: AuditStore | false | undefined;
  private auditStoreInstance: AuditStore | undefined;
  private readonly loggersOption: InventagLoggers | false | undefined;
  private loggersInstance: InventagLoggers | undefined;
  private identity: IdentityRef | undefined;
  private subject: ComprehensiveComplianceReport['subject'];
  private readonly evidence = new Map<string, EvidenceSection>();
  /** The head of an audit trail read as evidence (not this manager's own store). */
  private evidenceChainHead: ChainHead | undefined;
  private toolCalls: number | undefined;
  private metricsInstance: ComplianceMetrics | undefined;
  private readonly observer: boolean;
  private hostSampler: ResourceSampler | undefined;

  constructor(
    config: ComplianceConfigurationInput | ComplianceConfiguration = {},
    options: ComplianceManagerOptions = {},
  ) {
    this.config = parseConfiguration(config);
    const c = this.config;
    this.sessionId = options.sessionId ?? randomUUID();
    this.engine = new VerdictEngine({
      standard: c.complianceStandard,
      overrides: c.overrides,
      ...(c.custom ? { custom: c.custom } : {}),
    });
    this.validator = new ReadOnlyAccessValidator({ engine: this.engine, maxAuditEntries: c.maxAuditEntries });
    this.auditOption = options.audit;
    this.loggersOption = options.loggers;
    this.identity = options.identity;
    this.subject = options.subject ?? { mode: 'library' };
    this.observer = options.observer ?? false;
    this.monitor = new ProductionSafetyMonitor({
      enableCloudtrail: c.enableCloudtrailIntegration,
      enablePerformanceMonitoring: c.enableProductionMonitoring,
      errorThreshold: c.errorThreshold,
      errorWindowSeconds: c.errorWindowSeconds,
      performanceThresholdCpu: c.performanceThresholdCpu,
      performanceThresholdMemory: c.performanceThresholdMemory,
      performanceThresholdDisk: c.performanceThresholdDisk,
      performanceMonitoringInterval: c.performanceMonitoringInterval,
      circuitBreakerThreshold: c.circuitBreakerThreshold,
      circuitBreakerTimeout: c.circuitBreakerTimeout,
      slowOperationThresholdSeconds: c.slowOperationThresholdSeconds,
      dataDirectory: c.dataDirectory,
      ...(c.businessHours ? { businessHours: c.businessHours } : {}),
      ...(options.loggers === false ? {} : { loggers: this.lazyLoggers() }),
    });
    if (options.identity) {
      this.validator.setIdentity(options.identity);
      this.monitor.setAccountId(options.identity.account);
    }
    this.verdicts = {
      decide: (service, operation) => this.countVerdict(this.engine.decide(service, operation)),
      classify: (service, operation) => this.engine.decide(service, operation),
    };
    const monitor = this.monitor;
    const monitoring = c.enableProductionMonitoring;
    this.operationMonitor = {
      recordOperation: (operation, service, durationSeconds, success) => {
        this.ledger.noteOutcome(service, operation, durationSeconds, success);
        if (monitoring) monitor.recordOperation(operation, service, durationSeconds, success);
      },
      handleError: (error, context) => monitor.handleError(error, context),
      recordSecurityEvent: (event) => monitor.recordSecurityEvent(event),
      breakerFor: (service, operation) => monitor.breakerFor(service, operation),
    };
  }

  /** Loads `inventag.config.yaml|json` (or `file`), then `INVENTAG_*` variables, and builds a manager. */
  static fromConfigFile(file?: string, options: ComplianceManagerOptions = {}): ComplianceManager {
    const { config } = loadConfiguration(file ? { file } : {});
    return new ComplianceManager(config, options);
  }

  // ---- wiring -------------------------------------------------------------

  /** The durable audit store, opened on first use through `openAuditStore` (undefined when disabled). */
  auditStore(): AuditStore | undefined {
    if (this.auditOption === false) return undefined;
    if (this.auditOption) return this.auditOption;
    this.auditStoreInstance ??= openAuditStore(this.config, {
      sessionId: this.sessionId,
      ...(this.loggersOption === false
        ? {}
        : { loggers: { security: this.loggers().security, production: this.loggers().production } }),
    });
    return this.auditStoreInstance;
  }

  /** The four log files, opened on first use. */
  loggers(): InventagLoggers {
    if (this.loggersOption === false) return (this.loggersInstance ??= createNoopLogFiles());
    if (this.loggersOption) return this.loggersOption;
    if (!this.loggersInstance) {
      mkdirSync(this.config.logDirectory!, { recursive: true });
      this.loggersInstance = createLogFiles({ directory: this.config.logDirectory! });
    }
    return this.loggersInstance;
  }

  // Loggers handed to the monitor before any file is opened: each call opens the files on first use.
  private lazyLoggers(): Record<'production' | 'errors' | 'metrics' | 'security', LoggerLike> {
    const channel = (name: 'production' | 'errors' | 'metrics' | 'security'): LoggerLike => ({
      info: (obj, msg) => this.loggers()[name].info(obj, msg),
      warn: (obj, msg) => this.loggers()[name].warn(obj, msg),
      error: (obj, msg) => this.loggers()[name].error(obj, msg),
    });
    return {
      production: channel('production'),
      errors: channel('errors'),
      metrics: channel('metrics'),
      security: channel('security'),
    };
  }

  private guardOptions(): GuardOptions {
    const audit: AuditSink | undefined = this.auditStore();
    return {
      verdicts: this.verdicts,
      monitor: this.operationMonitor,
      ...(audit ? { audit } : {}),
      ...(this.identity ? { identity: this.identity } : {}),
    };
  }

  /**
   * Guard options for InvenTag's own evidence-gathering calls: decided by the same engine and recorded in the
   * audit trail (under this manager's session), but never counted as the automation's operations.
   */
  toolGuard(): GuardOptions {
    const audit: AuditSink | undefined = this.auditStore();
    return { verdicts: this.engine, ...(audit ? { audit } : {}) };
  }

  setIdentity(identity: IdentityRef | undefined): void {
    this.identity = identity;
    this.validator.setIdentity(identity);
    this.monitor.setAccountId(identity?.account);
  }

  setSubject(subject: ComprehensiveComplianceReport['subject']): void {
    this.subject = subject;
  }

  /**
   * Installs the read-only guard in an AWS SDK v3 client, wired to this
   * manager's verdicts, audit trail and monitor (shared circuit breakers).
   */
  guard<C extends { middlewareStack: { use(plugin: never): void } }>(client: C): C {
    return guardClient(client as never, this.guardOptions());
  }

  /**
   * Validates an operation and, when allowed, runs `operationFunc` under the
   * monitor and its circuit breaker (the seed's validate_and_monitor_operation).
   * Without `operationFunc`, only validates.
   */
  async validateAndMonitorOperation<T>(request: ValidateAndMonitorRequest<T>): Promise<ValidateAndMonitorResult<T>> {
    return validateAndMonitorOperation(
      this.guardOptions() as Parameters<typeof validateAndMonitorOperation>[0],
      request,
    );
  }

  /** Counts a verdict (live from a guard, or read back from an audit trail) in the validator and the ledger. */
  private countVerdict(verdict: Verdict, at = Date.now(), resourceArn?: string): Verdict {
    this.validator.note(verdict, resourceArn);
    this.ledger.noteVerdict(verdict, at);
    return verdict;
  }

  // ---- evidence -----------------------------------------------------------

  /** Adds (or replaces) a part of the evidence: CloudTrail, identity, permissions, audit trail. */
  addEvidence(section: EvidenceSection): void {
    this.evidence.set(section.key, section);
  }

  getEvidence(key: string): EvidenceSection | undefined {
    return this.evidence.get(key);
  }

  /** InvenTag's own calls on record in this run: reported, never scored. */
  noteToolCalls(n: number): void {
    this.toolCalls = n;
  }

  /**
   * Counts operations recorded in an audit store (a guarded session of
   * another process, or the bundled demo) as if this manager had seen them.
   */
  ingestAuditEntries(entries: Iterable<AuditAttemptSummary>): number {
    let n = 0;
    // One error per error code: each would be made at this same place, with the same message and stack, and
    // making its stack text for every failed call of a large trail cost more than the rest of counting it.
    const failures = new Map<string, Error>();
    for (const e of entries) {
      if (e.kind !== 'attempt' || !e.service || !e.operation) continue;
      const decided = this.engine.decide(e.service, e.operation);
      // The stored decision is the fact; today's rules only fill in the detail.
      const verdict: Verdict =
        (e.decision === 'allowed') === decided.isValid
          ? decided
          : {
              ...decided,
              isValid: e.decision === 'allowed',
              validationMessage: e.validationMessage ?? decided.validationMessage,
            };
      const at = Date.parse(e.timestamp);
      this.countVerdict(verdict, at, e.resourceArn);
      if (verdict.isValid && e.outcome) {
        const seconds = e.outcome.durationMs / 1000;
        this.ledger.noteOutcome(e.service, e.operation, seconds, e.outcome.success, at);
        if (this.config.enableProductionMonitoring) {
          this.monitor.recordOperation(e.operation, e.service, seconds, e.outcome.success);
          // A failed call in the trail is an error of the history, as it was for the live manager.
          if (!e.outcome.success) {
            const code = e.outcome.errorCode ?? 'operation failed';
            let error = failures.get(code);
            if (error === undefined) failures.set(code, (error = new Error(code)));
            this.monitor.handleError(error, { service: e.service, operation: e.operation });
          }
        }
      }
      n++;
    }
    return n;
  }

  /** Reports carry this head when the audit trail was read as evidence rather than written by this manager. */
  setEvidenceChainHead(head: ChainHead | undefined): void {
    this.evidenceChainHead = head;
  }

  private ownStore(): AuditStore | undefined {
    return this.auditOption === false ? undefined : (this.auditOption ?? this.auditStoreInstance);
  }

  private chainHead(): ChainHead | undefined {
    if (this.evidenceChainHead) return this.evidenceChainHead;
    try {
      return this.ownStore()?.head();
    } catch {
      return undefined;
    }
  }

  // ---- assessment ---------------------------------------------------------

  /** What the assessment of this moment is a pure function of. */
  assessmentInputs(options: { minComplianceScore?: number } = {}): AssessmentInputs {
    const head = this.chainHead();
    return {
      config: this.config,
      validator: this.validator.generateComplianceReport(),
      ...(this.config.enableProductionMonitoring
        ? {
            monitoring: {
              summary: this.monitor.getMonitoringSummary(),
              securityReport: this.monitor.generateSecurityValidationReport({ validationPeriodHours: 24 }),
            },
          }
        : {}),
      evidence: [...this.evidence.values()],
      // A durable trail: this manager's own store, or the trail read (and verified) as evidence.
      auditTrail: this.auditOption !== false || this.evidence.has('auditTrail'),
      ...(head ? { chainHead: head } : {}),
      subject: this.subject,
      ...(options.minComplianceScore !== undefined ? { minComplianceScore: options.minComplianceScore } : {}),
      ...(this.toolCalls !== undefined ? { toolCalls: this.toolCalls } : {}),
      generatedAt: new Date().toISOString(),
      reportId: randomUUID(),
    };
  }

  /** The seed's ComplianceStatus: score, risk, counts and recommendations, right now. */
  assessComplianceStatus(options: { minComplianceScore?: number } = {}): ComplianceStatus {
    return assess(this.assessmentInputs(options)).status;
  }

  /** The full report: executive summary, written formulas, findings with codes and control IDs, sections, control table, audit chain head. */
  generateComprehensiveComplianceReport(options: { minComplianceScore?: number } = {}): ComprehensiveComplianceReport {
    return buildReport(this.assessmentInputs(options));
  }

  /** Writes a report atomically, redacted; the format follows the extension (.json, .md, .html) unless given. */
  async saveComplianceReport(
    report: ComprehensiveComplianceReport,
    path: string,
    format?: 'json' | 'md' | 'html',
  ): Promise<string> {
    return saveReport(report, path, format ?? (path.endsWith('.md') ? 'md' : path.endsWith('.html') ? 'html' : 'json'));
  }

  /** The seed's dashboard data. */
  getComplianceDashboardData(): DashboardData {
    const inputs = this.assessmentInputs();
    const { findings, status } = assess(inputs);
    return dashboardData(inputs, status, findings);
  }

  /** The audit chain as the snapshot shows it: length, head, and the verification of an evidence trail. */
  private auditStatus(): AuditChainStatus {
    let length = 0;
    try {
      length = this.ownStore()?.count() ?? 0;
    } catch {
      length = 0;
    }
    const head = this.chainHead();
    const trail = this.evidence.get('auditTrail')?.facts;
    const verified = trail?.kind === 'auditTrail' ? trail : undefined;
    return {
      length: verified && length === 0 ? (verified.entries ?? verified.checked) : length,
      ...(head ? { head: `${head.sequence}:${head.hash}` } : {}),
      ...(verified
        ? {
            verified: verified.intact,
            checked: verified.checked,
            ...(verified.intact ? {} : { problem: this.evidence.get('auditTrail')!.section.summary }),
          }
        : {}),
    };
  }

  /**
   * Everything the metrics exporters and the dashboard show; takes a resource sample when monitoring is on
   * (an observer's sample is shown, never assessed).
   */
  async getSnapshot(): Promise<ComplianceSnapshot> {
    let hostSample: ResourceSample | undefined;
    if (this.config.enableProductionMonitoring) {
      try {
        if (this.observer) {
          this.hostSampler ??= new ResourceSampler({ dataDirectory: this.config.dataDirectory });
          hostSample = await this.hostSampler.sample();
        } else await this.monitor.samplePerformance();
      } catch {
        // A host that cannot be sampled still gets a snapshot; the resources section says no sample.
      }
    }
    return buildSnapshot({
      ...(hostSample ? { hostSample } : {}),
      assessment: this.assessmentInputs(),
      ledger: {
        operations: this.ledger.operations(),
        durations: this.ledger.durations(),
        timeline: this.ledger.timeline(),
        recentBlocked: this.ledger.recentBlocked(),
      },
      audit: this.auditStatus(),
      resourceThresholds: {
        cpuPercent: this.config.performanceThresholdCpu,
        memoryPercent: this.config.performanceThresholdMemory,
        diskPercent: this.config.performanceThresholdDisk,
      },
    });
  }

  /**
   * The manager's own Prometheus registry (not prom-client's global one),
   * brought up to date with a fresh snapshot on each call.
   *
   * @example
   * const text = await (await manager.metrics()).render(); // Prometheus text format
   */
  async metrics(): Promise<ComplianceMetrics> {
    const { ComplianceMetrics: Metrics } = await import('../metrics/ComplianceMetrics.js');
    this.metricsInstance ??= new Metrics();
    this.metricsInstance.update(await this.getSnapshot());
    return this.metricsInstance;
  }

  /** Removes audit entries older than `auditLogRetentionDays` or beyond `maxAuditEntries`, keeping the chain verifiable. */
  cleanupAuditLogs(): CleanupResult | undefined {
    return this.auditStore()?.cleanup({
      retentionDays: this.config.auditLogRetentionDays,
      maxEntries: this.config.maxAuditEntries,
    });
  }

  /** Stops timers and closes the audit store and log files. */
  async close(): Promise<void> {
    this.monitor.stopPerformanceMonitoring();
    this.hostSampler?.stop();
    this.auditStoreInstance?.closeSync();
    await this.loggersInstance?.close();
  }
}

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
