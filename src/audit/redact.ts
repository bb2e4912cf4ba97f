/**
 * Removes secret values from anything InvenTag writes down: the audit store,
 * the log files and saved reports. It runs on every recorded request, so it is
 * dependency-free, compiles its key list once and never mutates its input.
 *
 * A key is secret when its normalized form (lower case, without `_`, `-`, `.`
 * or spaces) equals or ends with a listed key, so `MasterUserPassword`,
 * `aws_secret_access_key` and `X-Amz-Security-Token` are caught by `password`,
 * `secretaccesskey` and `token`. Pagination and idempotency tokens are named
 * like secrets but are not, so they are kept (see {@link NON_SECRET_KEYS}).
 */

/** The value written in place of a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are never written. Matched case-insensitively against the
 * end of each normalized key, at any depth, inside arrays too.
 */
export const DEFAULT_REDACTED_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'SecretString',
  'SecretBinary',
  'SessionToken',
  'SecretAccessKey',
  'PrivateKey',
  'credentials',
  'credential',
  'authorization',
  'cookie',
  'apiKey',
  // EC2 CreateKeyPair returns the private key as KeyMaterial; KMS Decrypt and
  // GenerateDataKey return the plaintext key material as Plaintext.
  'KeyMaterial',
  'Plaintext',
  'SecretValue',
  'ConnectionString',
]);

/**
 * Keys that end like a secret but hold none: pagination cursors and
 * idempotency tokens. Keeping them makes the trail more useful to an auditor.
 */
export const NON_SECRET_KEYS: readonly string[] = Object.freeze([
  'NextToken',
  'ContinuationToken',
  'NextContinuationToken',
  'StartAfterToken',
  'PaginationToken',
  'NextPageToken',
  'ClientToken',
  'ClientRequestToken',
  'IdempotencyToken',
  'MaxTokens',
  'TokenType',
]);

/** A PEM private key pasted into any string value. */
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

const MAX_DEPTH = 32;

export const normalizeKey = (key: string): string => key.toLowerCase().replace(/[\s_\-.]/g, '');

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /**
   * Keys to treat as secret in addition to {@link DEFAULT_REDACTED_KEYS}.
   * @default []
   */
  extraKeys?: readonly string[];
  /**
   * Replace the default list instead of extending it.
   * @default false
   */
  replaceDefaults?: boolean;
  /**
   * Emit object keys in sorted order, so `JSON.stringify` of the result is
   * canonical (the audit store hashes it) without a second pass.
   * @default false
   */
  sortKeys?: boolean;
}

export type Redactor = (value: unknown) => unknown;

/**
 * Builds a redaction function for a key list. Build it once and reuse it: the
 * key list is compiled and matching results are cached per key name.
 *
 * @example
 * ```ts
 * const redactAudit = createRedactor({ extraKeys: ['x-internal-signature'] });
 * redactAudit({ Name: 'db', SecretString: 'hunter2' }); // { Name: 'db', SecretString: '[REDACTED]' }
 * ```
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const base = options.replaceDefaults === true ? [] : DEFAULT_REDACTED_KEYS;
  const suffixes = [...new Set([...base, ...(options.extraKeys ?? [])].map(normalizeKey).filter((k) => k.length > 0))];
  const allowed = new Set(NON_SECRET_KEYS.map(normalizeKey));
  const sortKeys = options.sortKeys ?? false;
  const cache = new Map<string, boolean>();
  const isSecretKey = (key: string): boolean => {
    let hit = cache.get(key);
    if (hit === undefined) {
      const n = normalizeKey(key);
      hit = !allowed.has(n) && suffixes.some((s) => n.endsWith(s));
      // Keys come from AWS models and user input; bound the cache so hostile
      // input cannot grow it without limit.
      if (cache.size < 10_000) cache.set(key, hit);
    }
    return hit;
  };

  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (value === null || value === undefined) return value;
    switch (typeof value) {
      case 'string':
        return value.includes('PRIVATE KEY-----') ? value.replace(PEM_PRIVATE_KEY, REDACTED) : value;
      case 'number':
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'function':
      case 'symbol':
        return undefined;
      default:
        break;
    }
    const obj = value;
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (seen.has(obj)) return '[Circular]';
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
      // Binary payloads (S3 bodies, SecretBinary under another name) are
      // summarised: their bytes are neither useful nor safe in a trail.
      return { binaryBytes: obj.byteLength };
    }
    seen.add(obj);
    try {
      if (Array.isArray(obj)) return obj.map((item) => walk(item, depth + 1, seen) ?? null);
      if (obj instanceof Map) {
        const out: Record<string, unknown> = {};
        const pairs = [...obj];
        if (sortKeys) pairs.sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
        for (const [k, v] of pairs) {
          const key = String(k);
          out[key] = isSecretKey(key) ? REDACTED : walk(v, depth + 1, seen);
        }
        return out;
      }
      if (obj instanceof Set) return [...obj].map((item) => walk(item, depth + 1, seen) ?? null);
      const out: Record<string, unknown> = {};
      if (obj instanceof Error) {
        out.name = obj.name;
        out.message = walk(obj.message, depth + 1, seen);
        if (obj.stack !== undefined) out.stack = walk(obj.stack, depth + 1, seen);
      }
      const keys = Object.keys(obj);
      if (sortKeys) keys.sort();
      for (const key of keys) {
        const v = (obj as Record<string, unknown>)[key];
        if (v === undefined || typeof v === 'function') continue;
        out[key] = isSecretKey(key) ? REDACTED : walk(v, depth + 1, seen);
      }
      if (sortKeys && obj instanceof Error)
        return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      return out;
    } finally {
      seen.delete(obj);
    }
  };

  return (value: unknown) => walk(value, 0, new WeakSet());
}

const defaultRedactor = createRedactor();

/**
 * Returns a deep copy of `value` with every secret replaced by `"[REDACTED]"`:
 * keys from {@link DEFAULT_REDACTED_KEYS} (plus `extraKeys`), case-insensitive,
 * at any depth and inside arrays, and PEM private keys inside any string.
 * Binary values become `{ binaryBytes: n }`, dates ISO strings, cycles
 * `"[Circular]"`. The input is not modified.
 *
 * @example
 * ```ts
 * redact({ RoleArn: 'arn:aws:iam::1:role/r', Credentials: { SessionToken: 't' } });
 * // { RoleArn: 'arn:aws:iam::1:role/r', Credentials: '[REDACTED]' }
 * ```
 */
export function redact(value: unknown, extraKeys?: readonly string[]): unknown {
  if (extraKeys === undefined || extraKeys.length === 0) return defaultRedactor(value);
  return createRedactor({ extraKeys })(value);
}
