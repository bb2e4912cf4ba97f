/** Light constants of the audit trail, importable without loading SQLite (the CLI reads them at start-up). */

/** Where the store lives unless configured: under the `.inventag/` data directory of the working directory. */
export const DEFAULT_AUDIT_STORE_PATH = '.inventag/audit.db';

/** Environment variable holding the HMAC key of a keyed store (never pass a key on the command line). */
export const AUDIT_KEY_ENV = 'INVENTAG_AUDIT_KEY';

/** The key {@link AUDIT_KEY_ENV} holds; an empty value is none. */
export function auditKeyFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env[AUDIT_KEY_ENV] || undefined;
}

/** The seed's `audit_log_retention_days` default: what `cleanup` keeps when configured from it. */
export const DEFAULT_AUDIT_LOG_RETENTION_DAYS = 30;

/** The seed's `max_audit_entries` default. */
export const DEFAULT_MAX_AUDIT_ENTRIES = 10_000;
