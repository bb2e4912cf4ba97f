/**
 * Removes secret values from anything InvenTag writes down: the audit store,
 * the log files, saved reports and the monitor's files. It runs on every
 * recorded request, so it is dependency-free, compiles everything once,
 * never mutates its input and skips ordinary strings after one cheap test.
 *
 * Two kinds of rule, applied together:
 *
 * - **By key.** A key is secret when its normalized form (lower case, without
 *   `_`, `-`, `.` or spaces) equals or ends with a listed key, so
 *   `MasterUserPassword`, `aws_secret_access_key` and `X-Amz-Security-Token`
 *   are caught by `password`, `secretaccesskey` and `token`. Pagination and
 *   idempotency tokens are named like secrets but are not, so they are kept
 *   (see {@link NON_SECRET_KEYS}). Keys that end in `key` (`signingKey`,
 *   `hmacKey`) hide their value when it looks random (high entropy). The same
 *   test applies to name/value pairs (`{ Key: 'DB_PASSWORD', Value: … }` of
 *   tags, `{ name, value }` of container environments); CloudFormation
 *   `ParameterValue`s are always hidden, because whether a parameter is
 *   `NoEcho` is only known to its template.
 * - **By value**, inside every string: AWS access key ids (`AKIA…`, `ASIA…`),
 *   session tokens, JWTs, `Bearer` and `Basic` credentials, passwords in URLs
 *   (`scheme://user:pass@host`), PEM private keys, XML elements and
 *   `key=value` / `key: value` / `"key":"value"` pairs whose key is secret
 *   (`password=`, `api_key:`, `X-Amz-Signature=`, `Signature=`,
 *   `X-Amz-Credential=`, `X-Amz-Security-Token=`).
 *
 * Every pattern is linear in its input: each starts where a run of its
 * characters starts (a look-behind), so no run is scanned twice.
 */

import { jsonString } from './jsonText.js';

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
  'pass',
  'pwd',
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
  // Presigned-URL query parameters, when a caller passes them as an object.
  'X-Amz-Signature',
  // EC2 CreateKeyPair returns the private key as KeyMaterial; KMS Decrypt and
  // GenerateDataKey return the plaintext key material as Plaintext.
  'KeyMaterial',
  'Plaintext',
  'SecretValue',
  'ConnectionString',
]);

/**
 * Keys that end like a secret but hold none: pagination cursors and
 * idempotency tokens, and AWS error names that read like keys in messages
 * (`ExpiredToken: The security token …`). Keeping them makes the trail more
 * useful to an auditor.
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
  'ExpiredToken',
  'InvalidToken',
  'MissingAuthenticationToken',
  'InvalidIdentityToken',
  'bypass',
  'compass',
]);

/** Keys that are secret only when they are the whole key (`auth`, not `oauth`-less words like `author`). */
const EXACT_SECRET_KEYS = new Set(['auth', 'sig']);
/** Keys secret in text only (`Signature=` of SigV4 headers); as object keys they name public digests. */
const TEXT_ONLY_SECRET_KEYS = new Set(['signature', 'sig']);
/** Keys ending in `key` that name data, not key material: their values stay even when they look random. */
const NOT_KEY_MATERIAL = ['publickey', 'sortkey', 'partitionkey', 'primarykey', 'hashkey', 'rangekey', 'objectkey'];
/** Members holding the value of a `{ name, value }` pair, and the members naming it. */
const PAIR_VALUES = ['Value', 'value', 'Values', 'values'] as const;
const PAIR_NAMES = ['Key', 'key', 'Name', 'name', 'OptionName', 'AttributeName'] as const;

/**
 * `sts:GetSessionToken`, `secretsmanager:GetSecretValue`: an action name
 * (reports count by it), not a secret. `tag:Password` is a tag filter: it stays secret.
 */
const IAM_ACTION = /^(?!tag:|aws:)[a-z0-9-]+:(?:[A-Z][A-Za-z0-9]*\*?|\*)$/;

