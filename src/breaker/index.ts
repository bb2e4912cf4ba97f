/**
 * Circuit breakers per `service:Operation`, and the rule of which failures
 * open them. Shared by the guard (which runs calls through them) and the
 * production monitor (which reports and saves them).
 */
export { BreakerRegistry, savedBreakersSchema } from './BreakerRegistry.js';
export type { BreakerRegistryOptions, BreakerStatus, CircuitStateChange, SavedBreakers } from './BreakerRegistry.js';
export { countsAsBreakerFailure, isThrottlingError } from './breakerFailure.js';
export { BreakerStateError, isBreakerStateError } from './errors.js';
export { readErrorFacts } from './errorFacts.js';
export type { ErrorFacts } from './errorFacts.js';
