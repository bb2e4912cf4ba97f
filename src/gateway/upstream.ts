/**
 * Where an admitted read goes and how: the real regional endpoint (or
 * `--upstream`), re-signed with the real credentials (SigV4, see
 * `signing.ts`), over keep-alive connections.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ServiceModel } from '../wire/index.js';
import {
  amzDateOf,
  canonicalQuery,
  canonicalRequestText,
  canonicalUri,
  sha256Hex,
  SIGV4_ALGORITHM,
  signatureOf,
  SigningKeyCache,
  uriEscape,
} from './signing.js';

export interface UpstreamTarget {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: number | undefined;
  /** Prepended to the request path (an upstream URL with a path). */
  readonly basePath: string;
}

/** The endpoint of a service in a region, or the one `--upstream` names. */
export function upstreamFor(service: ServiceModel, region: string, upstream: URL | undefined): UpstreamTarget {
  if (upstream !== undefined) {
    return {
      protocol: upstream.protocol === 'https:' ? 'https:' : 'http:',
      hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.port === '' ? undefined : Number(upstream.port),
      basePath: upstream.pathname.replace(/\/$/, ''),
    };
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const hostname =
    service.globalEndpoint !== undefined && (region === 'us-east-1' || region === 'aws-global')
      ? service.globalEndpoint
      : `${service.endpointPrefix}.${region}.${suffix}`;
  return { protocol: 'https:', hostname, port: undefined, basePath: '' };
}

/** Hop-by-hop headers and the client's own signature: never forwarded. */
const DROPPED_REQUEST_HEADERS = new Set([
  'authorization',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'x-amz-date',
  'x-amz-security-token',
  'content-length',
]);

export const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Forwarded but not signed (what `@smithy/signature-v4` leaves unsigned, and the two the gateway adds). */
const UNSIGNED_HEADERS = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
  'content-length',
]);
const signable = (name: string): boolean =>
  !UNSIGNED_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-');

export interface ForwardRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  /** The body's SHA-256 (hex), when the signature check computed it already. */
  readonly payloadHash?: string;
  readonly signingName: string;
  readonly region: string;
  readonly target: UpstreamTarget;
}

export interface UpstreamOptions {
  readonly credentials: AwsCredentialIdentityProvider;
  /** @default 30000 - no answer from AWS within it ends the request */
  readonly timeoutMs?: number;
}

/** Signs and sends admitted requests; one keep-alive pool per protocol. */
export class Upstream {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  private readonly timeoutMs: number;
  private readonly keys = new SigningKeyCache();

  constructor(private readonly options: UpstreamOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The real key id the gateway signs with (for the audit trail and tests). */
  async accessKeyId(): Promise<string> {
    const identity: AwsCredentialIdentity = await this.options.credentials();
    return identity.accessKeyId;
  }

  /** The headers of `req` signed with the real credentials for its target (`now` for tests). */
  async sign(req: ForwardRequest, now: Date = new Date()): Promise<Record<string, string>> {
    const { target } = req;
    const credentials: AwsCredentialIdentity = await this.options.credentials();
    const headers: Record<string, string> = {};
    for (const [name, value] of req.headers) if (!DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    headers.host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`;
    if (req.body.byteLength > 0 || req.method === 'POST' || req.method === 'PUT')
      headers['content-length'] = String(req.body.byteLength);
    const amzDate = amzDateOf(now);
    headers['x-amz-date'] = amzDate;
    if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
    const signedHeaders = Object.keys(headers).filter(signable).sort();
    const date = amzDate.slice(0, 8);
    const scope = `${date}/${req.region}/${req.signingName}/aws4_request`;
    const canonical = canonicalRequestText({
      method: req.method,
      uri: canonicalUri(
        `${target.basePath}${req.rawPath}`,
        req.signingName !== 's3' && req.signingName !== 's3express',
      ),
      query: canonicalQuery(req.query),
      signedHeaders,
      header: (name) => headers[name]!,
      payloadHash: headers['x-amz-content-sha256'] ?? req.payloadHash ?? sha256Hex(req.body),
    });
    const key = this.keys.key(credentials.secretAccessKey, date, req.region, req.signingName);
    headers.authorization = `${SIGV4_ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signatureOf(key, amzDate, scope, canonical)}`;
    return headers;
  }

  /** Sends the request and resolves with the upstream's response (headers received, body not yet read). */
  async send(req: ForwardRequest): Promise<IncomingMessage> {
    const { target } = req;
    const headers = await this.sign(req);
    let search = '';
    for (const [key, values] of req.query)
      for (const v of values) search += `${search === '' ? '' : '&'}${uriEscape(key)}=${uriEscape(v)}`;
    const path = `${target.basePath}${req.rawPath}`;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = send({
        method: req.method,
        hostname: target.hostname,
        ...(target.port === undefined ? {} : { port: target.port }),
        path: search === '' ? path : `${path}?${search}`,
        headers,
        agent: target.protocol === 'https:' ? this.https : this.http,
        timeout: this.timeoutMs,
      });
      outgoing.once('response', resolve);
      outgoing.once('timeout', () =>
        outgoing.destroy(new Error(`no answer from ${headers.host} within ${this.timeoutMs} ms`)),
      );
      outgoing.once('error', reject);
      outgoing.end(req.body.byteLength === 0 ? undefined : req.body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
