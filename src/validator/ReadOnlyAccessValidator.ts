import { logDecision } from '../logging/debugLog.js';
import { redact } from '../audit/redact.js';
import { FindingCode } from '../report/findingCodes.js';
import type { AccessLevel } from '../catalog/data.js';
import { ComplianceStandard, OperationType, RiskLevel, RISK_ORDER } from '../constants.js';
import type { AuditSink, IdentityRef, Verdict } from '../contracts.js';
import { ControlTopic, controlIdsFor } from '../policy/controls.js';
import type { CustomRulesInput } from '../policy/engineOptions.js';
import { VerdictEngine } from '../policy/VerdictEngine.js';
import { ValidationLog } from './validationLog.js';

/** The seed's ValidationResult, plus the IAM action and access level it was decided on. */
export interface ValidationResult {
  isValid: boolean;
  service: string;
  operation: string;
  operationType: OperationType;
  riskLevel: RiskLevel;
  validationMessage: string;
  timestamp: string;
  complianceNotes: string[];
  iamAction: string | undefined;
  accessLevel: AccessLevel | undefined;
  controls: string[];
  resourceArn?: string;
}

/** One validated operation kept in memory (bounded by `maxAuditEntries`). */
export interface ValidatorAuditEntry {
  timestamp: string;
  /** The standard the operation was validated under. */
  complianceStandard: ComplianceStandard;
  service: string;
  operation: string;
  iamAction: string | undefined;
  operationType: OperationType;
  riskLevel: RiskLevel;
  decision: 'allowed' | 'blocked';
  resourceArn?: string;
  requestParameters?: unknown;
  validationMessage: string;
  sensitive?: string;
}

export interface SecurityFinding {
  /** What kind of finding: merged and capped by this, never by title. */
  code: FindingCode;
  severity: RiskLevel;
  title: string;
  description: string;
  recommendation: string;
  controls: string[];
  count: number;
}

/** The seed's ComplianceReport. */
export interface ComplianceReport {
  /** A fresh id for each report. */
  reportId: string;
  complianceStandard: ComplianceStandard;
  reportTimestamp: string;
  complianceScore: number;
  scoreFormula: string;
  totalOperations: number;
  readOnlyOperations: number;
  mutatingOperationsBlocked: number;
  unknownOperationsBlocked: number;
  allowedByOverride: number;
  sensitiveReads: number;
  securityFindings: SecurityFinding[];
  recommendations: string[];
  auditEntries: ValidatorAuditEntry[];
  /** Counts since the validator was created; `auditEntries` holds only the newest `maxAuditEntries`. */
  auditEntriesTruncated: boolean;
}

export interface AuditSummary {
  /** The standard the operations were validated under. */
  complianceStandard: ComplianceStandard;
  /** Who the operations ran as, when known. */
  identity?: IdentityRef;
  totalOperations: number;
  allowed: number;
  blocked: number;
  byOperationType: Record<OperationType, number>;
  byRiskLevel: Record<RiskLevel, number>;
  byService: Record<string, { allowed: number; blocked: number }>;
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  entriesInMemory: number;
}

export interface ReadOnlyAccessValidatorOptions {
  /** @default 'general' */
  complianceStandard?: ComplianceStandard;
  /** Allow/deny action patterns that win over the IAM data. */
  overrides?: { allow?: string[]; deny?: string[] };
  /** Rules of the CUSTOM standard. */
  custom?: CustomRulesInput;
  /** Audit entries kept in memory (the seed's `max_audit_entries`). @default 10000 */
  maxAuditEntries?: number;
  /** Durable audit trail to write every validation to. */
  audit?: AuditSink;
  /** Who the operations run as, when known. */
  identity?: IdentityRef;
  /** Share a verdict engine (and its cache) with a guard. */
  engine?: VerdictEngine;
}

export const COMPLIANCE_SCORE_FORMULA =
  'complianceScore = 100 × readOnlyOperations / totalOperations (100 when nothing was attempted): the share of attempted operations that only read. Every blocked attempt lowers it, because the automation tried to do something it must not.';

