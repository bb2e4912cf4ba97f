/**
 * Reads what the breaker rule and the monitor need from anything that was thrown: AWS SDK v3
 * service exceptions (`name`, `$fault`, `$metadata`, `$retryable`), Node
 * system errors (`code`), credential provider errors, cockatiel errors and
 * values that are not errors at all. Every read is guarded because a thrown
 * value may be a Proxy or carry throwing getters, and the callers promise
 * never to throw.
 */

/** The facts about one thrown value. */
export interface ErrorFacts {
  /** True when the value is an `Error` (or looks like one: has a string `name` and `message`). */
  readonly isError: boolean;
  /** `name` of the error, or a description of the value's type (`string`, `undefined`, `object`). */
  readonly name: string;
  readonly message: string;
  /** Node system error code (`ECONNREFUSED`), also looked up in `cause` and `AggregateError.errors`. */
  readonly code: string | undefined;
  readonly httpStatusCode: number | undefined;
  readonly fault: 'client' | 'server' | undefined;
  /** `$retryable` was set by the SDK; `throttling` says whether it is a throttle. */
  readonly retryable: { throttling: boolean } | undefined;
  readonly requestId: string | undefined;
  readonly stack: string | undefined;
}

const safeGet = (value: unknown, key: string): unknown => {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
};

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
};

const previewOf = (value: unknown): string => {
  try {
    if (typeof value === 'string') return value;
    if (value === undefined) return 'undefined';
    if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
    const json = JSON.stringify(value);
    return json ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

const MAX_PREVIEW = 500;

const findCode = (value: unknown, depth = 0): string | undefined => {
  if (depth > 3) return undefined;
  const own = asString(safeGet(value, 'code'));
  if (own) return own;
  const nested = safeGet(value, 'errors');
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const code = findCode(inner, depth + 1);
      if (code) return code;
    }
  }
  const cause = safeGet(value, 'cause');
  return cause === undefined ? undefined : findCode(cause, depth + 1);
};

/** Collect the facts of a thrown value; never throws. */
export function readErrorFacts(value: unknown): ErrorFacts {
  const name = asString(safeGet(value, 'name'));
  const rawMessage = safeGet(value, 'message');
  const isError = value instanceof Error || (name !== undefined && typeof rawMessage === 'string');
  const metadata = safeGet(value, '$metadata');
  const status = safeGet(metadata, 'httpStatusCode');
  const fault = safeGet(value, '$fault');
  const retryable = safeGet(value, '$retryable');
  const stack = asString(safeGet(value, 'stack'));
  let message: string;
  if (isError) {
    message = typeof rawMessage === 'string' ? rawMessage : '';
  } else {
    const preview = previewOf(value);
    message = `A non-Error value was thrown (${describeValue(value)}): ${preview.length > MAX_PREVIEW ? `${preview.slice(0, MAX_PREVIEW)}...` : preview}`;
  }
  return {
    isError,
    name: isError ? (name ?? 'Error') : describeValue(value),
    message,
    code: findCode(value),
    httpStatusCode: typeof status === 'number' && Number.isFinite(status) ? status : undefined,
    fault: fault === 'client' || fault === 'server' ? fault : undefined,
    retryable:
      typeof retryable === 'object' && retryable !== null
        ? { throttling: safeGet(retryable, 'throttling') === true }
        : undefined,
    requestId: asString(safeGet(metadata, 'requestId')) ?? asString(safeGet(metadata, 'extendedRequestId')),
    stack: isError ? stack : undefined,
  };
}

/** Error codes AWS services use for throttling, across protocols. */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

export const isThrottling = (facts: ErrorFacts): boolean =>
  THROTTLING_NAMES.has(facts.name) || facts.retryable?.throttling === true || facts.httpStatusCode === 429;

/** Names that mean "this principal may not do this", whatever the service. */
export const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'UnauthorizedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
  'ForbiddenException',
  'NotAuthorized',
]);

export const VALIDATION_NAMES: ReadonlySet<string> = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'MissingParameter',
  'InvalidInput',
  'InvalidRequest',
  'MalformedQueryString',
  'SerializationException',
]);

/** The guard's refusal; matched by name or brand so it works across module copies. */
export const isGuardBlock = (value: unknown, facts: ErrorFacts): boolean =>
  facts.name === 'OperationBlockedError' || safeGet(value, 'isOperationBlockedError') === true;

export { safeGet };
