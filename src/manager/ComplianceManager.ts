import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { AuditStore } from '../audit/AuditStore.js';
import type { ChainHead } from '../audit/chain.js';
import { redact } from '../audit/redact.js';
import type { AuditEntry, CleanupResult } from '../audit/types.js';
import { CircuitState, ComplianceStandard, OperationType, RiskLevel } from '../constants.js';
import type { AuditSink, IdentityRef, OperationMonitor, Verdict, VerdictSource } from '../contracts.js';
import { guardClient } from '../guard/plugin.js';
import {
  validateAndMonitorOperation,
  type ValidateAndMonitorRequest,
  type ValidateAndMonitorResult,
} from '../guard/validateAndMonitorOperation.js';
import { createLogFiles, createNoopLogFiles, type InventagLoggers } from '../logging/LogFiles.js';
import type { ComplianceMetrics } from '../metrics/ComplianceMetrics.js';
import type { ComplianceSnapshot, DashboardData } from '../metrics/snapshot.js';
import { ProductionSafetyMonitor } from '../monitor/ProductionSafetyMonitor.js';
import { ControlTopic, controlsFor } from '../policy/controls.js';
import { VerdictEngine } from '../policy/VerdictEngine.js';
import { saveReport } from '../report/saveReport.js';
import type {
  ComplianceStatus,
  ComprehensiveComplianceReport,
  ControlResult,
  ExecutiveSummary,
  ReportFinding,
  ReportSection,
} from '../report/types.js';
import { REPORT_SCHEMA_VERSION } from '../report/types.js';
import type { SecurityValidationReport } from '../monitor/SecurityReportBuilder.js';
import { ReadOnlyAccessValidator, type ComplianceReport } from '../validator/ReadOnlyAccessValidator.js';
import {
  loadConfiguration,
  parseConfiguration,
  type ComplianceConfiguration,
  type ComplianceConfigurationInput,
} from './config.js';
import type { EvidenceSection, TopicCheck } from './evidence.js';
import {
  COMPLIANCE_SCORE_FORMULA,
  COMPLIANT_RULE,
  RISK_SCORE_FORMULA,
  bySeverity,
  complianceScore,
  isCompliant,
  riskLevelOf,
  riskScore,
  thresholdsOf,
} from './scoring.js';
import { TOOL_VERSION } from './version.js';

export interface ComplianceManagerOptions {
  /**
   * The durable audit trail: an AuditStore, `false` for none (in-memory only),
   * or undefined to open `config.auditStore` on first use.
   */
  audit?: AuditStore | false;
  /** The four log files: given, `false` for none, or undefined to open them under `config.logDirectory` on first use. */
  loggers?: InventagLoggers | false;
  /** Who the automation runs as, written into audit entries. */
  identity?: IdentityRef;
  /** What the report says it covers. @default { mode: 'library' } */
  subject?: ComprehensiveComplianceReport['subject'];
}

