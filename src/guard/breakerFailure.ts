/**
 * Which errors say a service is unhealthy, and so count towards opening a
 * circuit breaker: one rule, owned by the monitor's breaker registry, used by
 * the guard too. A refusal a healthy service gives just the same (access
 * denied, a validation error, a missing bucket, a guard block) never counts.
 */
export { countsAsBreakerFailure as countsAgainstBreaker } from '../monitor/BreakerRegistry.js';
