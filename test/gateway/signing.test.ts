/**
 * The gateway's SigV4: its re-signing agrees with an independent signer
 * (`@smithy/signature-v4`, what the SDK signs with), and its cache of signing
 * keys never lets a signature made with another secret, date, region or
 * service pass, however warm the cache is.
 */
import { describe, expect, it } from 'vitest';
import { newSessionCredential, verifySignature } from '../../src/gateway/index.js';
import { SigningKeyCache } from '../../src/gateway/signing.js';
import { Upstream, type ForwardRequest } from '../../src/gateway/upstream.js';
import { parseAuthorizationHeader, type SigV4Authorization } from '../../src/wire/index.js';
import { smithySigner } from './smithySigner.js';

const NOW = new Date('2026-12-01T23:59:30Z');
const REAL = { accessKeyId: 'AKIDREALSIGNINGTEST1', secretAccessKey: 'real-signing-secret' };

interface Signed {
  method: string;
  rawPath: string;
  query: Map<string, string[]>;
  headers: Map<string, string>;
  body: Buffer;
  authorization: SigV4Authorization;
}

/** A request signed by smithy as an SDK client signs it. */
async function smithySigned(
  credentials: { accessKeyId: string; secretAccessKey: string },
  scope: { region: string; service: string },
  request: { method?: string; path?: string; query?: Record<string, string | string[]>; body?: string } = {},
  at: Date = NOW,
): Promise<Signed> {
  const signer = smithySigner(credentials, scope);
  const body = Buffer.from(request.body ?? '');
  const signed = await signer.sign(
    {
      method: request.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: request.path ?? '/',
      query: request.query ?? {},
      headers: {
        host: '127.0.0.1:8787',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-amz-user-agent': '  aws-sdk-js/3   ua/2.1 ',
      },
      ...(body.length === 0 ? {} : { body }),
    },
    { signingDate: at },
  );
  const headers = new Map(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const parsed = parseAuthorizationHeader(headers.get('authorization') ?? '');
  if (!parsed.ok) throw new Error(parsed.message);
  const query = new Map(
    Object.entries(request.query ?? {}).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]] as [string, string[]]),
  );
  return { method: signed.method, rawPath: signed.path, query, headers, body, authorization: parsed.authorization };
}

const check = (req: Signed, credential: { accessKeyId: string; secretAccessKey: string }, keys: SigningKeyCache) =>
  verifySignature({ ...req, hostname: '127.0.0.1:8787' }, credential, NOW, keys);

/** The same request claiming another scope in its Authorization header (the signature left as it was). */
function claiming(req: Signed, scope: { date?: string; region?: string; service?: string }): Signed {
  const a = req.authorization;
  const authorization = { ...a, ...scope };
  const headers = new Map(req.headers);
  headers.set(
    'authorization',
    `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/${authorization.date}/${authorization.region}/${authorization.service}/aws4_request, SignedHeaders=${a.signedHeaders.join(';')}, Signature=${a.signature}`,
  );
  return { ...req, headers, authorization };
}