/**
 * Ties validation, monitoring, the audit trail and AWS evidence together:
 * configure once, guard clients or wrap calls, then assess and report.
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
  readonly sessionId = randomUUID();
  private auditOption: AuditStore | false | undefined;
  private auditStoreInstance: AuditStore | undefined;
  private loggersOption: InventagLoggers | false | undefined;
  private loggersInstance: InventagLoggers | undefined;
  private identity: IdentityRef | undefined;
  private subject: ComprehensiveComplianceReport['subject'];
  private readonly evidence = new Map<string, EvidenceSection>();
  /** The head of an audit trail read as evidence (not this manager's own store). */
  private evidenceChainHead: ChainHead | undefined;
  private readonly recentBlocked: { time: string; verdict: Verdict }[] = [];
  private readonly timeline = new Map<number, { allowed: number; blocked: number; failed: number }>();
  /** The verdict source given to guards: decides with the engine and counts each verdict in the validator. */
  readonly verdicts: VerdictSource;
  /** The monitor given to guards: the production monitor, with each outcome also counted here for snapshots. */
  readonly operationMonitor: OperationMonitor;
  private metricsInstance: ComplianceMetrics | undefined;
  private readonly outcomes = new Map<
    string,
    {
      service: string;
      operation: string;
      iamAction: string | undefined;
      success: number;
      failure: number;
      durations: number[];
    }
  >();

  constructor(
    config: ComplianceConfigurationInput | ComplianceConfiguration = {},
    options: ComplianceManagerOptions = {},
  ) {
    this.config = parseConfiguration(config);
    const c = this.config;
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
    this.verdicts = {
      decide: (service: string, operation: string): Verdict => {
        const verdict = this.engine.decide(service, operation);
        this.noteVerdict(verdict);
        return verdict;
      },
    };
    const monitor = this.monitor;
    this.operationMonitor = {
      recordOperation: (operation, service, durationSeconds, success) => {
        this.noteOutcome(service, operation, durationSeconds, success);
        monitor.recordOperation(operation, service, durationSeconds, success);
      },
      handleError: (error, context) => monitor.handleError(error, context),
      recordSecurityEvent: (event) => monitor.recordSecurityEvent(event),
      breakerFor: (service, operation) => monitor.breakerFor(service, operation),
    };
  }

  private noteOutcome(
    service: string,
    operation: string,
    durationSeconds: number,
    success: boolean,
    at = Date.now(),
  ): void {
    const iamAction = this.engine.decide(service, operation).iamAction;
    const [svc = service, op = operation] = iamAction ? iamAction.split(':') : [];
    const key = `${svc}:${op}`;
    const slot = this.outcomes.get(key) ?? {
      service: svc,
      operation: op,
      iamAction,
      success: 0,
      failure: 0,
      durations: [],
    };
    if (success) slot.success++;
    else {
      slot.failure++;
      this.bucketAt(at).failed++;
    }
    slot.durations.push(durationSeconds);
    if (slot.durations.length > 1000) slot.durations.shift();
    this.outcomes.set(key, slot);
  }

  /** Loads `inventag.config.yaml|json` (or `file`), then `INVENTAG_*` variables, and builds a manager. */
  static fromConfigFile(file?: string, options: ComplianceManagerOptions = {}): ComplianceManager {
    const { config } = loadConfiguration(file ? { file } : {});
    return new ComplianceManager(config, options);
  }

  // ---- wiring -------------------------------------------------------------

  /** The durable audit store, opened on first use (undefined when disabled). */
  auditStore(): AuditStore | undefined {
    if (this.auditOption === false) return undefined;
    if (this.auditOption) return this.auditOption;
    this.auditStoreInstance ??= AuditStore.open({
      path: this.config.auditStore,
      sessionId: this.sessionId,
      loggers:
        this.loggersOption === false
          ? {}
          : { security: this.loggers().security, production: this.loggers().production },
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
  private lazyLoggers(): { production: LoggerLike; errors: LoggerLike; metrics: LoggerLike; security: LoggerLike } {
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

  private auditSink(): AuditSink | undefined {
    return this.auditStore();
  }

  setIdentity(identity: IdentityRef | undefined): void {
    this.identity = identity;
    this.validator.setIdentity(identity);
  }

  setSubject(subject: ComprehensiveComplianceReport['subject']): void {
    this.subject = subject;
  }

  /**
   * Installs the read-only guard in an AWS SDK v3 client, wired to this
   * manager's verdicts, audit trail and monitor (shared circuit breakers).
   */
  guard<C extends { middlewareStack: { use(plugin: never): void } }>(client: C): C {
    const audit = this.auditSink();
    return guardClient(client as never, {
      verdicts: this.verdicts,
      monitor: this.operationMonitor,
      ...(audit ? { audit } : {}),
      ...(this.identity ? { identity: this.identity } : {}),
    });
  }

  /** The one-minute bucket of the operations timeline holding `at`; at most a day of buckets is kept. */
  private bucketAt(at: number): { allowed: number; blocked: number; failed: number } {
    const minute = Math.floor(at / 60_000) * 60_000;
    let bucket = this.timeline.get(minute);
    if (!bucket) {
      bucket = { allowed: 0, blocked: 0, failed: 0 };
      this.timeline.set(minute, bucket);
      if (this.timeline.size > 24 * 60) this.timeline.delete(Math.min(...this.timeline.keys()));
    }
    return bucket;
  }

  /** Counts a verdict (live from a guard, or read back from an audit trail) in the validator, the timeline and the recent blocks. */
  private noteVerdict(verdict: Verdict, at = Date.now(), resourceArn?: string): void {
    this.validator.record(verdict, resourceArn, undefined, { writeAudit: false });
    const bucket = this.bucketAt(at);
    if (verdict.isValid) bucket.allowed++;
    else {
      bucket.blocked++;
      this.recentBlocked.unshift({ time: new Date(at).toISOString(), verdict });
      if (this.recentBlocked.length > 50) this.recentBlocked.pop();
    }
  }

  /**
   * Validates an operation and, when allowed, runs `operationFunc` under the
   * monitor and its circuit breaker (the seed's validate_and_monitor_operation).
   * Without `operationFunc`, only validates.
   */
  async validateAndMonitorOperation<T>(request: ValidateAndMonitorRequest<T>): Promise<ValidateAndMonitorResult<T>> {
    const audit = this.auditSink();
    return validateAndMonitorOperation(
      {
        verdicts: this.verdicts,
        monitor: this.operationMonitor,
        ...(audit ? { audit } : {}),
        ...(this.identity ? { identity: this.identity } : {}),
      },
      request,
    );
  }

  // ---- evidence -----------------------------------------------------------

  /** Adds (or replaces) a part of the evidence: CloudTrail, identity, permissions, audit trail. */
  addEvidence(section: EvidenceSection): void {
    this.evidence.set(section.key, section);
  }

  getEvidence(key: string): EvidenceSection | undefined {
    return this.evidence.get(key);
  }

  /**
   * Counts operations recorded in an audit store (a guarded session of
   * another process, or the bundled demo) as if this manager had seen them.
   */
  ingestAuditEntries(entries: Iterable<AuditEntry>): number {
    let n = 0;
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
      this.noteVerdict(verdict, at, e.resourceArn);
      if (verdict.isValid && e.outcome) {
        this.noteOutcome(e.service, e.operation, e.outcome.durationMs / 1000, e.outcome.success, at);
        this.monitor.recordOperation(e.operation, e.service, e.outcome.durationMs / 1000, e.outcome.success);
      }
      n++;
    }
    return n;
  }

  // ---- assessment ---------------------------------------------------------

  /** The validator's and the monitor's reports, built once per assessment and shared by its parts. */
  private reports(): { vr: ComplianceReport; sr: SecurityValidationReport | undefined } {
    return {
      vr: this.validator.generateComplianceReport(),
      sr: this.config.enableProductionMonitoring
        ? this.monitor.generateSecurityValidationReport({ validationPeriodHours: 24 })
        : undefined,
    };
  }

  private collectFindings({
    vr,
    sr,
  }: {
    vr: ComplianceReport;
    sr: SecurityValidationReport | undefined;
  }): ReportFinding[] {
    const std = this.config.complianceStandard;
    const custom = this.config.custom?.controlMappings as never;
    const out: ReportFinding[] = [];
    for (const f of vr.securityFindings) {
      // A blocked attempt was prevented: it counts as HIGH at most; what actually happened (CloudTrail) can be CRITICAL.
      const severity = f.title.startsWith('Sensitive read')
        ? f.severity
        : f.severity === RiskLevel.CRITICAL
          ? RiskLevel.HIGH
          : f.severity;
      out.push({
        id: '',
        severity,
        source: 'validator',
        title: f.title,
        description: f.description,
        recommendation: f.recommendation,
        controls: f.controls,
        evidence: { count: f.count },
      });
    }
    if (sr) {
      for (const f of sr.securityFindings) {
        // Blocked and mutating attempts are already reported by the validator, one finding per action.
        if (/blocked|Mutating operations were attempted|Security events recorded/i.test(f.title)) continue;
        out.push({
          id: '',
          severity: f.severity,
          source: 'monitor',
          title: f.title,
          description: f.description,
          recommendation: f.recommendation,
          controls: controlsFor(std, [ControlTopic.MONITORING, ControlTopic.INCIDENT_EVALUATION], custom).map(
            (c) => c.id,
          ),
        });
      }
    }
    for (const ev of this.evidence.values()) {
      for (const f of ev.findings) {
        out.push({
          id: '',
          severity: f.severity,
          source: ev.source,
          title: f.title,
          description: f.description,
          recommendation: f.recommendation,
          controls: controlsFor(std, f.topics, custom).map((c) => c.id),
          ...(f.evidence ? { evidence: f.evidence } : {}),
        });
      }
    }
    out.sort(bySeverity);
    out.forEach((f, i) => (f.id = `F-${String(i + 1).padStart(3, '0')}`));
    return out;
  }

  /** The seed's ComplianceStatus: score, risk, counts and recommendations, right now. */
  assessComplianceStatus(options: { minComplianceScore?: number } = {}): ComplianceStatus {
    const reports = this.reports();
    return this.assess(this.collectFindings(reports), reports.vr, options.minComplianceScore);
  }

  private assess(findings: ReportFinding[], vr: ComplianceReport, minScore?: number): ComplianceStatus {
    const summary = this.monitor.getMonitoringSummary();
    const score = complianceScore(vr.readOnlyOperations, vr.totalOperations);
    const risk = riskScore(findings);
    const blocked = vr.totalOperations - vr.readOnlyOperations - vr.allowedByOverride;
    const recommendations = [
      ...new Set([
        ...findings
          .filter((f) => f.severity === RiskLevel.CRITICAL || f.severity === RiskLevel.HIGH)
          .map((f) => f.recommendation),
        ...vr.recommendations,
      ]),
    ];
    return {
      isCompliant: isCompliant(
        { complianceScore: score, riskScore: risk, blockedOperations: blocked, findings },
        this.config,
        minScore,
      ),
      complianceScore: score,
      riskScore: risk,
      securityValidationPassed:
        this.config.enableSecurityValidation &&
        vr.allowedByOverride === 0 &&
        !findings.some((f) => f.severity === RiskLevel.CRITICAL),
      productionMonitoringActive: this.config.enableProductionMonitoring,
      totalOperations: vr.totalOperations,
      blockedOperations: blocked,
      errorCount: summary.totalErrors,
      lastAssessment: new Date().toISOString(),
      recommendations,
    };
  }

  /** The full report: executive summary, written formulas, findings with control IDs, sections, control table, audit chain head. */
  generateComprehensiveComplianceReport(options: { minComplianceScore?: number } = {}): ComprehensiveComplianceReport {
    const std = this.config.complianceStandard;
    const reports = this.reports();
    const { vr } = reports;
    const findings = this.collectFindings(reports);
    const status = this.assess(findings, vr, options.minComplianceScore);
    const t = thresholdsOf(this.config);
    const level = riskLevelOf(status.riskScore);
    const head = this.chainHead();

    const sections: Record<string, ReportSection> = {};
    if (this.config.enableSecurityValidation) {
      sections.securityValidation = {
        title: 'Security validation (read-only guard)',
        status:
          vr.mutatingOperationsBlocked + vr.unknownOperationsBlocked > 0 || vr.allowedByOverride > 0 ? 'WARN' : 'PASS',
        summary: `${vr.totalOperations} operation(s) checked against the IAM access level of every AWS action: ${vr.readOnlyOperations} read-only, ${vr.mutatingOperationsBlocked} mutating blocked, ${vr.unknownOperationsBlocked} unknown blocked.`,
        facts: {
          totalOperations: vr.totalOperations,
          readOnlyOperations: vr.readOnlyOperations,
          mutatingOperationsBlocked: vr.mutatingOperationsBlocked,
          unknownOperationsBlocked: vr.unknownOperationsBlocked,
          allowedByOverride: vr.allowedByOverride,
          sensitiveReads: vr.sensitiveReads,
          complianceScore: vr.complianceScore,
        },
        rows: aggregateOperations(vr.auditEntries),
        detail: { ...vr, auditEntries: vr.auditEntries.slice(-200) },
      };
    }
    if (reports.sr) {
      const sr = reports.sr;
      const summary = this.monitor.getMonitoringSummary();
      const open = Object.entries(summary.circuitBreakerStates).filter(([, b]) => b.state !== CircuitState.CLOSED);
      sections.productionMonitoring = {
        title: 'Production monitoring',
        status: open.length > 0 || summary.totalErrors >= this.config.errorThreshold ? 'WARN' : 'PASS',
        summary: `${summary.totalOperations} call(s) ran: ${summary.successfulOperations} succeeded, ${summary.failedOperations} failed; ${open.length} circuit breaker(s) not closed.`,
        facts: {
          totalOperations: summary.totalOperations,
          successRate: summary.successRate,
          errorRate: summary.errorRate,
          totalErrors: summary.totalErrors,
          slowOperations: summary.slowOperations,
          openCircuits: open.length,
          securityReportRiskScore: sr.riskScore,
          ...(this.config.includePerformanceMetrics && summary.latestResourceSample
            ? {
                cpuPercent: summary.latestResourceSample.cpuPercent,
                memoryPercent: summary.latestResourceSample.memoryPercent,
                diskPercent: summary.latestResourceSample.diskPercent,
              }
            : {}),
        },
        rows: Object.entries(summary.circuitBreakerStates).map(([key, b]) => ({ circuit: key, state: b.state })),
        detail: { summary, securityValidationReport: sr },
      };
    }
    for (const ev of this.evidence.values()) {
      if (ev.key === 'cloudtrail' && !this.config.includeCloudtrailEvents)
        sections[ev.key] = { ...ev.section, rows: [], detail: undefined };
      else sections[ev.key] = ev.section;
    }

    const report: ComprehensiveComplianceReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      reportId: randomUUID(),
      generatedAt: new Date().toISOString(),
      tool: { name: 'inventag', version: TOOL_VERSION },
      complianceStandard: std,
      subject: this.subject,
      complianceStatus: status,
      scoring: {
        complianceScoreFormula: `${COMPLIANCE_SCORE_FORMULA} ${COMPLIANT_RULE(options.minComplianceScore ?? t.minComplianceScore, std, t.maxRiskScore, t.maxBlockedOperations)}`,
        riskScoreFormula: RISK_SCORE_FORMULA,
        inputs: {
          totalOperations: vr.totalOperations,
          readOnlyOperations: vr.readOnlyOperations,
          criticalFindings: findings.filter((f) => f.severity === RiskLevel.CRITICAL).length,
          highFindings: findings.filter((f) => f.severity === RiskLevel.HIGH).length,
          mediumFindings: findings.filter((f) => f.severity === RiskLevel.MEDIUM).length,
          lowFindings: findings.filter((f) => f.severity === RiskLevel.LOW).length,
          minComplianceScore: options.minComplianceScore ?? t.minComplianceScore,
        },
      },
      findings,
      sections,
      controls: this.controlTable(findings, vr),
      ...(head ? { auditChainHead: head } : {}),
    };
    if (this.config.generateExecutiveSummary) report.executiveSummary = executiveSummary(status, findings, level);
    return redact(report) as ComprehensiveComplianceReport;
  }

  private controlTable(findings: ReportFinding[], vr: ComplianceReport): ControlResult[] {
    const std = this.config.complianceStandard;
    if (std === ComplianceStandard.GENERAL) return [];
    const custom = this.config.custom?.controlMappings as never;
    const checks: TopicCheck[] = [
      {
        topic: ControlTopic.READ_ONLY_ACCESS,
        passed: vr.allowedByOverride === 0,
        evidence: `Every operation was checked by the read-only guard before it ran (${vr.totalOperations} checked, ${vr.allowedByOverride} write(s) allowed by override).`,
      },
      {
        topic: ControlTopic.CHANGE_PREVENTED,
        passed: true,
        evidence: `${vr.mutatingOperationsBlocked + vr.unknownOperationsBlocked} non-read-only attempt(s) were blocked before reaching AWS.`,
      },
      {
        topic: ControlTopic.AUDIT_LOGGING,
        passed: this.auditOption !== false,
        evidence:
          this.auditOption === false
            ? 'No durable audit trail configured.'
            : 'Every attempt is appended to the hash-chained audit trail before it runs.',
      },
    ];
    if (this.config.enableProductionMonitoring) {
      checks.push({
        topic: ControlTopic.MONITORING,
        passed: true,
        evidence: 'Errors, circuit breakers and resource usage are monitored with threshold alerts.',
      });
      checks.push({
        topic: ControlTopic.INCIDENT_EVALUATION,
        passed: true,
        evidence:
          'Errors are classified by severity with recovery actions; blocked calls are recorded as security events.',
      });
    }
    for (const ev of this.evidence.values()) checks.push(...ev.checks);

    const byId = new Map<string, ControlResult>();
    for (const check of checks) {
      const topicFindings = findings.filter(
        (f) =>
          controlsFor(std, [check.topic], custom).some((c) => f.controls.includes(c.id)) &&
          (f.severity === RiskLevel.CRITICAL || f.severity === RiskLevel.HIGH),
      );
      for (const control of controlsFor(std, [check.topic], custom)) {
        const existing = byId.get(control.id);
        const passed = check.passed && (existing ? existing.status === 'PASS' : true);
        byId.set(control.id, {
          id: control.id,
          title: control.title,
          evidence: existing ? `${existing.evidence} ${check.evidence}` : check.evidence,
          status: passed ? 'PASS' : 'FAIL',
          findingIds: [
            ...new Set([...(existing?.findingIds ?? []), ...(check.passed ? [] : topicFindings.map((f) => f.id))]),
          ],
        });
      }
    }
    for (const topic of Object.values(ControlTopic)) {
      for (const control of controlsFor(std, [topic], custom)) {
        if (!byId.has(control.id))
          byId.set(control.id, {
            id: control.id,
            title: control.title,
            evidence: `No evidence collected for ${topic.replace(/_/g, ' ')} in this run.`,
            status: 'NOT_EVALUATED',
            findingIds: [],
          });
      }
    }
    return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  /** Reports carry this head when the audit trail was read as evidence rather than written by this manager. */
  setEvidenceChainHead(head: ChainHead | undefined): void {
    this.evidenceChainHead = head;
  }

  private chainHead(): ChainHead | undefined {
    if (this.evidenceChainHead) return this.evidenceChainHead;
    try {
      const store = this.auditOption === false ? undefined : (this.auditOption ?? this.auditStoreInstance);
      return store?.head();
    } catch {
      return undefined;
    }
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
    return this.dashboardFrom(this.assessComplianceStatus());
  }

  private dashboardFrom(status: ComplianceStatus): DashboardData {
    const summary = this.monitor.getMonitoringSummary();
    const hasCloudtrail = this.evidence.has('cloudtrail');
    return {
      overallStatus: status.isCompliant ? 'COMPLIANT' : 'NON_COMPLIANT',
      complianceScore: status.complianceScore,
      riskScore: status.riskScore,
      metrics: {
        successRate: summary.successRate,
        totalOperations: status.totalOperations,
        errorRate: summary.errorRate,
        blockedOperations: status.blockedOperations,
      },
      statusIndicators: {
        securityValidation: this.config.enableSecurityValidation
          ? status.securityValidationPassed
            ? 'active'
            : 'failing'
          : 'disabled',
        productionMonitoring: this.config.enableProductionMonitoring ? 'active' : 'disabled',
        cloudtrailIntegration: !this.config.enableCloudtrailIntegration
          ? 'disabled'
          : hasCloudtrail
            ? this.evidence.get('cloudtrail')!.section.status === 'FAIL'
              ? 'failing'
              : 'active'
            : 'inactive',
      },
      timestamp: new Date().toISOString(),
    };
  }

  /** Everything the metrics exporters and the dashboard show. */
  async getSnapshot(): Promise<ComplianceSnapshot> {
    const reports = this.reports();
    const { vr } = reports;
    const dashboard = this.dashboardFrom(this.assess(this.collectFindings(reports), vr));
    const summary = this.monitor.getMonitoringSummary();
    // Blocked and allowed counts from the verdicts; success and failure from the outcomes the guard reported.
    type OpCount = {
      service: string;
      operation: string;
      iamAction?: string;
      decision: 'allowed' | 'blocked';
      outcome: 'success' | 'failure' | 'not_run';
      count: number;
    };
    const ops = new Map<string, OpCount>();
    const bump = (
      service: string,
      operation: string,
      iamAction: string | undefined,
      decision: OpCount['decision'],
      outcome: OpCount['outcome'],
      n: number,
    ) => {
      if (n <= 0) return;
      const key = `${service}|${operation}|${decision}|${outcome}`;
      const slot = ops.get(key) ?? {
        service,
        operation,
        ...(iamAction ? { iamAction } : {}),
        decision,
        outcome,
        count: 0,
      };
      slot.count += n;
      ops.set(key, slot);
    };
    const allowedByAction = new Map<
      string,
      { service: string; operation: string; iamAction: string | undefined; n: number }
    >();
    for (const e of vr.auditEntries) {
      const [service = e.service, operation = e.operation] = e.iamAction ? e.iamAction.split(':') : [];
      if (e.decision === 'blocked') bump(service, operation, e.iamAction, 'blocked', 'not_run', 1);
      else {
        const key = `${service}:${operation}`;
        const slot = allowedByAction.get(key) ?? { service, operation, iamAction: e.iamAction, n: 0 };
        slot.n++;
        allowedByAction.set(key, slot);
      }
    }
    for (const [key, a] of allowedByAction) {
      const o = this.outcomes.get(key);
      bump(a.service, a.operation, a.iamAction, 'allowed', 'success', o?.success ?? 0);
      bump(a.service, a.operation, a.iamAction, 'allowed', 'failure', o?.failure ?? 0);
      bump(a.service, a.operation, a.iamAction, 'allowed', 'not_run', a.n - (o?.success ?? 0) - (o?.failure ?? 0));
    }
    const latest = summary.latestResourceSample;
    const store = this.auditOption === false ? undefined : (this.auditOption ?? this.auditStoreInstance);
    let auditLength = 0;
    try {
      auditLength = store?.count() ?? 0;
    } catch {
      auditLength = 0;
    }
    const head = this.chainHead();
    const ct = this.evidence.get('cloudtrail');
    const ctDetail = (ct?.section.detail ?? {}) as {
      eventsRead?: number;
      writesFound?: number;
      writesByPrincipal?: {
        eventTime: string;
        eventName: string;
        eventSource: string;
        userAgent?: string;
        sourceIpAddress?: string;
        principal?: string;
        readOnly?: boolean;
        errorCode?: string;
      }[];
    };
    return {
      generatedAt: new Date().toISOString(),
      standard: this.config.complianceStandard,
      dashboard,
      operations: [...ops.values()],
      durations: [...this.outcomes.values()].map((o) => ({
        service: o.service,
        operation: o.operation,
        ...(o.iamAction ? { iamAction: o.iamAction } : {}),
        seconds: o.durations.slice(),
      })),
      timeline: [...this.timeline.entries()]
        .sort((a, b) => a[0] - b[0])
        .slice(-120)
        .map(([start, b]) => ({ start: new Date(start).toISOString(), ...b })),
      errorsBySeverity: summary.errorsBySeverity,
      breakers: Object.entries(summary.circuitBreakerStates).map(([key, b]) => {
        const [service = key, operation = ''] = key.split(':');
        return { service, operation, state: b.state };
      }),
      resources: {
        ...(latest
          ? {
              latest: {
                cpuPercent: latest.cpuPercent,
                memoryPercent: latest.memoryPercent,
                diskPercent: latest.diskPercent ?? 0,
                time: latest.timestamp,
              },
            }
          : {}),
        thresholds: {
          cpuPercent: this.config.performanceThresholdCpu,
          memoryPercent: this.config.performanceThresholdMemory,
          diskPercent: this.config.performanceThresholdDisk,
        },
      },
      audit: { length: auditLength, ...(head ? { head: `${head.sequence}:${head.hash}` } : {}) },
      recentBlocked: this.recentBlocked.slice(0, 20).map(({ time, verdict }) => ({
        time,
        service: verdict.service,
        operation: verdict.operation,
        ...(verdict.iamAction ? { iamAction: verdict.iamAction } : {}),
        riskLevel: verdict.riskLevel,
        message: verdict.validationMessage,
      })),
      cloudtrail: {
        eventsRead: ctDetail.eventsRead ?? 0,
        writesFound: ctDetail.writesFound ?? 0,
        writesByAutomation: ctDetail.writesByPrincipal?.length ?? 0,
        findings: (ctDetail.writesByPrincipal ?? []).slice(0, 50).map((e) => ({
          time: e.eventTime,
          eventName: e.eventName,
          eventSource: e.eventSource,
          ...(e.userAgent ? { userAgent: e.userAgent } : {}),
          ...(e.sourceIpAddress ? { sourceIpAddress: e.sourceIpAddress } : {}),
          ...(e.principal ? { principal: e.principal } : {}),
          readOnly: false,
          ...(e.errorCode ? { errorCode: e.errorCode } : {}),
          reason: 'write by the automation principal',
        })),
      },
    };
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
    this.auditStoreInstance?.closeSync();
    await this.loggersInstance?.close();
  }
}

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function aggregateOperations(
  entries: readonly {
    iamAction: string | undefined;
    service: string;
    operation: string;
    decision: 'allowed' | 'blocked';
    operationType: OperationType;
    riskLevel: RiskLevel;
  }[],
): Record<string, string | number>[] {
  const rows = new Map<
    string,
    { action: string; decision: string; operationType: string; riskLevel: string; count: number }
  >();
  for (const e of entries) {
    const action = e.iamAction ?? `${e.service}:${e.operation}`;
    const key = `${action}|${e.decision}`;
    const row = rows.get(key) ?? {
      action,
      decision: e.decision,
      operationType: e.operationType,
      riskLevel: e.riskLevel,
      count: 0,
    };
    row.count++;
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => (a.decision === b.decision ? b.count - a.count : a.decision === 'blocked' ? -1 : 1))
    .slice(0, 100);
}

function executiveSummary(status: ComplianceStatus, findings: ReportFinding[], riskLevel: RiskLevel): ExecutiveSummary {
  const keyFindings = findings.slice(0, 8).map((f) => `${f.severity}: ${f.title}`);
  if (keyFindings.length === 0)
    keyFindings.push(`All ${status.totalOperations} operation(s) were read-only; no findings.`);
  const immediateActions = [
    ...new Set(
      findings
        .filter((f) => f.severity === RiskLevel.CRITICAL || f.severity === RiskLevel.HIGH)
        .map((f) => f.recommendation),
    ),
  ].slice(0, 6);
  return {
    overallCompliance: status.isCompliant ? 'COMPLIANT' : 'NON_COMPLIANT',
    complianceScore: status.complianceScore,
    riskScore: status.riskScore,
    riskLevel,
    keyFindings,
    immediateActions,
  };
}
