/**
 * Verifies a client's SigV4 signature against the gateway's session
 * credential: the same canonical request, recomputed with
 * `@smithy/signature-v4` over exactly the headers the client signed, and the
 * payload hash rules of SigV4 (`x-amz-content-sha256` must match the body;
 * `UNSIGNED-PAYLOAD` only for an empty body; streaming payloads are refused
 * before this point).
 */
import { timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigV4Authorization } from '../wire/index.js';
import type { SessionCredential } from './session.js';
import { Sha256, sha256Hex } from './sha256.js';

/** AWS's own limit for a request's clock skew. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export type SignatureCheck =
  | { readonly ok: true }
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

/** Checks one request's signature; `now` is injectable for tests. */
export async function verifySignature(
  request: SignedRequest,
  credential: SessionCredential,
  now: Date = new Date(),
): Promise<SignatureCheck> {
  const auth = request.authorization;
  if (auth.accessKeyId !== credential.accessKeyId)
    return fail('InvalidClientTokenId', 'the request is signed with a key that is not this gateway\u2019s session key');
  if (auth.algorithm !== 'AWS4-HMAC-SHA256')
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
  if (declared !== undefined) {
    if (declared === 'UNSIGNED-PAYLOAD') {
      if (request.body.byteLength > 0)
        return fail('XAmzContentSHA256Mismatch', 'UNSIGNED-PAYLOAD is accepted for an empty body only');
    } else if (declared !== sha256Hex(request.body)) {
      return fail('XAmzContentSHA256Mismatch', 'x-amz-content-sha256 does not match the body');
    }
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) headers[name] = request.headers.get(name)!;
  const query: Record<string, string | string[]> = {};
  for (const [key, values] of request.query) {
    if (key === 'X-Amz-Signature') continue;
    query[key] = values.length === 1 ? values[0]! : [...values];
  }
  const expected = Buffer.from(auth.signature, 'hex');
  // S3 signs the path as sent, every other service its escaped form; try the likely one first.
  const variants = auth.service === 's3' || auth.service === 's3express' ? [false, true] : [true, false];
  for (const uriEscapePath of variants) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
      region: auth.region,
      service: auth.service,
      sha256: Sha256,
      uriEscapePath,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: request.hostname,
        path: request.rawPath,
        query,
        headers: { ...headers },
        body: request.body.byteLength === 0 ? undefined : request.body,
      },
      { signingDate, signableHeaders: new Set(auth.signedHeaders) },
    );
    const got = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
    if (got !== undefined && timingSafeEqual(Buffer.from(got, 'hex'), expected)) return { ok: true };
  }
  return fail('SignatureDoesNotMatch', 'the request signature does not match the gateway\u2019s session key');
}
