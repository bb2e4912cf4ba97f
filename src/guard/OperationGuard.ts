import { debugEnabled, logDebug, logDecision } from '../logging/debugLog.js';
import { isBrokenCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import { ComplianceStandard, OperationType, RiskLevel } from '../constants.js';
import type { AuditSink, ErrorContext, OperationMonitor, Verdict, VerdictSource } from '../contracts.js';
import { VerdictEngine } from '../policy/VerdictEngine.js';
import { CircuitOpenError, GuardError, OperationBlockedError, type BlockReason, type BlockedCall } from './errors.js';
import { BreakerRegistry } from '../breaker/BreakerRegistry.js';
import { countsAsBreakerFailure } from '../breaker/breakerFailure.js';
import { canonicalOperationName } from '../catalog/operationName.js';
import { resolveGuardOptions, type GuardLogger, type GuardOptions, type ResolvedGuardOptions } from './options.js';

/** One call the guard is asked about. */
export interface GuardedCall extends BlockedCall {
  readonly resourceArn?: string;
  /** Already reduced for the audit trail (see `requestParametersOf`). */
  readonly requestParameters?: unknown;
}

/** An allowed call, ready to run. */
export interface Admission {
  readonly verdict: Verdict;
  readonly auditId: string | undefined;
  /** Breaker and monitor key: the IAM prefix (`ec2`) when the verdict names one. */
  readonly serviceKey: string;
  /**
   * With a group-commit audit sink: resolves once the attempt is committed to the store's log. Nothing is sent
   * before: {@link OperationGuard.run} waits for it, and blocks the call (fail closed) when it rejects.
   */
  readonly committed?: Promise<unknown>;
  /** With a group-commit audit sink: resolves once the attempt is on the disk (the result waits for it). */
  readonly durable?: Promise<void>;
}

/** What running an admitted call produced. */
export type RunOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly error: unknown;
      readonly durationMs: number;
      readonly errorContext: ErrorContext | undefined;
      /** The call never ran: its attempt could not be committed (`error` is the `OperationBlockedError`). */
      readonly blocked?: true;
    };

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The decision and bookkeeping behind every guarded call, shared by the SDK
 * middleware and `validateAndMonitorOperation`: decide (failing closed),
 * record the attempt, block or run through the `service:operation` circuit
 * breaker, then record timing, outcome and errors.
 */
export class OperationGuard {
  readonly options: ResolvedGuardOptions;
  private readonly verdicts: VerdictSource;
  private readonly audit: AuditSink | undefined;
  private readonly monitor: OperationMonitor | undefined;
  private readonly breakers: Pick<OperationMonitor, 'breakerFor'>;

  constructor(options: GuardOptions = {}) {
    this.options = resolveGuardOptions(options);
    const { standard, overrides } = this.options;
    this.verdicts =
      this.options.verdicts ??
      new VerdictEngine({
        ...(standard === undefined ? {} : { standard }),
        ...(overrides === undefined ? {} : { overrides }),
      });
    this.audit = this.options.audit;
    this.monitor = this.options.monitor;
    // Without a monitor the guard keeps breakers of its own, in the same registry type the monitor uses.
    this.breakers =
      this.monitor ??
      new BreakerRegistry({
        threshold: this.options.breaker.threshold,
        timeoutSeconds: this.options.breaker.halfOpenAfterMs / 1000,
      });
  }

  /** Whether attempts carry the call's input: only when asked to and there is an audit trail to hold it. */
  get recordsParameters(): boolean {
    return this.options.recordParameters && this.audit !== undefined;
  }

  /** The verdict for a call; a verdict source that throws or answers nonsense yields a blocking verdict. */
  decide(service: string, operation: string, counted = true): { verdict: Verdict; failure: unknown } {
    try {
      const verdict =
        !counted && this.verdicts.classify
          ? this.verdicts.classify(service, operation)
          : this.verdicts.decide(service, operation);
      if (typeof verdict !== 'object' || verdict === null || typeof verdict.isValid !== 'boolean') {
        throw new TypeError(
          `the verdict source returned ${verdict === null ? 'null' : typeof verdict} instead of a Verdict`,
        );
      }
      return { verdict, failure: undefined };
    } catch (failure) {
      return {
        verdict: this.failClosedVerdict(service, operation, `the guard could not decide (${messageOf(failure)})`),
        failure,
      };
    }
  }