/**
 * Checks each AWS operation before it runs: read-only operations pass,
 * everything else is blocked. Keeps the seed's surface
 * (`validateOperation`, `generateComplianceReport`, `saveComplianceReport`,
 * `getAuditSummary`); the constructor does no I/O.
 *
 * @example
 * const validator = new ReadOnlyAccessValidator('soc2');
 * const result = validator.validateOperation('ec2', 'describe_instances');
 * if (!result.isValid) throw new Error(result.validationMessage);
 */
export class ReadOnlyAccessValidator {
  readonly complianceStandard: ComplianceStandard;
  readonly engine: VerdictEngine;
  private readonly audit: AuditSink | undefined;
  private identity: IdentityRef | undefined;
  /** The newest `maxAuditEntries` entries: a ring, so a full buffer costs nothing extra per call. */
  private readonly entries: ValidationLog;
  private lastMs = Number.NaN;
  private lastIso = '';
  private readonly totals = {
    total: 0,
    readOnly: 0,
    mutatingBlocked: 0,
    unknownBlocked: 0,
    blockedByRule: 0,
    override: 0,
    sensitive: 0,
  };
  private readonly blockedCounts = new Map<string, { verdict: Verdict; count: number }>();
  private readonly sensitiveCounts = new Map<string, { verdict: Verdict; count: number }>();
  private readonly overrideCounts = new Map<string, { verdict: Verdict; count: number }>();

