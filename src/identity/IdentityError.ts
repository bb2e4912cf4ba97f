/**
 * Errors of the identity and permission evidence. A credentials problem says
 * what to run to fix it (`aws sso login --profile X`, `aws configure`),
 * because the person reading it is usually about to run exactly that.
 */
export class IdentityError extends Error {
  /** Brand: survives a second copy of this module, where `instanceof` does not. */
  readonly isIdentityError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IdentityError';
  }
}

/** What is wrong with the credentials. */
export const CredentialProblem = {
  MISSING: 'missing',
  EXPIRED: 'expired',
  SSO_SESSION_EXPIRED: 'sso-session-expired',
  INVALID: 'invalid',
} as const;
export type CredentialProblem = (typeof CredentialProblem)[keyof typeof CredentialProblem];

/** No usable credentials: none found, expired, an expired SSO session, or a key AWS does not know. */
export class CredentialsError extends IdentityError {
  readonly problem: CredentialProblem;
  /** The command that fixes it, e.g. `aws sso login --profile prod`. */
  readonly fix: string;
  constructor(problem: CredentialProblem, message: string, fix: string, options?: ErrorOptions) {
    super(`${message}; ${fix}`, options);
    this.name = 'CredentialsError';
    this.problem = problem;
    this.fix = fix;
  }
}

/** The principal's policies could not be collected (IAM denied a call, or the principal kind has none to read). */
export class PolicyCollectionError extends IdentityError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PolicyCollectionError';
  }
}

export function isIdentityError(error: unknown): error is IdentityError {
  return (
    typeof error === 'object' && error !== null && (error as { isIdentityError?: unknown }).isIdentityError === true
  );
}

export function isCredentialsError(error: unknown): error is CredentialsError {
  return isIdentityError(error) && (error as { name?: unknown }).name === 'CredentialsError';
}
