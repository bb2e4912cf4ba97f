/** Errors of `check --org`, branded like the guard's. */

/** Bad input to an org run (an unknown `--accounts` entry, a bad concurrency): the CLI exits 2. */
export class OrgInputError extends Error {
  readonly isOrgInputError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OrgInputError';
  }
}

export const isOrgInputError = (value: unknown): value is OrgInputError =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>).isOrgInputError === true;
