/**
 * The small interfaces the modules meet at. The guard, the manager and the
 * CLI depend on these, not on each other's classes, so each part can be
 * tested alone and wired together in one place (manager/).
 */
import type { CircuitBreakerPolicy } from 'cockatiel';
import type { AccessLevel } from './catalog/data.js';
import type { ComplianceStandard, ErrorSeverity, OperationType, RiskLevel } from './constants.js';

/** Why an action was judged sensitive although it only reads. */
export interface SensitiveRead {
  readonly category: 'secret' | 'credentials' | 'data';
  readonly reason: string;
}

/** Where a verdict came from, in the documented order of evidence. */
export type VerdictEvidence = 'override' | 'iam-data' | 'read-pattern' | 'mutating-pattern' | 'none';

/** The answer for one (service, operation): everything the guard, validator and reports need. */
export interface Verdict {
  readonly isValid: boolean;
  /** The service and operation as the caller gave them. */
  readonly service: string;
  readonly operation: string;
  /** `prefix:Action` when the name resolved to a known IAM action. */
  readonly iamAction: string | undefined;
  /** Every IAM action the call needs, the most powerful first (usually one). */
  readonly iamActions: readonly string[];
  readonly accessLevel: AccessLevel | undefined;
  readonly operationType: OperationType;
  readonly riskLevel: RiskLevel;
  readonly validationMessage: string;
  readonly complianceNotes: readonly string[];
  /** Control IDs of the chosen standard this verdict bears on (empty for GENERAL). */
  readonly controls: readonly string[];
  readonly evidence: VerdictEvidence;
  readonly sensitive: SensitiveRead | undefined;
  readonly standard: ComplianceStandard;
}

export interface VerdictSource {
  decide(service: string, operation: string): Verdict;
  /**
   * The same verdict without counting it as a decision: what the guard's transport check uses to classify
   * the request it is about to send, which the guard already decided once. @default `decide`
   */
  classify?(service: string, operation: string): Verdict;
}

export interface IdentityRef {
  account?: string;
  arn?: string;
  type?: string;
}

/** One attempted AWS operation, recorded before it runs (or instead of running, when blocked). */
export interface AuditAttempt {
  service: string;
  operation: string;
  iamAction: string | undefined;
  operationType: OperationType;
  decision: 'allowed' | 'blocked';
  riskLevel: RiskLevel;
  resourceArn?: string;
  identity?: IdentityRef;
  /** Redacted by the sink before it is written. */
  requestParameters?: unknown;
  complianceStandard: ComplianceStandard;
  validationMessage?: string;
}

export interface AuditOutcome {
  success: boolean;
  errorCode?: string;
  durationMs: number;
  /** The HTTP status of the answer, when the call got one (kept by format-2 stores only). */
  httpStatus?: number;
}

/** Where the guard and validator write the trail. `recordAttempt` is durable when it returns. */
export interface AuditSink {
  recordAttempt(attempt: AuditAttempt): { auditId: string };
  recordOutcome(auditId: string, outcome: AuditOutcome): void;
  /**
   * Group commit (optional; the AuditStore has it): the attempt is checked
   * now (a throw blocks the call) and staged; attempts staged in one task
   * share a transaction. `committed` resolves once the attempt is in the
   * store's write-ahead log (it survives the process being killed) and
   * `durable` once it is fsynced. The guard sends the request only after
   * `committed` resolved (a rejection blocks the call) and hands the result
   * back only after `durable` resolved.
   */
  stageAttempt?(attempt: AuditAttempt): { auditId: string; committed: Promise<unknown>; durable: Promise<void> };
  /** Group commit (optional): the outcome is checked now and committed with the next write, without waiting. */
  stageOutcome?(auditId: string, outcome: AuditOutcome): void;
}

/** The result of classifying one error (the seed's ErrorContext). */
export interface ErrorContext {
  timestamp: string;
  errorType: string;
  errorMessage: string;
  severity: ErrorSeverity;
  operation: string;
  service: string;
  resourceArn?: string;
  stackTrace?: string;
  recoveryAction: string;
  userImpact: string;
  correlationId: string;
  retryable: boolean;
}

/** A security event the guard reports to the monitor, such as a blocked operation. */
export interface SecurityEvent {
  kind: string;
  service: string;
  operation: string;
  message: string;
  riskLevel: RiskLevel;
}

/** What the guard needs of the production monitor. */
export interface OperationMonitor {
  recordOperation(operation: string, service: string, durationSeconds: number, success: boolean): void;
  handleError(error: unknown, context: { operation: string; service: string; resourceArn?: string }): ErrorContext;
  /** A security event, such as a blocked operation. */
  recordSecurityEvent(event: SecurityEvent): void;
  /** The shared cockatiel breaker for `service:operation`. */
  breakerFor(service: string, operation: string): CircuitBreakerPolicy;
}