const MAX_DEPTH = 32;
const CACHE_LIMIT = 10_000;
/** Strings up to this length have their redacted JSON text cached. */
const CACHED_STRING_LENGTH = 64;

export const normalizeKey = (key: string): string => key.toLowerCase().replace(/[\s_\-.]/g, '');

// ------------------------------------------------------------------ values

/** What one pass over a string found that a secret needs; 0 for almost every string (ids, ARNs, names). */
const PAIR = 1;
const URL = 2;
const PEM = 4;
const KEY_ID = 8;
const JWT_START = 16;
const SESSION = 32;
const AUTH_SCHEME = 64;

const startsWithLower = (text: string, word: string, at: number): boolean => {
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(at + k) | 32) !== word.charCodeAt(k)) return false;
  return true;
};

/**
 * The one cheap test every string gets: a native scan for the characters and
 * words a secret needs. `Bearer` and `Basic` are matched in their usual
 * spellings here (`bearer`, `Bearer`, `BEARER`), in any case by the patterns.
 */
const GATE = /[:=<]|-----BEGIN |AKIA|ASIA|eyJ|IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|earer|EARER|asic|ASIC/;
/** The `:`s of an ARN separate its parts; they do not end the key of a pair. */
const ARN_GATE = /[=<]|-----BEGIN |AKIA|ASIA|eyJ|IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz|earer|EARER|asic|ASIC/;

/**
 * For the strings that pass the gate: one pass over their characters, looking
 * at the few places a secret can start, so each pattern below runs only on
 * strings that may match it. A separator (`:` `=` `<`) may end the
 * key of a pair; the `:`s of an ARN do not.
 */
function signals(text: string, arn: boolean): number {
  let found = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    switch (text.charCodeAt(i)) {
      case 58: // :
        if (text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) found |= URL;
        if (!arn) found |= PAIR;
        break;
      case 61: // =
      case 60: // <
        found |= PAIR;
        break;
      case 45: // -
        if (text.startsWith('-----BEGIN ', i)) found |= PEM;
        break;
      case 65: // A
        if (text.startsWith('KIA', i + 1) || text.startsWith('SIA', i + 1)) found |= KEY_ID;
        break;
      case 101: // e
        if (text.charCodeAt(i + 1) === 121 && text.charCodeAt(i + 2) === 74) found |= JWT_START;
        break;
      case 73: // I
      case 70: // F
        if (
          text.startsWith('IQoJb3JpZ2lu', i) ||
          text.startsWith('FwoGZXIvYXdz', i) ||
          text.startsWith('FQoGZXIvYXdz', i)
        )
          found |= SESSION;
        break;
      case 66: // B
      case 98: // b
        if (startsWithLower(text, 'bearer', i) || startsWithLower(text, 'basic', i)) found |= AUTH_SCHEME;
        break;
      default:
        break;
    }
  }
  return found;
}

const AWS_ACCESS_KEY_ID = /(?<![A-Za-z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
/** A 40-character secret access key; only looked for in text that also holds an access key id. */
const AWS_SECRET_SHAPE = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g;
/** STS session tokens start with a fixed base64 prefix (`IQoJb3JpZ2lu` = `!\n\torigin`, older `FwoGZXIvYXdz`). */
const AWS_SESSION_TOKEN = /(?<![A-Za-z0-9+/=])(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9+/=]*/g;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*)?/g;
const BEARER = /(?<![A-Za-z0-9])(bearer\s+)([A-Za-z0-9._~+/=-]{6,})/gi;
const BASIC = /(?<![A-Za-z0-9])(basic\s+)([A-Za-z0-9+/]{4,}={0,2})/gi;
/** `scheme://user:password@host`: the password goes, the user stays. A password may hold `@`. */
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:"'<>]*:)([^\s/?#"'<>]+)@/g;
/** `scheme://token@host`: a user part that looks random is a token. */
const URL_TOKEN_USER = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#@:"'<>]{16,})@/g;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g;
const XML_ELEMENT = /<([A-Za-z][\w.-]*)>([^<]*)<\/\1>/g;
/** Whether a string looks random enough to be key material (and not a word, path or id). */
export function looksRandom(value: string): boolean {
  const n = value.length;
  if (n < 16 || n > 4096) return false;
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let hex = true;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      lower = 1;
      if (c > 102) hex = false;
    } else if (c >= 65 && c <= 90) {
      upper = 1;
      if (c > 70) hex = false;
    } else if (c >= 48 && c <= 57) digit = 1;
    else if (c === 43 || c === 47 || c === 61 || c === 95 || c === 45) hex = false;
    else return false;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / n;
    entropy -= p * Math.log2(p);
  }
  if (hex) return n >= 32 && entropy >= 3;
  // Random base64 of this length holds all three; words, paths and ids rarely do.
  return lower + upper + digit === 3 && entropy >= 3.5;
}