  /**
   * Decides and records the attempt. Returns the admission of an allowed
   * call; throws `OperationBlockedError` for a blocked one.
   */
  admit(call: GuardedCall, logger?: GuardLogger): Admission {
    const { verdict, failure } = this.decide(call.service, call.operation);
    logDecision(verdict);
    if (verdict.isValid !== true) {
      this.block(call, verdict, failure === undefined ? 'verdict' : 'fail-closed', failure, logger);
    }
    const serviceKey = verdict.iamAction?.split(':')[0] ?? call.service;
    try {
      const attempt = this.attemptOf(call, verdict, 'allowed');
      // Group commit: attempts staged in one task share a transaction, committed before any of them is sent
      // (run() waits for `committed`); the fsync overlaps the calls.
      if (this.audit?.stageAttempt !== undefined) {
        const { auditId, committed, durable } = this.audit.stageAttempt(attempt);
        return { verdict, auditId, serviceKey, committed, durable };
      }
      return { verdict, auditId: this.audit?.recordAttempt(attempt).auditId, serviceKey };
    } catch (error) {
      this.blockUnrecorded(call, verdict, error, logger);
    }
  }

  /**
   * Resolves once the admission's attempt is committed (at once without a group-commit sink); throws the
   * `OperationBlockedError` (`audit-unavailable`) when it could not be: the call must then not be sent.
   */
  async committed(call: GuardedCall, admission: Admission, logger?: GuardLogger): Promise<void> {
    if (admission.committed === undefined) return;
    try {
      await admission.committed;
    } catch (failure) {
      this.blockUnrecorded(call, admission.verdict, failure, logger);
    }
  }

  /** Blocks an allowed call whose attempt the audit trail could not record (fail closed: nothing is sent). */
  private blockUnrecorded(call: GuardedCall, verdict: Verdict, error: unknown, logger: GuardLogger | undefined): never {
    const blocked = this.failClosedVerdict(
      call.service,
      call.operation,
      `the audit trail could not record the attempt (${messageOf(error)})`,
      verdict,
    );
    this.block(call, blocked, 'audit-unavailable', error, logger, false);
  }

  /**
   * Records and returns the refusal of something no verdict admitted as it
   * is: credentials asked for outside an admitted command, a request that
   * is not the admitted read. The audit trail gets a blocked attempt naming
   * what was really asked for (`base`, the verdict of the true operation,
   * when it is known); the caller throws the error.
   */
  refuse(
    call: BlockedCall,
    why: string,
    reason: BlockReason,
    base?: Verdict,
    logger?: GuardLogger,
  ): OperationBlockedError {
    try {
      this.block(call, this.failClosedVerdict(call.service, call.operation, why, base), reason, undefined, logger);
    } catch (error) {
      if (error instanceof OperationBlockedError) return error;
      throw error;
    }
  }

