/**
 * SigV4 (AWS4-HMAC-SHA256) as the gateway computes it, both to verify a
 * client's signature and to re-sign an admitted request with the real
 * credentials: the canonical request of the SigV4 specification, hashed and
 * signed synchronously with node:crypto, with the derived signing keys cached
 * per (secret, date, region, service).
 */
import { createHash, createHmac } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** RFC 3986 encoding, as SigV4 canonicalises paths and query strings. */
export const uriEscape = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Signing keys derived from a secret for one date, region and service (four
 * HMACs each), kept for the next request of the same scope. The secret is
 * part of the lookup, so a key is only ever reused for the very secret,
 * date, region and service it was derived from. Memory only; bounded.
 */
export class SigningKeyCache {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 64) {}

  /** The SigV4 signing key of `secret` for the scope `date/region/service/aws4_request`. */
  key(secret: string, date: string, region: string, service: string): Buffer {
    // date, region and service never hold `/` (the scope's own separator); the secret comes last.
    const id = `${date}/${region}/${service}/${secret}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
      if (this.keys.size >= this.maxEntries) this.keys.clear();
      this.keys.set(id, key);
    }
    return key;
  }
}

/**
 * The canonical URI: S3 signs the raw path as sent (`escape` false); every
 * other service the path with empty, `.` and `..` segments removed, then
 * percent-encoded once more.
 */
export function canonicalUri(rawPath: string, escape: boolean): string {
  if (!escape) return rawPath;
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return uriEscape(normalized).replace(/%2F/g, '/');
}

/** The canonical query string of decoded values, without any `X-Amz-Signature`. */
export function canonicalQuery(query: ReadonlyMap<string, readonly string[]>): string {
  if (query.size === 0) return '';
  const parts: [string, string][] = [];
  for (const [key, values] of query) {
    if (key.toLowerCase() === 'x-amz-signature') continue;
    const encodedKey = uriEscape(key);
    const pairs = values.map((v) => `${encodedKey}=${uriEscape(v)}`);
    if (pairs.length > 1) pairs.sort();
    parts.push([encodedKey, pairs.join('&')]);
  }
  parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return parts
    .map((p) => p[1])
    .filter((p) => p !== '')
    .join('&');
}

export interface CanonicalRequest {
  readonly method: string;
  /** From {@link canonicalUri}. */
  readonly uri: string;
  /** From {@link canonicalQuery}. */
  readonly query: string;
  /** The signed headers' lower-case names, sorted. */
  readonly signedHeaders: readonly string[];
  /** The value of a signed header (repeated headers joined with `,`). */
  readonly header: (name: string) => string;
  readonly payloadHash: string;
}

/** The canonical request's text. */
export function canonicalRequestText(req: CanonicalRequest): string {
  let headers = '';
  for (const name of req.signedHeaders) headers += `${name}:${req.header(name).trim().replace(/\s+/g, ' ')}\n`;
  return `${req.method}\n${req.uri}\n${req.query}\n${headers}\n${req.signedHeaders.join(';')}\n${req.payloadHash}`;
}

/** The hex signature of a canonical request (text) under a signing key. */
export function signatureOf(signingKey: Buffer, amzDate: string, scope: string, canonical: string): string {
  const stringToSign = `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` of a date. */
export const amzDateOf = (date: Date): string => date.toISOString().replace(/[-:]|\.\d{3}/g, '');