/** Where the value of a pair that starts at `start` ends: a quoted value runs to its quote, a bare one to a delimiter. */
function valueEnd(text: string, start: number): { from: number; to: number } {
  let i = start;
  if (text.charCodeAt(i) === 92 /* \ */ && (text[i + 1] === '"' || text[i + 1] === "'")) i++;
  const quote = text[i];
  if (quote === '"' || quote === "'") {
    const from = i + 1;
    let j = from;
    while (j < text.length) {
      const ch = text[j];
      if (ch === quote || ch === '\n') break;
      if (ch === '\\') {
        // `\"` ends a value that is itself inside an escaped JSON string; other escapes are part of it.
        if (text[j + 1] === quote) break;
        j += 2;
        continue;
      }
      j++;
    }
    return { from, to: Math.min(j, text.length) };
  }
  let j = i;
  while (j < text.length && !BARE_VALUE_END.has(text.charCodeAt(j))) j++;
  return { from: i, to: j };
}
const BARE_VALUE_END = new Set([...' \t\r\n"\'&,;}])<>\\'].map((c) => c.charCodeAt(0)));

interface KeyClassifier {
  /** The value under this key is never written. */
  secret(key: string): boolean;
  /** The value after this key in free text is never written. */
  textSecret(key: string): boolean;
  /** The value under this key is not written when it looks random. */
  keyMaterial(key: string): boolean;
}

const isKeyChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
const isBlank = (c: number): boolean => c === 32 || c === 9;

/**
 * `key=value`, `key: value`, `"key":"value"`, `key => value` and `key := value`
 * pairs whose key is secret lose their value. Found from each separator
 * backwards (the key) and forwards (the value); every character is looked at
 * a bounded number of times, whatever the input.
 */
function redactPairs(text: string, keys: KeyClassifier): string {
  let out = '';
  let last = 0;
  let colon = text.indexOf(':');
  let equals = text.indexOf('=');
  while (colon !== -1 || equals !== -1) {
    const at = colon === -1 ? equals : equals === -1 ? colon : Math.min(colon, equals);
    if (at === colon) colon = text.indexOf(':', at + 1);
    else equals = text.indexOf('=', at + 1);
    if (at < last) continue;
    let end = at;
    while (end > last && isBlank(text.charCodeAt(end - 1))) end--;
    if (end > last && (text[end - 1] === '"' || text[end - 1] === "'")) end--;
    if (end > last && text[end - 1] === '\\') end--;
    let start = end;
    while (start > last && isKeyChar(text.charCodeAt(start - 1))) start--;
    if (start === end) continue;
    const isColon = text[at] === ':';
    // `arn:aws:secretsmanager:…:secret:name` names a secret, it does not hold one.
    if (isColon && text[start - 1] === ':') continue;
    let head = at + 1;
    if ((isColon && text[head] === '=') || (!isColon && text[head] === '>')) head++;
    if (isColon && text[head] === '/' && text[head + 1] === '/') continue; // a URL's scheme
    while (head < text.length && isBlank(text.charCodeAt(head))) head++;
    const key = text.slice(start, end);
    const secret = keys.textSecret(key);
    if (!secret && !keys.keyMaterial(key)) continue;
    if (text.startsWith(REDACTED, head)) continue;
    const { from, to } = valueEnd(text, head);
    if (to <= from) continue;
    if (!secret && !looksRandom(text.slice(from, to))) continue;
    out += text.slice(last, from) + REDACTED;
    last = to;
  }
  return last === 0 ? text : out + text.slice(last);
}

