/**
 * A plain ErrorContext for `validateAndMonitorOperation` when no production
 * monitor is there to classify the error. The monitor's classification is
 * richer; this one only says what the error is and whether a retry can help.
 */
import { randomUUID } from 'node:crypto';
import { ErrorSeverity } from '../constants.js';
import type { ErrorContext } from '../contracts.js';
import { countsAsBreakerFailure, isThrottlingError } from '../breaker/breakerFailure.js';

export function fallbackErrorContext(
  error: unknown,
  call: { service: string; operation: string; resourceArn?: string },
): ErrorContext {
  const err = error instanceof Error ? error : new Error(String(error));
  // Outages and throttles pass with time; refusals fail the same way again.
  const retryable = countsAsBreakerFailure(error) || isThrottlingError(error);
  return {
    timestamp: new Date().toISOString(),
    errorType: err.name,
    errorMessage: err.message,
    severity: retryable ? ErrorSeverity.MEDIUM : ErrorSeverity.HIGH,
    operation: call.operation,
    service: call.service,
    ...(call.resourceArn === undefined ? {} : { resourceArn: call.resourceArn }),
    recoveryAction: retryable
      ? 'Retry with backoff; the service reported a transient failure'
      : 'Check the request, the permissions and the resource; retrying will fail the same way',
    userImpact: retryable ? 'The operation may succeed on retry' : 'The operation failed',
    correlationId: randomUUID(),
    retryable,
  };
}
