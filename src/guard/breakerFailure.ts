/**
 * Which errors say a service is unhealthy. Only those count towards opening
 * a circuit breaker: a refusal that a healthy service gives just the same
 * (access denied, a validation error, a missing bucket, a guard block) must
 * not cut a service off for everyone.
 */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Client-side failures that happen before AWS is asked: not the service's fault. */
const LOCAL_NAMES = new Set(['CredentialsProviderError', 'TokenProviderError', 'ProviderError', 'AbortError', 'OperationBlockedError']);

const get = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

export function countsAgainstBreaker(error: unknown): boolean {
  if (get(error, 'isOperationBlockedError') === true) return false;
  const name = typeof get(error, 'name') === 'string' ? (get(error, 'name') as string) : '';
  const retryable = get(error, '$retryable');
  if (THROTTLING_NAMES.has(name) || get(retryable, 'throttling') === true) return true;
  if (LOCAL_NAMES.has(name)) return false;
  const status = get(get(error, '$metadata'), 'httpStatusCode');
  if (typeof status === 'number' && status >= 400 && status < 500) return status === 408 || status === 429;
  // 5xx, timeouts, refused or dropped connections.
  return true;
}
