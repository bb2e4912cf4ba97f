/** Errors of sanctioned sessions, branded like the guard's so checks work across module copies. */

const hasBrand = (value: unknown, brand: string): boolean =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>)[brand] === true;

/** Base class of session errors; check with {@link isSessionError}. */
export class SessionError extends Error {
  readonly isSessionError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SessionError';
  }
}

/**
 * An AssumeRole InvenTag refused: the role matches no `sessions.assumeRoles`
 * pattern, or a profile's `role_arn` cannot be resolved through the sanctioned
 * provider. Nothing was sent.
 */
export class SessionRefusedError extends SessionError {
  readonly isSessionRefusedError = true;
  /** Stops the SDK's credential chain from trying another provider. */
  readonly tryNextLink = false;
  readonly roleArn: string | undefined;
  /** The blocked attempt in the audit trail, when one is configured. */
  readonly auditId: string | undefined;
  constructor(message: string, details: { roleArn?: string; auditId?: string } = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SessionRefusedError';
    this.roleArn = details.roleArn;
    this.auditId = details.auditId;
  }
}

export const isSessionError = (value: unknown): value is SessionError => hasBrand(value, 'isSessionError');
export const isSessionRefusedError = (value: unknown): value is SessionRefusedError =>
  hasBrand(value, 'isSessionRefusedError');
