/** Invalid options or configuration: the message names each bad field, its value and what is allowed. */
export class InvalidOptionsError extends Error {
  readonly isInvalidOptionsError = true;
  readonly issues: readonly string[];
  constructor(what: string, issues: readonly string[]) {
    super(`invalid ${what}: ${issues.join('; ')}`);
    this.name = 'InvalidOptionsError';
    this.issues = issues;
  }
}

export function isInvalidOptionsError(err: unknown): err is InvalidOptionsError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { isInvalidOptionsError?: unknown }).isInvalidOptionsError === true
  );
}
