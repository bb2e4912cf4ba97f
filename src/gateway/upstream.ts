/**
 * Where an admitted read goes and how: the real regional endpoint (or
 * `--upstream`), re-signed with the real credentials by
 * `@smithy/signature-v4`, over keep-alive connections.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ServiceModel } from '../wire/index.js';
import { Sha256 } from './sha256.js';

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

/** RFC 3986 encoding, as SigV4 canonicalises query strings. */
const strictEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface ForwardRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
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
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 128 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 128 });
  private readonly timeoutMs: number;
  private readonly signers = new Map<string, SignatureV4>();

  constructor(private readonly options: UpstreamOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private signer(signingName: string, region: string): SignatureV4 {
    const key = `${signingName}|${region}`;
    let signer = this.signers.get(key);
    if (signer === undefined) {
      signer = new SignatureV4({
        credentials: this.options.credentials,
        region,
        service: signingName,
        sha256: Sha256,
        uriEscapePath: signingName !== 's3' && signingName !== 's3express',
        applyChecksum: false,
      });
      if (this.signers.size > 256) this.signers.clear();
      this.signers.set(key, signer);
    }
    return signer;
  }

  /** The real key id the gateway signs with (for the audit trail and tests). */
  async accessKeyId(): Promise<string> {
    const identity: AwsCredentialIdentity = await this.options.credentials();
    return identity.accessKeyId;
  }

  /** Sends the request and resolves with the upstream's response (headers received, body not yet read). */
  async send(req: ForwardRequest): Promise<IncomingMessage> {
    const { target } = req;
    const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`;
    const headers: Record<string, string> = {};
    for (const [name, value] of req.headers) if (!DROPPED_REQUEST_HEADERS.has(name)) headers[name] = value;
    headers.host = host;
    if (req.body.byteLength > 0 || req.method === 'POST' || req.method === 'PUT')
      headers['content-length'] = String(req.body.byteLength);
    const query: Record<string, string | string[]> = {};
    for (const [key, values] of req.query) query[key] = values.length === 1 ? values[0]! : [...values];
    const path = `${target.basePath}${req.rawPath}`;
    const signed = await this.signer(req.signingName, req.region).sign(
      {
        method: req.method,
        protocol: target.protocol,
        hostname: target.hostname,
        ...(target.port === undefined ? {} : { port: target.port }),
        path,
        query,
        headers,
        body: req.body.byteLength === 0 ? undefined : req.body,
      },
      { unsignableHeaders: new Set(['content-length', 'user-agent']) },
    );
    const search = [...req.query]
      .flatMap(([key, values]) => values.map((v) => `${strictEncode(key)}=${strictEncode(v)}`))
      .join('&');
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = send({
        method: req.method,
        hostname: target.hostname,
        ...(target.port === undefined ? {} : { port: target.port }),
        path: search === '' ? path : `${path}?${search}`,
        headers: signed.headers as Record<string, string>,
        agent: target.protocol === 'https:' ? this.https : this.http,
        timeout: this.timeoutMs,
      });
      outgoing.once('response', resolve);
      outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer from ${host} within ${this.timeoutMs} ms`)));
      outgoing.once('error', reject);
      outgoing.end(req.body.byteLength === 0 ? undefined : req.body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
