/**
 * Which errors say a service is unhealthy, and so count towards opening a
 * circuit breaker: one rule, used by every breaker the guard and the monitor
 * run calls through.
 */
import { ACCESS_DENIED_NAMES, VALIDATION_NAMES, isGuardBlock, isThrottling, readErrorFacts } from './errorFacts.js';

/** 408 (request timeout) says the service did not answer in time; every other 4xx is a refusal. */
const TIMEOUT_4XX = new Set([408]);
const PROVIDER_NAMES = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ProviderError',
  'AbortError',
  'TaskCancelledError',
]);

/**
 * Whether an error says the service is unhealthy (an outage: 5xx, 408,
 * network failures) and so counts towards opening its breaker.
 *
 * Refusals that would fail the same way on a healthy service do not count:
 * access denied, validation errors, guard blocks, other 4xx, credential
 * provider errors and cancellations. Otherwise one bad parameter or policy
 * would cut a service off.
 *
 * Throttling does not count either: a throttle says the service is healthy
 * and busy. The caller's own backoff (the SDK's retries, the CloudTrail
 * reader's paced attempts) is the answer to it; a breaker opened by five
 * throttles would cut that backoff short and fail a lookup a few seconds of
 * waiting would have completed.
 */
export function countsAsBreakerFailure(error: unknown): boolean {
  const facts = readErrorFacts(error);
  if (isThrottling(facts)) return false;
  if (
    isGuardBlock(error, facts) ||
    ACCESS_DENIED_NAMES.has(facts.name) ||
    VALIDATION_NAMES.has(facts.name) ||
    PROVIDER_NAMES.has(facts.name)
  )
    return false;
  const status = facts.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500 && !TIMEOUT_4XX.has(status)) return false;
  return true;
}

/** Whether an error is a throttle (any protocol's throttling code, the SDK's throttling flag, or HTTP 429). */
export function isThrottlingError(error: unknown): boolean {
  return isThrottling(readErrorFacts(error));
}