function redactTextWith(text: string, keys: KeyClassifier): string {
  const arn = text.startsWith('arn:') && !/\s/.test(text);
  if (!(arn ? ARN_GATE : GATE).test(text)) return text;
  const found = signals(text, arn);
  if (found === 0) return text;
  let out = text;
  if (found & PEM) out = out.replace(PEM_PRIVATE_KEY, REDACTED);
  if (found & AUTH_SCHEME) {
    // Before the pairs: `Authorization: Bearer x` must lose `x`, not only the word `Bearer`.
    out = out.replace(BEARER, `$1${REDACTED}`);
    out = out.replace(BASIC, (match: string, head: string, token: string) =>
      Buffer.from(token, 'base64').toString('latin1').includes(':') ? head + REDACTED : match,
    );
  }
  if (found & PAIR) {
    out = redactPairs(out, keys);
    if (out.includes('</'))
      out = out.replace(XML_ELEMENT, (match: string, tag: string) =>
        keys.secret(tag) ? `<${tag}>${REDACTED}</${tag}>` : match,
      );
  }
  if (found & KEY_ID) {
    const before = out;
    out = out.replace(AWS_ACCESS_KEY_ID, `$1${REDACTED}`);
    // A pasted key pair: the secret access key sits next to its id, often with no key name.
    if (out !== before) out = out.replace(AWS_SECRET_SHAPE, (token) => (looksRandom(token) ? REDACTED : token));
  }
  if (found & SESSION) out = out.replace(AWS_SESSION_TOKEN, REDACTED);
  if (found & JWT_START) out = out.replace(JWT, REDACTED);
  if (found & URL) {
    out = out.replace(URL_PASSWORD, `$1${REDACTED}@`);
    out = out.replace(URL_TOKEN_USER, (match: string, scheme: string, user: string) =>
      looksRandom(user) ? `${scheme}${REDACTED}@` : match,
    );
  }
  return out;
}

// ------------------------------------------------------------------ objects

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

function keyClassifier(options: RedactorOptions): KeyClassifier {
  const base = options.replaceDefaults === true ? [] : DEFAULT_REDACTED_KEYS;
  const suffixes = [...new Set([...base, ...(options.extraKeys ?? [])].map(normalizeKey).filter((k) => k.length > 0))];
  const allowed = new Set(NON_SECRET_KEYS.map(normalizeKey));
  const exact = options.replaceDefaults === true ? new Set<string>() : EXACT_SECRET_KEYS;
  const secretCache = new Map<string, boolean>();
  const materialCache = new Map<string, boolean>();
  const textCache = new Map<string, boolean>();
  // Keys come from AWS models and user input; bound the caches so hostile input cannot grow them without limit.
  const cached = (cache: Map<string, boolean>, key: string, decide: (normalized: string) => boolean): boolean => {
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = decide(normalizeKey(key));
      if (cache.size < CACHE_LIMIT) cache.set(key, hit);
    }
    return hit;
  };
  const secret = (key: string): boolean =>
    cached(
      secretCache,
      key,
      (n) => !allowed.has(n) && !IAM_ACTION.test(key) && (exact.has(n) || suffixes.some((s) => n.endsWith(s))),
    );
  return {
    secret,
    textSecret: (key) => cached(textCache, key, (n) => TEXT_ONLY_SECRET_KEYS.has(n) || secret(key)),
    keyMaterial: (key) =>
      cached(
        materialCache,
        key,
        (n) =>
          options.replaceDefaults !== true &&
          n.endsWith('key') &&
          n !== 'key' &&
          !NOT_KEY_MATERIAL.some((k) => n.endsWith(k)),
      ),
  };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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
  const { walk } = redactorParts(options, options.sortKeys ?? false);
  return (value: unknown) => walk(value, 0, []);
}

