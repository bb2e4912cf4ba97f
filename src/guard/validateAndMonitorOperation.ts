import type { ErrorContext, Verdict } from '../contracts.js';
import { isOperationBlockedError, type OperationBlockedError } from './errors.js';
import { fallbackErrorContext } from './fallbackErrorContext.js';
import { OperationGuard } from './OperationGuard.js';
import type { GuardOptions } from './options.js';

export interface ValidateAndMonitorRequest<T> {
  service: string;
  operation: string;
  resourceArn?: string;
  /** The work to run when the operation is allowed; without it only validation happens. */
  operationFunc?: () => T | PromiseLike<T>;
}

/** The seed's result, camel-cased, plus the verdict. */
export interface ValidateAndMonitorResult<T> {
  validationPassed: boolean;
  /** True only when `operationFunc` ran and returned without throwing. */
  operationSuccessful: boolean;
  /** Seconds `operationFunc` took (0 when it did not run). */
  duration: number;
  result: T | undefined;
  /** The classified error, when `operationFunc` threw or its circuit breaker was open. */
  errorContext: ErrorContext | undefined;
  verdict: Verdict;
  /** The audit entry of the attempt, when an audit sink is configured. */
  auditId: string | undefined;
}

/**
 * Validates one operation and, when it is allowed, runs `operationFunc`
 * timed, audited and through the `service:operation` circuit breaker: the
 * same path an SDK call through a guarded client takes, for code that does
 * not use an SDK client. Never throws for a blocked or failed operation: the
 * result says what happened.
 *
 * `deps` is an `OperationGuard` (share one with your guarded clients so they
 * share breakers) or the guard options to build one from.
 *
 * @example
 * const r = await validateAndMonitorOperation(guard, {
 *   service: 'ec2', operation: 'describe_instances',
 *   resourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/*',
 *   operationFunc: () => ec2.send(new DescribeInstancesCommand({})),
 * });
 * if (!r.validationPassed) console.error(r.verdict.validationMessage);
 */
export async function validateAndMonitorOperation<T>(
  deps: OperationGuard | GuardOptions,
  request: ValidateAndMonitorRequest<T>,
): Promise<ValidateAndMonitorResult<T>> {
  const guard = deps instanceof OperationGuard ? deps : new OperationGuard(deps);
  const { service, operation, resourceArn, operationFunc } = request;
  const call = { service, operation, ...(resourceArn === undefined ? {} : { resourceArn }) };
  let admission;
  try {
    admission = guard.admit(call);
    if (operationFunc === undefined) await guard.committed(call, admission);
  } catch (error) {
    if (!isOperationBlockedError(error)) throw error;
    return blockedResult(error);
  }
  const base = { validationPassed: true, verdict: admission.verdict, auditId: admission.auditId };
  if (operationFunc === undefined)
    return { ...base, operationSuccessful: false, duration: 0, result: undefined, errorContext: undefined };
  const outcome = await guard.run(call, admission, operationFunc);
  if (!outcome.ok && outcome.blocked === true && isOperationBlockedError(outcome.error))
    return blockedResult(outcome.error);
  const duration = outcome.durationMs / 1000;
  if (outcome.ok)
    return { ...base, operationSuccessful: true, duration, result: outcome.value, errorContext: undefined };
  return {
    ...base,
    operationSuccessful: false,
    duration,
    result: undefined,
    errorContext:
      outcome.errorContext ?? fallbackErrorContext(outcome.error, { ...call, service: admission.serviceKey }),
  };
}

function blockedResult<T>(error: OperationBlockedError): ValidateAndMonitorResult<T> {
  return {
    validationPassed: false,
    operationSuccessful: false,
    duration: 0,
    result: undefined,
    errorContext: undefined,
    verdict: error.verdict,
    auditId: error.auditId,
  };
}
