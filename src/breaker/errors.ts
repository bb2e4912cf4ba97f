/** Errors of the breaker registry, in the project's brand style (see src/guard/errors.ts). */

/** Saved breaker states that do not fit together (a key that does not match its service and operation). */
export class BreakerStateError extends Error {
  readonly isBreakerStateError = true;
  /** Where the states came from (a file path, or `saved state`). */
  readonly source: string;
  /** What is wrong, naming the field. */
  readonly detail: string;
  constructor(source: string, detail: string, options?: ErrorOptions) {
    super(`${source}: ${detail}`, options);
    this.name = 'BreakerStateError';
    this.source = source;
    this.detail = detail;
  }
}

export const isBreakerStateError = (value: unknown): value is BreakerStateError =>
  typeof value === 'object' &&
  value !== null &&
  (value as { isBreakerStateError?: unknown }).isBreakerStateError === true;
