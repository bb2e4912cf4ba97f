/** Errors of opening the configured audit store; light, so the CLI can map them without loading SQLite. */

const BRAND = Symbol.for('inventag.AuditStoreTrustError');
const MISSING_BRAND = Symbol.for('inventag.AuditKeyMissingError');

/**
 * The configured audit store cannot be trusted as configured: its keyed-ness (HMAC or plain SHA-256) differs
 * from the configuration, or the key does not match. A keyed store swapped for an unkeyed one (or the other
 * way round) is indistinguishable from tampering, so the CLI exits 4 (TAMPERED).
 */
export class AuditStoreTrustError extends Error {
  readonly [BRAND] = true;
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.name = 'AuditStoreTrustError';
    this.path = path;
  }
}

export const isAuditStoreTrustError = (err: unknown): err is AuditStoreTrustError =>
  typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;

/** The configuration asks for a keyed store but no key is available: bad configuration (exit 2). */
export class AuditKeyMissingError extends Error {
  readonly [MISSING_BRAND] = true;
  constructor(message: string) {
    super(message);
    this.name = 'AuditKeyMissingError';
  }
}

export const isAuditKeyMissingError = (err: unknown): err is AuditKeyMissingError =>
  typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[MISSING_BRAND] === true;
