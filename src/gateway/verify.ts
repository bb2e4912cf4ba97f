/**
 * Verifies a client's SigV4 signature against the gateway's session
 * credential: the same canonical request (see `signing.ts`) over exactly the
 * headers the client signed, and the payload hash rules of SigV4
 * (`x-amz-content-sha256` must match the body; `UNSIGNED-PAYLOAD` only for an
 * empty body; streaming payloads are refused before this point).
 */
import { timingSafeEqual } from 'node:crypto';
import type { SigV4Authorization } from '../wire/index.js';
import type { SessionCredential } from './session.js';
import {
  canonicalQuery,
  canonicalRequestText,
  canonicalUri,
  sha256Hex,
  SIGV4_ALGORITHM,
  signatureOf,
  SigningKeyCache,
} from './signing.js';

/** AWS's own limit for a request's clock skew. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export type SignatureCheck =
  | {
      readonly ok: true;
      /** The body's SHA-256 (hex) as signed, or `UNSIGNED-PAYLOAD` (an empty body): re-signing uses it as it is. */
      readonly payloadHash: string;
    }
  | {
      readonly ok: false;
      /** AWS's code for the failure, as a client expects it. */
      readonly code:
        | 'InvalidClientTokenId'
        | 'SignatureDoesNotMatch'
        | 'IncompleteSignature'
        | 'RequestExpired'
        | 'XAmzContentSHA256Mismatch';
      readonly message: string;
    };

export interface SignedRequest {
  readonly method: string;
  readonly hostname: string;
  /** Raw (percent-encoded) path without the query. */
  readonly rawPath: string;
  /** Decoded query values. */
  readonly query: ReadonlyMap<string, readonly string[]>;
  /** Lower-cased names; repeated headers joined with `,`. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  readonly authorization: SigV4Authorization;
}

const AMZ_DATE = /^(\d{8})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = AMZ_DATE.exec(value ?? '');
  if (m === null) return undefined;
  const d = m[1]!;
  const date = new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${m[2]}:${m[3]}:${m[4]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const fail = (code: Exclude<SignatureCheck, { ok: true }>['code'], message: string): SignatureCheck => ({
  ok: false,
  code,
  message,
});

/** Signing keys of the session credential, shared by every check that is not given a cache of its own. */
const SESSION_KEYS = new SigningKeyCache();

/** Checks one request's signature; `now` is injectable for tests. */
export function verifySignature(
  request: SignedRequest,
  credential: SessionCredential,
  now: Date = new Date(),
  keys: SigningKeyCache = SESSION_KEYS,
): SignatureCheck {
  const auth = request.authorization;
  if (auth.accessKeyId !== credential.accessKeyId)
    return fail('InvalidClientTokenId', 'the request is signed with a key that is not this gateway\u2019s session key');
  if (auth.algorithm !== SIGV4_ALGORITHM)
    return fail('IncompleteSignature', `the gateway verifies AWS4-HMAC-SHA256 signatures only, not ${auth.algorithm}`);
  if (!auth.signedHeaders.includes('host')) return fail('IncompleteSignature', 'the signature does not cover Host');
  const amzDate = request.headers.get('x-amz-date');
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined || !auth.signedHeaders.includes('x-amz-date'))
    return fail('IncompleteSignature', 'the request has no signed X-Amz-Date of the form YYYYMMDDTHHMMSSZ');
  if (!amzDate!.startsWith(auth.date))
    return fail('SignatureDoesNotMatch', 'the credential scope date is not the date of X-Amz-Date');
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS)
    return fail(
      'RequestExpired',
      `the request was signed at ${amzDate}, more than 15 minutes from the gateway's clock`,
    );
  for (const name of auth.signedHeaders) {
    if (!request.headers.has(name)) return fail('IncompleteSignature', `the signed header ${name} is missing`);
  }
  const declared = request.headers.get('x-amz-content-sha256');
  let payloadHash: string;
  if (declared === undefined) payloadHash = sha256Hex(request.body);
  else if (declared === 'UNSIGNED-PAYLOAD') {
    if (request.body.byteLength > 0)
      return fail('XAmzContentSHA256Mismatch', 'UNSIGNED-PAYLOAD is accepted for an empty body only');
    payloadHash = declared;
  } else if (declared !== sha256Hex(request.body)) {
    return fail('XAmzContentSHA256Mismatch', 'x-amz-content-sha256 does not match the body');
  } else payloadHash = declared;

  const signingKey = keys.key(credential.secretAccessKey, auth.date, auth.region, auth.service);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const signedHeaders = [...new Set(auth.signedHeaders)].sort();
  const query = canonicalQuery(request.query);
  const expected = Buffer.from(auth.signature, 'hex');
  // S3 signs the path as sent, every other service its normalised, escaped form; try the likely one first.
  const s3 = auth.service === 's3' || auth.service === 's3express';
  const uris = [canonicalUri(request.rawPath, !s3), canonicalUri(request.rawPath, s3)];
  for (const [i, uri] of uris.entries()) {
    if (i === 1 && uri === uris[0]) break;
    const canonical = canonicalRequestText({
      method: request.method,
      uri,
      query,
      signedHeaders,
      header: (name) => request.headers.get(name)!,
      payloadHash,
    });
    const got = Buffer.from(signatureOf(signingKey, amzDate!, scope, canonical), 'hex');
    if (timingSafeEqual(got, expected)) return { ok: true, payloadHash };
  }
  return fail('SignatureDoesNotMatch', 'the request signature does not match the gateway\u2019s session key');
}