describe('verifying with cached signing keys', () => {
  it('accepts the session secret only, for the scope the signature was made for', async () => {
    const session = newSessionCredential();
    const keys = new SigningKeyCache();
    const sts = { region: 'us-east-1', service: 'sts' };
    const good = await smithySigned(session, sts, { body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(check(good, session, keys)).toMatchObject({ ok: true });
    // The cache is warm for (session secret, date, us-east-1, sts) from here on.
    expect(check(good, session, keys)).toMatchObject({ ok: true });

    const otherSecret = await smithySigned({ ...session, secretAccessKey: 'another-secret' }, sts, {
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(check(otherSecret, session, keys)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    // Another gateway's session (another secret) with the same key id: its cache entry is its own.
    const other = { ...session, secretAccessKey: 'another-secret' };
    expect(check(good, other, keys)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(check(otherSecret, other, keys)).toMatchObject({ ok: true });

    expect(check(claiming(good, { region: 'eu-west-1' }), session, keys)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    expect(check(claiming(good, { service: 'iam' }), session, keys)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    // Signed for eu-west-1 and iam with the right secret: each verifies under its own key.
    const west = await smithySigned(session, { region: 'eu-west-1', service: 'sts' }, { body: 'Action=X' });
    const iam = await smithySigned(session, { region: 'us-east-1', service: 'iam' }, { body: 'Action=X' });
    expect(check(west, session, keys)).toMatchObject({ ok: true });
    expect(check(iam, session, keys)).toMatchObject({ ok: true });
    expect(check(claiming(west, { region: 'us-east-1' }), session, keys)).toMatchObject({ ok: false });
    expect(check(claiming(iam, { service: 'sts' }), session, keys)).toMatchObject({ ok: false });
  });

  it('a signature of one day does not verify as the next day', async () => {
    const session = newSessionCredential();
    const keys = new SigningKeyCache();
    const scope = { region: 'us-east-1', service: 'ec2' };
    const today = await smithySigned(session, scope, { body: 'Action=DescribeInstances' });
    expect(check(today, session, keys)).toMatchObject({ ok: true });
    const tomorrow = new Date(NOW.getTime() + 60_000);
    const next = await smithySigned(session, scope, { body: 'Action=DescribeInstances' }, tomorrow);
    expect(next.authorization.date).not.toBe(today.authorization.date);
    // The next day's request with the previous day's signature: refused under the next day's key.
    const moved = claiming(next, {});
    moved.authorization = { ...next.authorization, signature: today.authorization.signature };
    expect(verifySignature({ ...moved, hostname: '127.0.0.1:8787' }, session, tomorrow, keys)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    expect(verifySignature({ ...next, hostname: '127.0.0.1:8787' }, session, tomorrow, keys)).toMatchObject({
      ok: true,
    });
  });

  it('verifies paths, queries and header values as the SDK signed them (S3 raw paths, others escaped)', async () => {
    const session = newSessionCredential();
    const keys = new SigningKeyCache();
    const cases: {
      scope: { region: string; service: string };
      method: string;
      path: string;
      query: Record<string, string | string[]>;
    }[] = [
      {
        scope: { region: 'us-east-1', service: 's3' },
        method: 'GET',
        path: '/my-bucket/a%20b/c%2Bd~e',
        query: { 'list-type': '2', prefix: 'x y/z*' },
      },
      {
        scope: { region: 'eu-west-1', service: 'lambda' },
        method: 'GET',
        path: '/2015-03-31/functions/my%3Afn/configuration',
        query: { Qualifier: '$LATEST' },
      },
      {
        scope: { region: 'us-east-1', service: 'execute-api' },
        method: 'GET',
        path: '/a/./b/../c/',
        query: { k: ['2', '1'], 'a b': "!'()*" },
      },
    ];
    for (const c of cases) {
      const req = await smithySigned(session, c.scope, { method: c.method, path: c.path, query: c.query });
      expect(check(req, session, keys), c.path).toMatchObject({ ok: true });
    }
  });
});

describe('re-signing with the real credentials', () => {
  it('signs as @smithy/signature-v4 does, for every scope in turn with one cache', async () => {
    const upstream = new Upstream({ credentials: () => Promise.resolve(REAL) });
    const target = { protocol: 'http:' as const, hostname: '127.0.0.1', port: 4566, basePath: '' };
    const requests: ForwardRequest[] = [
      {
        method: 'POST',
        rawPath: '/',
        query: new Map(),
        headers: new Map([
          ['content-type', 'application/x-amz-json-1.0'],
          ['x-amz-target', 'DynamoDB_20120810.GetItem'],
        ]),
        body: Buffer.from('{"TableName":"t"}'),
        signingName: 'dynamodb',
        region: 'us-east-1',
        target,
      },
      {
        method: 'GET',
        rawPath: '/bucket/a%20key',
        query: new Map([
          ['tagging', ['']],
          ['x-id', ['GetObjectTagging']],
        ]),
        headers: new Map([['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']]),
        body: Buffer.alloc(0),
        signingName: 's3',
        region: 'eu-west-1',
        target,
      },
      {
        method: 'GET',
        rawPath: '/2015-03-31/functions/fn%3A1',
        query: new Map([['Marker', ['a b']]]),
        headers: new Map([['x-amz-user-agent', ' spaced   value ']]),
        body: Buffer.alloc(0),
        signingName: 'lambda',
        region: 'eu-west-1',
        target,
      },
      {
        method: 'POST',
        rawPath: '/',
        query: new Map(),
        headers: new Map([['content-type', 'application/x-www-form-urlencoded']]),
        body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'),
        signingName: 'sts',
        region: 'us-east-1',
        target,
      },
    ];
    for (const req of [...requests, ...requests]) {
      const headers = await upstream.sign(req, NOW);
      const parsed = parseAuthorizationHeader(headers.authorization!);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.authorization).toMatchObject({
        accessKeyId: REAL.accessKeyId,
        region: req.region,
        service: req.signingName,
      });
      const oracle = smithySigner(REAL, { region: req.region, service: req.signingName });
      const { authorization, ...unsigned } = headers;
      const expected = await oracle.sign(
        {
          method: req.method,
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: 4566,
          path: req.rawPath,
          query: Object.fromEntries([...req.query].map(([k, v]) => [k, v.length === 1 ? v[0]! : [...v]])),
          headers: unsigned,
          ...(req.body.length === 0 ? {} : { body: req.body }),
        },
        { signingDate: NOW, unsignableHeaders: new Set(['content-length', 'user-agent']) },
      );
      expect(authorization, `${req.signingName} ${req.rawPath}`).toBe(expected.headers.authorization);
    }
    upstream.close();
  });
});