  /** The blocked outcome of a call whose attempt could not be committed (nothing of it was sent); else undefined. */
  async #uncommitted(
    call: GuardedCall,
    admission: Admission,
    logger: GuardLogger | undefined,
  ): Promise<RunOutcome<never> | undefined> {
    if (admission.committed === undefined) return undefined;
    try {
      await admission.committed;
      return undefined;
    } catch (failure) {
      try {
        this.blockUnrecorded(call, admission.verdict, failure, logger);
      } catch (error) {
        return { ok: false, error, durationMs: 0, errorContext: undefined, blocked: true };
      }
      return undefined;
    }
  }

  /**
   * Runs an admitted call through its circuit breaker and records how it went; never throws. With a
   * group-commit audit sink it waits for the attempt's commit: before `fn` runs (`before`), or, where the
   * client's layers wait for it before anything is sent (`transport`), once `fn` is done. When the commit
   * failed, the outcome's error is the `OperationBlockedError` (`audit-unavailable`) that `admit` would have
   * thrown, and nothing of the call was sent.
   */
  async run<T>(
    call: GuardedCall,
    admission: Admission,
    fn: () => T | PromiseLike<T>,
    logger?: GuardLogger,
    commitGate: 'before' | 'transport' = 'before',
  ): Promise<RunOutcome<T>> {
    // 'transport': the client's transport check waits for the commit before it sends anything (guardClient), so
    // the commit overlaps serializing and signing the request; its failure is checked again once fn is done.
    if (commitGate === 'before') {
      const unrecorded = await this.#uncommitted(call, admission, logger);
      if (unrecorded !== undefined) return unrecorded;
    }
    // A commit that fails ends fn with the audit trail's error: the trail's failure, not the service's, so the
    // breaker does not count it (noted before fn runs; the layers that wait for the commit learn it later).
    let commitFailed = false;
    admission.committed?.catch(() => (commitFailed = true));
    let breaker: CircuitBreakerPolicy;
    try {
      breaker = this.breakers.breakerFor(admission.serviceKey, canonicalOperationName(call.operation));
    } catch (error) {
      // Without its breaker the call does not run: the failure is recorded as its outcome.
      const failure = new GuardError(
        `inventag guard: no circuit breaker for ${admission.serviceKey}:${call.operation} (${messageOf(error)}); the call was not sent`,
        { cause: error },
      );
      return this.record(call, admission, { ok: false, error: failure }, 0, logger ?? this.options.logger);
    }
    const started = performance.now();
    let attempt: Attempt<T>;
    try {
      // Errors that do not count against the breaker come back as values, so
      // whichever breaker the monitor supplies never sees them as failures.
      attempt = await breaker.execute(() => {
        // A promise fn() returns is taken as it is (no second promise around it); a synchronous throw is its rejection.
        let running: PromiseLike<T> | T;
        try {
          running = fn();
        } catch (error) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the thrown value, unchanged
          running = Promise.reject(error);
        }
        return Promise.resolve(running).then(
          (value): Attempt<T> => ({ ok: true, value }),
          (error: unknown): Attempt<T> => {
            if (!commitFailed && countsAsBreakerFailure(error)) throw error;
            return { ok: false, error };
          },
        );
      });
    } catch (error) {
      attempt = {
        ok: false,
        error: isBrokenCircuitError(error)
          ? new CircuitOpenError(admission.serviceKey, canonicalOperationName(call.operation), { cause: error })
          : error,
      };
    }
    const durationMs = performance.now() - started;
    if (commitGate === 'transport') {
      const unrecorded = await this.#uncommitted(call, admission, logger);
      if (unrecorded !== undefined) return unrecorded;
    }
    if (admission.durable !== undefined) {
      try {
        await admission.durable;
      } catch (error) {
        // The request went out, but its attempt record may not survive a crash: the caller gets no result.
        attempt = {
          ok: false,
          error: new GuardError(
            `inventag guard: the audit trail could not put the attempt of ${admission.serviceKey}:${call.operation} on the disk (${messageOf(error)}); the result was withheld`,
            { cause: error },
          ),
        };
      }
    }
    return this.record(call, admission, attempt, durationMs, logger ?? this.options.logger);
  }

  private record<T>(
    call: GuardedCall,
    admission: Admission,
    attempt: Attempt<T>,
    durationMs: number,
    logger: GuardLogger | undefined,
  ): RunOutcome<T> {
    const service = admission.serviceKey;
    const { operation } = call;
    if (debugEnabled())
      logDebug('aws call', {
        service: call.service,
        operation,
        iamAction: admission.verdict.iamAction,
        ok: attempt.ok,
        durationMs: Math.round(durationMs * 1000) / 1000,
        ...(attempt.ok ? {} : { error: messageOf(attempt.error) }),
      });
    const safely = (what: string, fn: () => void): void => {
      try {
        fn();
      } catch (error) {
        logger?.warn(`inventag guard: ${what} failed for ${service}:${operation}: ${messageOf(error)}`);
      }
    };
    safely('monitor.recordOperation', () =>
      this.monitor?.recordOperation(operation, service, durationMs / 1000, attempt.ok),
    );
    let errorContext: ErrorContext | undefined;
    if (!attempt.ok) {
      safely('monitor.handleError', () => {
        errorContext = this.monitor?.handleError(attempt.error, {
          operation,
          service,
          ...(call.resourceArn === undefined ? {} : { resourceArn: call.resourceArn }),
        });
      });
    }
    if (admission.auditId !== undefined) {
      const auditId = admission.auditId;
      const errorCode = attempt.ok ? undefined : errorCodeOf(attempt.error);
      const httpStatus = httpStatusOf(attempt.ok ? attempt.value : attempt.error);
      const outcome = {
        success: attempt.ok,
        durationMs,
        ...(errorCode === undefined ? {} : { errorCode }),
        ...(httpStatus === undefined ? {} : { httpStatus }),
      };
      safely('audit.recordOutcome', () => {
        if (this.audit?.stageOutcome !== undefined) this.audit.stageOutcome(auditId, outcome);
        else this.audit?.recordOutcome(auditId, outcome);
      });
    }
    return attempt.ok
      ? { ok: true, value: attempt.value, durationMs }
      : { ok: false, error: attempt.error, durationMs, errorContext };
  }

  private block(
    call: GuardedCall,
    verdict: Verdict,
    reason: BlockReason,
    cause: unknown,
    logger: GuardLogger | undefined,
    recordAttempt = true,
  ): never {
    const log = logger ?? this.options.logger;
    let auditId: string | undefined;
    if (recordAttempt) {
      try {
        auditId = this.audit?.recordAttempt(this.attemptOf(call, verdict, 'blocked')).auditId;
      } catch (error) {
        log?.warn(
          `inventag guard: the audit trail could not record a blocked attempt of ${call.service}:${call.operation}: ${messageOf(error)}`,
        );
      }
    }
    const blockedCall: BlockedCall = {
      service: call.service,
      operation: call.operation,
      ...(call.clientName === undefined ? {} : { clientName: call.clientName }),
      ...(call.commandName === undefined ? {} : { commandName: call.commandName }),
    };
    try {
      this.monitor?.recordSecurityEvent({
        kind: 'operation_blocked',
        service: verdict.iamAction?.split(':')[0] ?? call.service,
        operation: call.operation,
        message: verdict.validationMessage,
        riskLevel: verdict.riskLevel,
      });
    } catch (error) {
      log?.warn(`inventag guard: monitor.recordSecurityEvent failed: ${messageOf(error)}`);
    }
    try {
      this.options.onBlocked?.({ verdict, reason, call: blockedCall, auditId });
    } catch {
      // onBlocked is a notification; the call stays blocked whatever it does.
    }
    throw new OperationBlockedError(verdict, reason, blockedCall, auditId, cause === undefined ? undefined : { cause });
  }

  private attemptOf(call: GuardedCall, verdict: Verdict, decision: 'allowed' | 'blocked') {
    const { identity, recordParameters } = this.options;
    return {
      service: call.service,
      operation: call.operation,
      iamAction: verdict.iamAction,
      operationType: verdict.operationType,
      decision,
      riskLevel: verdict.riskLevel,
      complianceStandard: verdict.standard,
      validationMessage: verdict.validationMessage,
      ...(call.resourceArn === undefined ? {} : { resourceArn: call.resourceArn }),
      ...(identity === undefined ? {} : { identity }),
      ...(recordParameters && call.requestParameters !== undefined
        ? { requestParameters: call.requestParameters }
        : {}),
    };
  }

  private failClosedVerdict(service: string, operation: string, why: string, base?: Verdict): Verdict {
    return Object.freeze({
      isValid: false,
      service,
      operation,
      iamAction: base?.iamAction,
      iamActions: Object.freeze([...(base?.iamActions ?? [])]),
      accessLevel: base?.accessLevel,
      operationType: base?.operationType ?? OperationType.UNKNOWN,
      riskLevel: RiskLevel.HIGH,
      validationMessage: `Operation blocked: ${why}; blocked (fail closed)`,
      complianceNotes: Object.freeze(['Blocked because the guard could not complete its checks (fail closed)']),
      controls: Object.freeze([...(base?.controls ?? [])]),
      evidence: 'none',
      sensitive: base?.sensitive,
      standard: base?.standard ?? this.options.standard ?? ComplianceStandard.GENERAL,
    });
  }
}

/**
 * The HTTP status an audit outcome records: the SDK's `$metadata.httpStatusCode` of an output (also inside the
 * middleware's `{ output }`) or of a service exception. Undefined when the call got no HTTP answer.
 */
export function httpStatusOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { $metadata, output } = result as { $metadata?: { httpStatusCode?: unknown }; output?: unknown };
  const status =
    $metadata?.httpStatusCode ??
    (typeof output === 'object' && output !== null
      ? (output as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode
      : undefined);
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

/** The error code an audit outcome records: the SDK exception name, else the error class name. */
export function errorCodeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { name, code, Code } = error as { name?: unknown; code?: unknown; Code?: unknown };
    for (const candidate of [name !== 'Error' ? name : undefined, Code, code, name]) {
      if (typeof candidate === 'string' && candidate !== '') return candidate;
    }
  }
  return 'Error';
}