  constructor(options: ComplianceStandard | ReadOnlyAccessValidatorOptions = {}) {
    const opts: ReadOnlyAccessValidatorOptions =
      typeof options === 'string' ? { complianceStandard: options } : options;
    this.engine =
      opts.engine ??
      new VerdictEngine({ standard: opts.complianceStandard, overrides: opts.overrides, custom: opts.custom as never });
    this.complianceStandard = this.engine.standard;
    const max = opts.maxAuditEntries ?? 10_000;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`maxAuditEntries must be a positive integer, got ${String(max)}`);
    this.entries = new ValidationLog(max, this.complianceStandard);
    this.audit = opts.audit;
    this.identity = opts.identity;
  }

  setIdentity(identity: IdentityRef | undefined): void {
    this.identity = identity;
  }

  /** Decides whether `service`/`operation` (any naming form) may run, records it, and returns the seed's result. */
  validateOperation(
    service: string,
    operation: string,
    resourceArn?: string,
    requestParameters?: unknown,
  ): ValidationResult {
    const verdict = this.engine.decide(service, operation);
    logDecision(verdict);
    return this.record(verdict, resourceArn, requestParameters);
  }

  /** Records a verdict reached elsewhere (the SDK guard) so reports count it. */
  record(
    verdict: Verdict,
    resourceArn?: string,
    requestParameters?: unknown,
    options?: { writeAudit?: boolean },
  ): ValidationResult {
    const timestamp = this.note(verdict, resourceArn, requestParameters);
    const decision = verdict.isValid ? 'allowed' : 'blocked';
    if (this.audit && options?.writeAudit !== false) {
      this.audit.recordAttempt({
        service: verdict.service,
        operation: verdict.operation,
        iamAction: verdict.iamAction,
        operationType: verdict.operationType,
        decision,
        riskLevel: verdict.riskLevel,
        complianceStandard: this.complianceStandard,
        validationMessage: verdict.validationMessage,
        ...(resourceArn ? { resourceArn } : {}),
        ...(this.identity ? { identity: this.identity } : {}),
        ...(requestParameters !== undefined ? { requestParameters } : {}),
      });
    }
    const result: ValidationResult = {
      isValid: verdict.isValid,
      service: verdict.service,
      operation: verdict.operation,
      operationType: verdict.operationType,
      riskLevel: verdict.riskLevel,
      validationMessage: verdict.validationMessage,
      timestamp,
      complianceNotes: copyOf(verdict.complianceNotes),
      iamAction: verdict.iamAction,
      accessLevel: verdict.accessLevel,
      controls: copyOf(verdict.controls),
    };
    if (resourceArn) result.resourceArn = resourceArn;
    return result;
  }

  /**
   * Counts a verdict reached elsewhere and keeps it in the in-memory buffer, as {@link record} does, without
   * building a result or writing the audit trail (the manager's guards: their store records the attempt).
   * Returns the entry's time.
   */
  note(verdict: Verdict, resourceArn?: string, requestParameters?: unknown): string {
    const timestamp = this.now();
    this.count(verdict);
    this.entries.push(
      verdict,
      timestamp,
      resourceArn || undefined,
      requestParameters === undefined ? undefined : redact(requestParameters),
    );
    return timestamp;
  }

  /** ISO time of now, formatted once per millisecond: formatting a date costs more than deciding a verdict. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  private count(verdict: Verdict): void {
    this.totals.total++;
    if (verdict.isValid) {
      if (verdict.operationType === OperationType.READ_ONLY) this.totals.readOnly++;
      else {
        this.totals.override++;
        bump(this.overrideCounts, verdict);
      }
      if (verdict.sensitive) {
        this.totals.sensitive++;
        bump(this.sensitiveCounts, verdict);
      }
    } else {
      if (verdict.operationType === OperationType.MUTATING) this.totals.mutatingBlocked++;
      else if (verdict.operationType === OperationType.UNKNOWN) this.totals.unknownBlocked++;
      else this.totals.blockedByRule++;
      bump(this.blockedCounts, verdict);
    }
  }

  /** The seed's compliance report over everything validated so far. */
  generateComplianceReport(): ComplianceReport {
    const t = this.totals;
    const complianceScore = t.total === 0 ? 100 : round1((100 * t.readOnly) / t.total);
    const std = this.complianceStandard;
    const custom = this.engine.customControlMappings;
    const findings: SecurityFinding[] = [];
    for (const { verdict, count } of this.blockedCounts.values()) {
      const name = verdict.iamAction ?? `${verdict.service}:${verdict.operation}`;
      const unknown = verdict.operationType === OperationType.UNKNOWN;
      findings.push({
        code: unknown
          ? FindingCode.UNCLASSIFIED_ATTEMPT
          : verdict.operationType === OperationType.READ_ONLY
            ? FindingCode.DENIED_BY_RULE
            : FindingCode.MUTATING_ATTEMPT,
        severity: verdict.riskLevel,
        title: unknown
          ? `Unclassified operation attempted: ${name}`
          : verdict.operationType === OperationType.READ_ONLY
            ? `Operation denied by rule: ${name}`
            : `Mutating operation attempted: ${name}`,
        description: `${verdict.validationMessage} (${count} attempt${count === 1 ? '' : 's'}, all blocked before reaching AWS)`,
        recommendation: unknown
          ? 'Check the service and operation names; if the operation only reads, add an allow override for it.'
          : 'Remove this call from the automation, or run it from a separate, approved change process.',
        controls: controlIdsFor(std, [ControlTopic.READ_ONLY_ACCESS, ControlTopic.CHANGE_PREVENTED], custom),
        count,
      });
    }
    for (const { verdict, count } of this.sensitiveCounts.values()) {
      findings.push({
        code: FindingCode.SENSITIVE_READ,
        severity: verdict.riskLevel,
        title: `Sensitive read: ${verdict.iamAction}`,
        description:
          `${verdict.iamAction} ${verdict.sensitive?.reason ?? ''} (${count} call${count === 1 ? '' : 's'})`.trim(),
        recommendation:
          'Confirm the automation needs this data; otherwise deny it (CUSTOM allowSensitiveReads or a deny override) and remove it from the role.',
        controls: controlIdsFor(std, [ControlTopic.SENSITIVE_ACCESS], custom),
        count,
      });
    }
    for (const { verdict, count } of this.overrideCounts.values()) {
      findings.push({
        code: FindingCode.WRITE_ALLOWED_BY_OVERRIDE,
        severity: RiskLevel.HIGH,
        title: `Write allowed by override: ${verdict.iamAction ?? `${verdict.service}:${verdict.operation}`}`,
        description: `An allow override let a ${verdict.operationType} operation run (${count} call${count === 1 ? '' : 's'}).`,
        recommendation: 'Review the allow override; a read-only automation should not need it.',
        controls: controlIdsFor(std, [ControlTopic.READ_ONLY_ACCESS], custom),
        count,
      });
    }
    findings.sort((a, b) => RISK_ORDER[b.severity] - RISK_ORDER[a.severity] || b.count - a.count);

    const recommendations: string[] = [];
    if (t.mutatingBlocked > 0)
      recommendations.push(
        `Remove the ${t.mutatingBlocked} mutating call(s) from the automation: they were blocked, but their presence means the code tries to change production.`,
      );
    if (t.unknownBlocked > 0)
      recommendations.push(
        `Review ${t.unknownBlocked} unclassified operation(s): fix the names or add explicit allow overrides for real read-only calls.`,
      );
    if (t.sensitive > 0)
      recommendations.push(
        `Review ${t.sensitive} sensitive read(s) (secrets, credentials or data contents) and deny the ones the automation does not need.`,
      );
    if (t.override > 0) recommendations.push(`Review ${t.override} operation(s) allowed by override.`);
    if (recommendations.length === 0) recommendations.push('No action needed: every operation was read-only.');

    return {
      // The Web Crypto global: node:crypto is not loaded for a validator that never reports.
      reportId: globalThis.crypto.randomUUID(),
      complianceStandard: std,
      reportTimestamp: new Date().toISOString(),
      complianceScore,
      scoreFormula: COMPLIANCE_SCORE_FORMULA,
      totalOperations: t.total,
      readOnlyOperations: t.readOnly,
      mutatingOperationsBlocked: t.mutatingBlocked,
      unknownOperationsBlocked: t.unknownBlocked,
      allowedByOverride: t.override,
      sensitiveReads: t.sensitive,
      securityFindings: findings,
      recommendations,
      auditEntries: this.entries.all(),
      auditEntriesTruncated: t.total > this.entries.size,
    };
  }

  /** Writes a report as JSON, atomically, with secrets redacted. */
  async saveComplianceReport(report: ComplianceReport, path: string): Promise<string> {
    const { writeFileAtomic } = await import('../util/atomicWrite.js');
    await writeFileAtomic(path, `${JSON.stringify(redact(report), null, 2)}\n`);
    return path;
  }

  getAuditSummary(): AuditSummary {
    const byOperationType: Record<OperationType, number> = { read_only: 0, mutating: 0, unknown: 0 };
    const byRiskLevel: Record<RiskLevel, number> = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 };
    const byService: Record<string, { allowed: number; blocked: number }> = {};
    let allowed = 0;
    for (let i = 0; i < this.entries.size; i++) {
      const e = this.entries.verdictAt(i) as Verdict;
      byOperationType[e.operationType]++;
      byRiskLevel[e.riskLevel]++;
      const svc = (byService[e.iamAction?.split(':')[0] ?? e.service] ??= { allowed: 0, blocked: 0 });
      if (e.isValid) {
        allowed++;
        svc.allowed++;
      } else svc.blocked++;
    }
    return {
      complianceStandard: this.complianceStandard,
      ...(this.identity ? { identity: { ...this.identity } } : {}),
      totalOperations: this.totals.total,
      allowed,
      blocked: this.entries.size - allowed,
      byOperationType,
      byRiskLevel,
      byService,
      firstTimestamp: this.entries.first()?.timestamp,
      lastTimestamp: this.entries.last()?.timestamp,
      entriesInMemory: this.entries.size,
    };
  }

  /**
   * The seed's `validate_aws_permissions()`: who the credentials belong to and
   * whether read probes pass (sts GetCallerIdentity, ec2 DescribeRegions, s3
   * ListBuckets by default). Every probe runs through a guard using this
   * validator's verdicts, so a probe that would write is BLOCKED, never sent.
   */
  async validateAwsPermissions(
    probes?: readonly { service: string; operation: string; input?: Record<string, unknown> }[],
    options: { region?: string; profile?: string; endpoint?: string } = {},
  ) {
    const { validateAwsPermissions, DEFAULT_PROBES } = await import('../identity/validateAwsPermissions.js');
    return validateAwsPermissions(probes ?? DEFAULT_PROBES, { ...options, guard: { verdicts: this.engine } });
  }

  /** Entries kept in memory (the newest `maxAuditEntries`), oldest first: a copy. */
  getAuditEntries(): readonly ValidatorAuditEntry[] {
    return this.entries.all();
  }
}

/** A mutable copy of a verdict's frozen list; `slice()` of a frozen array takes V8's slow path (5x the whole call). */
function copyOf(source: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < source.length; i++) out.push(source[i] as string);
  return out;
}

function bump(map: Map<string, { verdict: Verdict; count: number }>, verdict: Verdict): void {
  const key = verdict.iamAction ?? `${verdict.service}:${verdict.operation}`;
  const slot = map.get(key);
  if (slot) slot.count++;
  else map.set(key, { verdict, count: 1 });
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
