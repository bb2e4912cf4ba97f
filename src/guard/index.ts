export {
  getInventagPlugin,
  guardClient,
  isGuardInstalled,
  inventagGuardMiddleware,
  inventagGuardMiddlewareOptions,
  INVENTAG_GUARD_MIDDLEWARE_NAME,
} from './plugin.js';
export type { InventagPlugin } from './plugin.js';
export { OperationGuard, errorCodeOf } from './OperationGuard.js';
export type { Admission, GuardedCall, RunOutcome } from './OperationGuard.js';
export { validateAndMonitorOperation } from './validateAndMonitorOperation.js';
export type { ValidateAndMonitorRequest, ValidateAndMonitorResult } from './validateAndMonitorOperation.js';
export {
  GuardError,
  OperationBlockedError,
  CircuitOpenError,
  GuardInstallError,
  isGuardError,
  isOperationBlockedError,
  isCircuitOpenError,
  isGuardInstallError,
} from './errors.js';
export type { BlockReason, BlockedCall } from './errors.js';
export type { GuardOptions, GuardLogger, BlockedEvent, ResolvedGuardOptions } from './options.js';
export { countsAsBreakerFailure } from '../breaker/breakerFailure.js';
export { DATA_PLANE_BODIES, OMITTED_BODY, requestParametersOf } from './requestParameters.js';
export type { SdkInputMetadata } from './requestParameters.js';
export { sdkCallOf } from './sdkNames.js';
export type { SdkCall } from './sdkNames.js';
