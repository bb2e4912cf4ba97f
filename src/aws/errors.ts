/** Node error codes of a network path that failed: no route, refused, reset, name not found, timed out. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: unknown;
}

function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && out.length < 8) {
    out.push(current);
    current = (current as ErrorLike).cause;
  }
  return out;
}

/** True for an AWS request that timed out (connection or response), anywhere in the cause chain. */
export function isAwsTimeoutError(error: unknown): boolean {
  return chain(error).some((e) => e.name === 'TimeoutError' || e.code === 'ETIMEDOUT');
}

/** True for a request that never got an answer from AWS: a timeout, or a refused, reset or unresolvable connection. */
export function isAwsNetworkError(error: unknown): boolean {
  return isAwsTimeoutError(error) || chain(error).some((e) => e.code !== undefined && NETWORK_CODES.has(e.code));
}

/**
 * A sentence for a network failure that says what to check, or undefined
 * when `error` is not one. `timeoutSeconds` is the limit that applied.
 */
export function describeAwsNetworkError(error: unknown, timeoutSeconds?: number): string | undefined {
  if (!isAwsNetworkError(error)) return undefined;
  const first = chain(error).find((e) => e.name === 'TimeoutError' || (e.code && NETWORK_CODES.has(e.code)));
  const detail = first?.message ? ` (${first.message})` : '';
  if (isAwsTimeoutError(error))
    return `the AWS endpoint did not answer within ${timeoutSeconds ?? 'the'}${timeoutSeconds ? ' s' : ''} timeout${detail}; check the endpoint, region and HTTPS_PROXY/NO_PROXY, or raise --timeout`;
  return `cannot reach the AWS endpoint${detail}; check the endpoint, region, network and HTTPS_PROXY/NO_PROXY`;
}

/** AWS did not answer: a timeout, or a connection refused, reset or not resolvable. Exit 6 in the CLI. */
export class AwsNetworkError extends Error {
  /** Brand: survives a second copy of this module, where `instanceof` does not. */
  readonly isAwsNetworkError = true;
  /** True when a timeout (connection or response) was what failed. */
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsNetworkError';
    this.timedOut = timedOut;
  }
}

export function isAwsNetworkErrorInstance(error: unknown): error is AwsNetworkError {
  return (
    typeof error === 'object' && error !== null && (error as { isAwsNetworkError?: unknown }).isAwsNetworkError === true
  );
}

/**
 * `error` as an AwsNetworkError whose message says what failed and what to
 * check (`what` names the call, e.g. "sts:GetCallerIdentity"), or undefined
 * when it is not a network failure.
 */
export function toAwsNetworkError(error: unknown, what: string, timeoutSeconds?: number): AwsNetworkError | undefined {
  if (isAwsNetworkErrorInstance(error)) return error;
  const sentence = describeAwsNetworkError(error, timeoutSeconds);
  return sentence ? new AwsNetworkError(`${what}: ${sentence}`, isAwsTimeoutError(error), { cause: error }) : undefined;
}