/**
 * Builds a function that redacts a value and serializes the result as
 * canonical JSON in one pass: the same text as
 * `JSON.stringify(createRedactor({ ...options, sortKeys: true })(value))`
 * (undefined where that is undefined), without building the redacted copy
 * first. The audit store hashes this text.
 */
export function createCanonicalRedactor(
  options: Omit<RedactorOptions, 'sortKeys'> = {},
): (value: unknown) => string | undefined {
  const { json } = redactorParts(options, true);
  return (value: unknown) => json(value, 0, []);
}

/** Sorts keys in place as `Array.prototype.sort()` does (UTF-16 code units); insertion sort for the usual few keys. */
function sortKeysInPlace(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
}

const REDACTED_JSON = JSON.stringify(REDACTED);

/** Whether a key is one a plain object orders before the others (an array index) or treats specially. */
const isSpecialKey = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return (c >= 48 && c <= 57) || key === '__proto__';
};

function redactorParts(
  options: RedactorOptions,
  sortKeys: boolean,
): {
  walk: (value: unknown, depth: number, seen: object[]) => unknown;
  json: (value: unknown, depth: number, seen: object[]) => string | undefined;
} {
  const keys = keyClassifier(options);
  /** The value under `key`, or undefined when it is kept (then it is walked). */
  const hiddenByKey = (key: string, value: unknown): string | undefined => {
    if (keys.secret(key)) return REDACTED;
    if (typeof value === 'string' && keys.keyMaterial(key) && looksRandom(value)) return REDACTED;
    return undefined;
  };

  /** The value member of a `{ Key: 'DB_PASSWORD', Value: … }` pair whose value must go, if any. */
  const hiddenPairValue = (obj: Record<string, unknown>): string | undefined => {
    if (typeof obj.ParameterKey === 'string' && 'ParameterValue' in obj) return 'ParameterValue';
    const valueKey = PAIR_VALUES.find((k) => k in obj);
    if (valueKey === undefined) return undefined;
    for (const nameKey of PAIR_NAMES) {
      const name = obj[nameKey];
      if (typeof name !== 'string') continue;
      const value = obj[valueKey];
      if (keys.secret(name)) return valueKey;
      if (typeof value === 'string' && keys.keyMaterial(name) && looksRandom(value)) return valueKey;
    }
    return undefined;
  };

  const walk = (value: unknown, depth: number, seen: object[]): unknown => {
    if (value === null || value === undefined) return value;
    switch (typeof value) {
      case 'string':
        return redactTextWith(value, keys);
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
    if (seen.includes(obj)) return '[Circular]';
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
      // Binary payloads (S3 bodies, SecretBinary under another name) are
      // summarised: their bytes are neither useful nor safe in a trail.
      return { binaryBytes: obj.byteLength };
    }
    seen.push(obj);
    try {
      if (Array.isArray(obj)) return obj.map((item) => walk(item, depth + 1, seen) ?? null);
      if (obj instanceof Map) {
        const out: Record<string, unknown> = {};
        const pairs = [...obj];
        if (sortKeys) pairs.sort(([a], [b]) => compare(String(a), String(b)));
        for (const [k, v] of pairs) {
          const key = String(k);
          out[key] = hiddenByKey(key, v) ?? walk(v, depth + 1, seen);
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
      const record = obj as Record<string, unknown>;
      const pairValue = hiddenPairValue(record);
      const ownKeys = Object.keys(obj);
      if (sortKeys) ownKeys.sort();
      for (const key of ownKeys) {
        const v = record[key];
        if (v === undefined || typeof v === 'function') continue;
        out[key] = key === pairValue ? REDACTED : (hiddenByKey(key, v) ?? walk(v, depth + 1, seen));
      }
      if (sortKeys && obj instanceof Error)
        return Object.fromEntries(Object.entries(out).sort(([a], [b]) => compare(a, b)));
      return out;
    } finally {
      seen.pop();
    }
  };

  /**
   * The redacted JSON text of short strings seen before (parameter values repeat: filter names, states,
   * regions), at most {@link CACHE_LIMIT} of them; the text of a string depends on the string alone.
   */
  const stringCache = new Map<string, string>();
  const jsonText = (value: string): string => {
    let text = stringCache.get(value);
    if (text === undefined) {
      text = jsonString(redactTextWith(value, keys));
      if (value.length <= CACHED_STRING_LENGTH) {
        // Full: start over, so values common now are cached again (not only the first ones ever seen).
        if (stringCache.size >= CACHE_LIMIT) stringCache.clear();
        stringCache.set(value, text);
      }
    }
    return text;
  };

  /**
   * `JSON.stringify(walk(value))`, written directly for strings, numbers,
   * arrays and plain objects; anything else (dates, binary, maps, sets,
   * errors, class instances, objects with index-like keys) is walked and then
   * stringified, which gives the same text.
   */
  const json = (value: unknown, depth: number, seen: object[]): string | undefined => {
    switch (typeof value) {
      case 'string':
        return jsonText(value);
      case 'number':
        return Number.isFinite(value) ? String(value) : 'null';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
      case 'bigint':
        return JSON.stringify(value.toString());
      default:
        break;
    }
    if (value === null) return 'null';
    const obj = value as object;
    const array = Array.isArray(obj);
    const proto = array ? undefined : (Object.getPrototypeOf(obj) as unknown);
    const ownKeys = array ? undefined : Object.keys(obj);
    if (
      depth >= MAX_DEPTH ||
      seen.includes(obj) ||
      (!array && proto !== Object.prototype && proto !== null) ||
      ownKeys?.some(isSpecialKey) === true
    )
      return JSON.stringify(walk(obj, depth, seen));
    seen.push(obj);
    try {
      if (ownKeys === undefined) {
        const items = obj as unknown[];
        let out = '[';
        for (let i = 0; i < items.length; i++)
          out += `${i === 0 ? '' : ','}${json(items[i], depth + 1, seen) ?? 'null'}`;
        return `${out}]`;
      }
      const record = obj as Record<string, unknown>;
      sortKeysInPlace(ownKeys);
      const pairValue = hiddenPairValue(record);
      let out = '{';
      let first = true;
      for (const key of ownKeys) {
        const v = record[key];
        if (v === undefined || typeof v === 'function') continue;
        const text = key === pairValue || hiddenByKey(key, v) !== undefined ? REDACTED_JSON : json(v, depth + 1, seen);
        if (text === undefined) continue;
        out += `${first ? '' : ','}${jsonString(key)}:${text}`;
        first = false;
      }
      return `${out}}`;
    } finally {
      seen.pop();
    }
  };

  return { walk, json };
}

const defaultRedactor = createRedactor();
const defaultKeys = keyClassifier({});

/**
 * Returns a deep copy of `value` with every secret replaced by `"[REDACTED]"`:
 * keys from {@link DEFAULT_REDACTED_KEYS} (plus `extraKeys`), case-insensitive,
 * at any depth and inside arrays, and secret values inside any string (see
 * {@link redactText}). Binary values become `{ binaryBytes: n }`, dates ISO
 * strings, cycles `"[Circular]"`. The input is not modified.
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

/**
 * Returns `text` with every secret value it holds replaced by `"[REDACTED]"`:
 * for error messages, log lines and anything else that is free text.
 *
 * @example
 * ```ts
 * redactText('GET https://b.s3.amazonaws.com/k?X-Amz-Signature=9f2c… failed');
 * // 'GET https://b.s3.amazonaws.com/k?X-Amz-Signature=[REDACTED] failed'
 * ```
 */
export function redactText(text: string): string {
  return redactTextWith(text, defaultKeys);
}
