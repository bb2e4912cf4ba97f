/**
 * What a SigV4 signature says about a request, read from the `Authorization`
 * header or from a presigned URL's `X-Amz-*` query parameters. Parsing only:
 * verifying the signature needs the secret (see src/gateway/verify.ts).
 */

/** The parts of one SigV4 signature. */
export interface SigV4Authorization {
  readonly algorithm: string;
  readonly accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  readonly date: string;
  readonly region: string;
  /** The signing name (`s3`, `ec2`, `execute-api`). */
  readonly service: string;
  /** Lower-cased, in the order the client listed them. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** True when the signature came from the query string (a presigned URL). */
  readonly presigned: boolean;
}

/** `unsigned`: no SigV4 at all; `malformed`: something that tries to be SigV4 and is not. */
export type SigV4Parse =
  | { readonly ok: true; readonly authorization: SigV4Authorization }
  | { readonly ok: false; readonly reason: 'unsigned' | 'malformed'; readonly message: string };

const ALGORITHMS = new Set(['AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256']);
const SCOPE = /^([^/\s]{1,128})\/(\d{8})\/([a-z0-9-]{1,64})\/([a-z0-9-]{1,64})\/aws4_request$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

function malformed(message: string): SigV4Parse {
  return { ok: false, reason: 'malformed', message };
}

function fromParts(
  algorithm: string,
  credential: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
  presigned: boolean,
): SigV4Parse {
  if (!ALGORITHMS.has(algorithm)) return malformed(`unsupported signing algorithm ${JSON.stringify(algorithm)}`);
  if (credential === undefined) return malformed('the signature has no Credential');
  const scope = SCOPE.exec(credential);
  if (scope === null)
    return malformed(`Credential ${JSON.stringify(credential)} is not KEY/YYYYMMDD/region/service/aws4_request`);
  if (signedHeaders === undefined || signedHeaders === '') return malformed('the signature has no SignedHeaders');
  const headers = signedHeaders.split(';');
  if (headers.some((h) => !HEADER_NAME.test(h)))
    return malformed(`SignedHeaders ${JSON.stringify(signedHeaders)} is not a ;-separated list of lower-case names`);
  if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature))
    return malformed('the Signature is not 64 lower-case hex digits');
  return {
    ok: true,
    authorization: Object.freeze({
      algorithm,
      accessKeyId: scope[1]!,
      date: scope[2]!,
      region: scope[3]!,
      service: scope[4]!,
      signedHeaders: Object.freeze(headers),
      signature,
      presigned,
    }),
  };
}

/** Reads `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export function parseAuthorizationHeader(value: string): SigV4Parse {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  if (space === -1)
    return malformed('the Authorization header is not "ALGORITHM Credential=..., SignedHeaders=..., Signature=..."');
  const algorithm = trimmed.slice(0, space);
  if (!algorithm.startsWith('AWS4-'))
    return malformed(`the Authorization header is not SigV4 (${algorithm.slice(0, 32)})`);
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim();
    if (fields.has(key)) return malformed(`the Authorization header names ${key} twice`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  return fromParts(algorithm, fields.get('Credential'), fields.get('SignedHeaders'), fields.get('Signature'), false);
}

/**
 * The request's SigV4 authorization: the `Authorization` header, else the
 * presigned query parameters. `query` holds decoded values.
 */
export function parseSigV4(
  authorization: string | undefined,
  query: ReadonlyMap<string, readonly string[]>,
): SigV4Parse {
  if (authorization !== undefined && authorization !== '') return parseAuthorizationHeader(authorization);
  const algorithm = query.get('X-Amz-Algorithm')?.[0];
  if (algorithm === undefined) {
    if (query.has('X-Amz-Signature') || query.has('X-Amz-Credential'))
      return malformed('the presigned URL has no X-Amz-Algorithm');
    if (query.has('Signature') && query.has('AWSAccessKeyId'))
      return malformed('signature version 2 is not supported; sign with SigV4');
    return { ok: false, reason: 'unsigned', message: 'the request is not signed' };
  }
  return fromParts(
    algorithm,
    query.get('X-Amz-Credential')?.[0],
    query.get('X-Amz-SignedHeaders')?.[0],
    query.get('X-Amz-Signature')?.[0],
    true,
  );
}
