/** Errors of the gateway, branded like the guard's. */
const hasBrand = (value: unknown, brand: string): boolean =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>)[brand] === true;

/** The gateway could not start or stopped serving (CLI exit 70). */
export class GatewayError extends Error {
  readonly isGatewayError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GatewayError';
  }
}

export const isGatewayError = (value: unknown): value is GatewayError => hasBrand(value, 'isGatewayError');

/** What the upstream answered with a status of 400 or more; `name` is the AWS error code. */
export class UpstreamError extends Error {
  readonly isUpstreamError = true;
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = code;
    this.status = status;
    this.code = code;
    // The breaker registry reads the status the way it reads an SDK error's.
    Object.defineProperty(this, '$metadata', { value: { httpStatusCode: status }, enumerable: false });
  }
}

export const isUpstreamError = (value: unknown): value is UpstreamError => hasBrand(value, 'isUpstreamError');
