import { readFileSync } from 'node:fs';
import { AuditStore, type AuditStoreOptions } from '../audit/AuditStore.js';
import { AUDIT_KEY_ENV, auditKeyFromEnv } from '../audit/defaults.js';
import { AuditStoreErrorCode, isAuditStoreError } from '../audit/errors.js';
import { AuditKeyMissingError, AuditStoreTrustError } from './auditStoreErrors.js';
import type { ComplianceConfiguration } from './config.js';

export { AuditKeyMissingError, AuditStoreTrustError, isAuditStoreTrustError } from './auditStoreErrors.js';

/**
 * The HMAC key of the configured store: `INVENTAG_AUDIT_KEY`, else the file named by `auditKeyFile` (a
 * mounted secret; the configuration never holds the key itself). Undefined for a plain store.
 */
export function auditKeyOf(
  config: Pick<ComplianceConfiguration, 'auditKeyFile'>,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromEnv = auditKeyFromEnv(env);
  if (fromEnv !== undefined) return fromEnv;
  if (!config.auditKeyFile) return undefined;
  try {
    return readFileSync(config.auditKeyFile, 'utf8').trim();
  } catch (err) {
    throw new AuditKeyMissingError(
      `auditKeyFile ${config.auditKeyFile}: cannot read the audit key (${(err as Error).message})`,
    );
  }
}

/** The store's own options (read only, must exist, session id, loggers ...), but never its key. */
export interface OpenAuditStoreOptions extends Omit<AuditStoreOptions, 'key' | 'path'> {
  /** Another store than the configured one (an evidence directory's), opened with the same key rules. */
  path?: string;
  /** Where the key is looked up. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens "the configured audit store": its path, its key from the environment or `auditKeyFile`, and the
 * keyed-ness the configuration expects (`auditKeyed`, or a key being present). Every command and the manager
 * open the store through this one function.
 *
 * @throws {AuditStoreTrustError} when the store's keyed-ness or key differs from the configuration
 * @throws {AuditKeyMissingError} when the configuration wants a keyed store and no key is set
 * @throws {AuditStoreError} for every other reason the store cannot be opened
 */
export function openAuditStore(
  config: Pick<ComplianceConfiguration, 'auditStore' | 'auditKeyFile' | 'auditKeyed'>,
  options: OpenAuditStoreOptions = {},
): AuditStore {
  const { path: given, env, ...storeOptions } = options;
  const path = given ?? config.auditStore!;
  const key = auditKeyOf(config, env);
  if (config.auditKeyed && key === undefined)
    throw new AuditKeyMissingError(
      `the configuration says the audit store is keyed (auditKeyed: true) but no key is set: set ${AUDIT_KEY_ENV} or auditKeyFile`,
    );
  try {
    return AuditStore.open({ ...storeOptions, path, ...(key !== undefined ? { key } : {}) });
  } catch (err) {
    if (isAuditStoreError(err) && err.code === AuditStoreErrorCode.KEY_MISMATCH)
      throw new AuditStoreTrustError(
        path,
        `${err.message}; the configuration expects a ${key === undefined ? 'plain (unkeyed)' : 'keyed (HMAC)'} store, so this one cannot be proved to be the configured trail`,
        { cause: err },
      );
    throw err;
  }
}
