/**
 * `inventag gateway`: a loopback HTTP endpoint every AWS client can be
 * pointed at (`AWS_ENDPOINT_URL`). It is a credential broker: clients sign
 * with the gateway's session credential; the gateway verifies that signature,
 * identifies the operation with the wire decoder, decides with the same
 * `OperationGuard` as the SDK guard (verdicts, overrides, CUSTOM rules,
 * breakers, monitor, audit trail), refuses writes in the service's own error
 * protocol and forwards reads re-signed with the real credentials.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ComplianceStandard, OperationType, RiskLevel } from '../constants.js';
import type { Verdict } from '../contracts.js';
import { isOperationBlockedError, type OperationBlockedError, type OperationGuard } from '../guard/index.js';
import {
  decodeParsedRequest,
  parseWireRequest,
  WireProtocol,
  type ParsedWireRequest,
  type SigV4Authorization,
  type WireDecision,
  type WireIdentified,
} from '../wire/index.js';
import { GatewayError, UpstreamError } from './errors.js';
import { accessDeniedCode, errorResponse, type ProtocolResponse } from './responses.js';
import { newSessionCredential, type SessionCredential } from './session.js';
import { SigningKeyCache } from './signing.js';
import { DROPPED_RESPONSE_HEADERS, Upstream, upstreamFor, type UpstreamOptions } from './upstream.js';
import { verifySignature } from './verify.js';

export interface GatewayOptions {
  /** @default '127.0.0.1' - loopback only: the session credential is the only lock */
  readonly host?: string;
  /** @default 0 (an ephemeral port) */
  readonly port?: number;
  /** Send every admitted request here instead of the services' regional endpoints (an emulator, a VPC endpoint). */
  readonly upstream?: URL;
  /** The region of requests whose signature names none (never: SigV4 always does); and of `--print-env`. @default 'us-east-1' */
  readonly region?: string;
  /** The real credentials: what admitted requests are re-signed with. */
  readonly credentials: UpstreamOptions['credentials'];
  /** The decision pipeline, shared with guarded SDK clients. */
  readonly guard: OperationGuard;
  /** @default a new random one */
  readonly session?: SessionCredential;
  /** The largest request body read (a read's input is small; writes are refused before their body is read). @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** Time to receive a request's headers (slowloris). @default 10000 */
  readonly headersTimeoutMs?: number;
  /** Time to receive a whole request. @default 60000 */
  readonly requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. @default 5000 */
  readonly keepAliveTimeoutMs?: number;
  /** A connection without any traffic for this long is closed. @default 120000 */
  readonly idleTimeoutMs?: number;
  /** Time the upstream has to answer. @default 30000 */
  readonly upstreamTimeoutMs?: number;
  readonly logger?: { warn(message: string): void };
  /** For tests. */
  readonly now?: () => Date;
}

/** Counters of what the gateway did since it started. */
export interface GatewayStats {
  requests: number;
  forwarded: number;
  blocked: number;
  refused: number;
}

/** The request as the decoder reads it, parsed once, and its user agent. */
interface Parsed extends ParsedWireRequest {
  readonly userAgent: string | undefined;
}

/** A request body small enough to drain so the connection can be kept. */
const DRAIN_LIMIT = 64 * 1024;

class BodyTooLarge extends Error {}

function parseRequest(req: IncomingMessage): Parsed {
  // Every value of a repeated header, joined with `,` (as SigV4 signs them).
  const parsed = parseWireRequest({
    method: (req.method ?? 'GET').toUpperCase(),
    path: req.url ?? '/',
    headers: req.headersDistinct,
  });
  return { ...parsed, userAgent: parsed.headers.get('user-agent') };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The protocol to answer in when the decoder could not tell: what the request looks like. */
function guessProtocol(decision: WireDecision, headers: ReadonlyMap<string, string>): WireProtocol | undefined {
  if (decision.ok) return decision.protocol;
  if (decision.protocol !== undefined) return decision.protocol;
  if (headers.has('x-amz-target')) return WireProtocol.JSON;
  if ((headers.get('content-type') ?? '').includes('x-www-form-urlencoded')) return WireProtocol.QUERY;
  return undefined;
}

/**
 * Streams the upstream's body to the client with backpressure. Resolves once the client has all of it; a
 * failure on either side (an error, a connection closed early) destroys both and rejects.
 */
function relay(from: IncomingMessage, to: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      from.destroy();
      to.destroy();
      reject(error);
    };
    from.once('error', fail);
    from.once('close', () => {
      if (!from.complete) fail(new Error('the upstream closed the connection before the body ended'));
    });
    to.once('error', fail);
    to.once('close', () => {
      if (!to.writableFinished) fail(new Error('the client closed the connection before the body ended'));
    });
    to.once('finish', () => {
      settled = true;
      resolve();
    });
    from.pipe(to);
  });
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The AWS error code of an upstream error response: the JSON header, else the XML `<Code>`. */
function errorCodeIn(headers: IncomingMessage['headers'], body: string): string | undefined {
  const header = headers['x-amzn-errortype'];
  const fromHeader = (Array.isArray(header) ? header[0] : header)?.split(':')[0]?.split('#').pop();
  if (fromHeader) return fromHeader;
  const xml = /<Code>([^<]{1,128})<\/Code>/.exec(body)?.[1];
  if (xml) return xml;
  try {
    const json = JSON.parse(body) as { __type?: unknown; code?: unknown };
    const type = typeof json.__type === 'string' ? json.__type : typeof json.code === 'string' ? json.code : undefined;
    return type?.split('#').pop();
  } catch {
    return undefined;
  }
}

export class GatewayServer {
  readonly session: SessionCredential;
  readonly stats: GatewayStats = { requests: 0, forwarded: 0, blocked: 0, refused: 0 };
  private readonly server: Server;
  private readonly upstream: Upstream;
  /** The session credential's signing keys, per day, region and service. */
  private readonly sessionKeys = new SigningKeyCache();
  private readonly options: GatewayOptions;
  private readonly maxBodyBytes: number;
  private readonly sockets = new Set<Socket>();
  private allowedHosts = new Set<string>();
  private address: AddressInfo | undefined;
  private readonly failureList: string[] = [];
  private serverFailure: Promise<string> | undefined;

  constructor(options: GatewayOptions) {
    this.options = options;
    this.session = options.session ?? newSessionCredential();
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.upstream = new Upstream({
      credentials: options.credentials,
      ...(options.upstreamTimeoutMs === undefined ? {} : { timeoutMs: options.upstreamTimeoutMs }),
    });
    this.server = createServer({
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      // Node checks the two timeouts above on this interval (30 s by default): check often enough to matter.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, (options.headersTimeoutMs ?? 10_000) / 2)),
      requestTimeout: options.requestTimeoutMs ?? 60_000,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    });
    this.server.setTimeout(options.idleTimeoutMs ?? 120_000, (socket) => socket.destroy());
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    const onRequest = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void => {
      this.handle(req, res, expectsContinue).catch((error: unknown) => {
        this.fail(`internal error: ${messageOf(error)}`);
        if (!res.headersSent)
          this.send(
            req,
            res,
            errorResponse(undefined, 500, 'InternalFailure', 'inventag gateway: internal error'),
            true,
          );
        else res.destroy();
      });
    };
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, false));
    // Decide before the client sends a body it announced with `Expect: 100-continue`.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, true));
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (socket.writable && error.code !== 'ECONNRESET')
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  /** `http://127.0.0.1:PORT` once listening. */
  get url(): string {
    if (this.address === undefined) throw new GatewayError('the gateway is not listening');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${host}:${this.address.port}`;
  }

  async listen(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error): void =>
        reject(
          new GatewayError(`cannot listen on ${host}:${this.options.port ?? 0}: ${error.message}`, { cause: error }),
        );
      this.server.once('error', fail);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', fail);
        // After listening, a server error (EMFILE, a closed handle) ends the gateway: it is reported, not swallowed.
        this.serverFailure = new Promise((settle) =>
          this.server.on('error', (error: Error) => {
            this.fail(`the server failed: ${error.message}`);
            settle(error.message);
          }),
        );
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    const port = this.address.port;
    const names = new Set([host, this.address.address, '127.0.0.1', 'localhost', '[::1]']);
    this.allowedHosts = new Set([...names].flatMap((name) => [`${name}:${port}`]));
    return this.url;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.upstream.close();
    await closed;
  }

  /**
   * What went wrong while serving: internal errors (a request answered 500, never forwarded) and audit
   * records that could not be written. Empty when every request was decided and recorded; `inventag exec`
   * and `inventag gateway` exit 70 when it is not.
   */
  get failures(): readonly string[] {
    return this.failureList;
  }

  /** Resolves with the reason when the server itself fails after listening (it no longer accepts requests). */
  whenServerFails(): Promise<string> {
    if (this.serverFailure === undefined) throw new GatewayError('the gateway is not listening');
    return this.serverFailure;
  }

  private warn(message: string): void {
    this.options.logger?.warn(`inventag gateway: ${message}`);
  }

  /** A call refused because its attempt could not be recorded is a failure of the gateway, not a verdict. */
  private noteAuditFailure(error: OperationBlockedError): void {
    if (error.reason === 'audit-unavailable') this.fail(error.message);
  }

  private fail(message: string): void {
    this.warn(message);
    if (this.failureList.length < 100) this.failureList.push(message);
  }

  private send(req: IncomingMessage, res: ServerResponse, answer: ProtocolResponse, bodyUnread: boolean): void {
    const length = Number(req.headers['content-length'] ?? '0');
    const chunked = req.headers['transfer-encoding'] !== undefined;
    // A body left on the connection would be read as the next request: drain a small one, else close.
    const close = bodyUnread && (chunked || length > DRAIN_LIMIT);
    const payload = Buffer.from(answer.body, 'utf8');
    res.writeHead(answer.status, {
      ...answer.headers,
      'content-length': String(req.method === 'HEAD' ? 0 : payload.length),
      ...(close ? { connection: 'close' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : payload);
    if (bodyUnread) {
      if (close) res.once('finish', () => req.socket.destroySoon());
      else req.resume();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
    this.stats.requests += 1;
    const started = performance.now();
    const parsed = parseRequest(req);
    let decision = decodeParsedRequest(parsed);
    let body: Buffer | undefined;
    const refuse = (status: number, code: string, message: string, unread = body === undefined): void => {
      this.stats.refused += 1;
      this.send(
        req,
        res,
        errorResponse(guessProtocol(decision, parsed.headers), status, code, `InvenTag gateway: ${message}`),
        unread,
      );
    };
    /** Reads the body within the limit; over it, refuses with 413 (after `onTooLarge`, which audits): undefined. */
    const readBodyOrRefuse = async (onTooLarge?: () => void): Promise<Buffer | undefined> => {
      try {
        if (expectsContinue) res.writeContinue();
        return await readBody(req, this.maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        onTooLarge?.();
        refuse(
          413,
          'RequestEntityTooLarge',
          `the request body is over the gateway's limit of ${this.maxBodyBytes} bytes`,
          true,
        );
        return undefined;
      }
    };

    const host = parsed.headers.get('host') ?? '';
    if (!this.allowedHosts.has(host.toLowerCase()))
      return refuse(
        400,
        'InvalidHostHeader',
        `the Host header ${JSON.stringify(host.slice(0, 100))} is not this gateway's address; point the client at ${this.url}`,
      );
    const contentType = parsed.headers.get('content-type') ?? '';
    if (parsed.method === 'POST' && contentType.startsWith('multipart/form-data'))
      return refuse(403, 'AccessDenied', 'S3 POST (browser form) uploads are refused');
    if (!decision.ok && decision.reason === 'unsigned')
      return refuse(
        403,
        'MissingAuthenticationToken',
        'the request is not signed; sign it with the session credential the gateway handed out',
      );
    if (!decision.ok && decision.reason === 'malformed-signature')
      return refuse(400, 'IncompleteSignature', `malformed SigV4 signature: ${decision.message}`);
    const authorization: SigV4Authorization | undefined = decision.authorization;
    if (authorization === undefined) return refuse(403, 'MissingAuthenticationToken', 'the request is not signed');
    if (authorization.presigned) {
      this.auditRefusal(decision, parsed, 'AccessDenied', 'presigned URLs are refused', started);
      return refuse(403, 'AccessDenied', 'presigned URLs are refused: sign each request with the session credential');
    }
    const streaming = (parsed.headers.get('x-amz-content-sha256') ?? '').startsWith('STREAMING-');

    if (!decision.ok && decision.reason === 'body-required') {
      if (streaming) {
        this.auditRefusal(decision, parsed, 'AccessDenied', 'streaming SigV4 payload', started);
        return refuse(
          403,
          'AccessDenied',
          'streaming (aws-chunked) SigV4 payloads are refused: they only carry writes',
        );
      }
      body = await readBodyOrRefuse();
      if (body === undefined) return;
      decision = decodeParsedRequest({ ...parsed, body });
    }

    if (authorization.accessKeyId !== this.session.accessKeyId) {
      const protocol = guessProtocol(decision, parsed.headers);
      const code =
        protocol === WireProtocol.REST_XML
          ? 'InvalidAccessKeyId'
          : protocol === WireProtocol.EC2
            ? 'AuthFailure'
            : 'InvalidClientTokenId';
      this.auditRefusal(decision, parsed, code, 'signed with a key that is not the gateway session key', started);
      return refuse(403, code, 'the request is signed with a key that is not this gateway\u2019s session key');
    }
    if (!decision.ok) {
      // Unidentified: blocked (fail closed), audited and monitored like any refusal.
      const why = `${decision.message} (${decision.reason})`;
      const protocol = guessProtocol(decision, parsed.headers);
      this.auditRefusal(decision, parsed, accessDeniedCode(protocol), why, started);
      this.stats.blocked += 1;
      return this.send(
        req,
        res,
        errorResponse(
          protocol,
          403,
          accessDeniedCode(protocol),
          `InvenTag blocked an unidentified request (read-only gateway, fail closed): ${why}`,
        ),
        body === undefined,
      );
    }

    const call = {
      service: decision.signingName,
      operation: decision.operation,
      ...(decision.bucket === undefined ? {} : { resourceArn: `arn:aws:s3:::${decision.bucket}` }),
      requestParameters: this.facts(parsed, decision),
    };
    const { verdict } = this.options.guard.decide(call.service, call.operation);
    if (verdict.isValid !== true) return this.block(req, res, decision, parsed, call, body === undefined, started);
    if (streaming) {
      this.auditRefusal(decision, parsed, 'AccessDenied', 'streaming SigV4 payload', started, verdict);
      return refuse(
        403,
        accessDeniedCode(decision.protocol),
        'streaming (aws-chunked) SigV4 payloads are refused: they only carry writes',
      );
    }

    if (body === undefined) {
      body = await readBodyOrRefuse(() =>
        this.auditRefusal(decision, parsed, 'RequestEntityTooLarge', 'body over the limit', started, verdict),
      );
      if (body === undefined) return;
    }
    const check = verifySignature(
      {
        method: parsed.method,
        hostname: host,
        rawPath: parsed.rawPath,
        query: parsed.query,
        headers: parsed.headers,
        body,
        authorization,
      },
      this.session,
      this.options.now?.() ?? new Date(),
      this.sessionKeys,
    );
    if (!check.ok) {
      this.auditRefusal(decision, parsed, check.code, check.message, started, verdict);
      return refuse(403, check.code, check.message, false);
    }

    let admission;
    try {
      admission = this.options.guard.admit(call);
    } catch (error) {
      if (isOperationBlockedError(error)) {
        this.noteAuditFailure(error);
        return this.answerBlocked(req, res, decision.protocol, error.verdict, error.message, false);
      }
      throw error;
    }
    const region = authorization.region;
    const target = upstreamFor(decision.service, region, this.options.upstream);
    const outcome = await this.options.guard.run(call, admission, () =>
      this.forward(res, admission.durable, {
        method: parsed.method,
        rawPath: parsed.rawPath,
        query: parsed.query,
        headers: parsed.headers,
        body,
        payloadHash: check.payloadHash,
        signingName: decision.signingName,
        region,
        target,
      }),
    );
    if (outcome.ok) return;
    if (outcome.blocked === true && isOperationBlockedError(outcome.error)) {
      // The attempt could not be committed: nothing was forwarded.
      this.noteAuditFailure(outcome.error);
      return this.answerBlocked(req, res, decision.protocol, outcome.error.verdict, outcome.error.message, false);
    }
    if (res.headersSent) {
      // An upstream error was passed through as it was; a broken stream ends the connection.
      if (!res.writableEnded) res.destroy();
      return;
    }
    const error = outcome.error;
    const unavailable = (error as { name?: string }).name === 'CircuitOpenError';
    this.send(
      req,
      res,
      errorResponse(
        decision.protocol,
        unavailable ? 503 : 502,
        unavailable ? 'ServiceUnavailable' : 'BadGateway',
        `InvenTag gateway: ${messageOf(error)}`,
      ),
      false,
    );
  }

  /**
   * Forwards and streams the answer back, once the attempt is on the disk (`durable`, with a group-commit audit
   * store); rejects with an `UpstreamError` for a status of 400 or more. Resolves to the status in the SDK's
   * shape, which the audit outcome records.
   */
  private async forward(
    res: ServerResponse,
    durable: Promise<void> | undefined,
    request: Parameters<Upstream['send']>[0],
  ): Promise<{ $metadata: { httpStatusCode: number } }> {
    const upstream = await this.upstream.send(request);
    if (durable !== undefined) {
      try {
        await durable;
      } catch (error) {
        // The attempt may not survive a crash: the client gets no answer (the guard withholds the result).
        upstream.destroy();
        throw error;
      }
    }
    const status = upstream.statusCode ?? 502;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) headers[name] = value;
    }
    if (status >= 400) {
      // Error bodies are small: read one (up to 64 KiB) for its code, then pass it on unchanged.
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of upstream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      res.writeHead(status, headers);
      res.end(Buffer.concat(chunks));
      this.stats.forwarded += 1;
      const code = errorCodeIn(upstream.headers, text) ?? `Http${status}`;
      throw new UpstreamError(status, code, `the upstream answered ${status} ${code}`);
    }
    res.writeHead(status, headers);
    await relay(upstream, res);
    this.stats.forwarded += 1;
    return { $metadata: { httpStatusCode: status } };
  }

  /** What the audit trail records of a gateway request (redacted by the store). */
  private facts(parsed: Parsed, decision: WireDecision): Record<string, unknown> {
    return {
      via: 'gateway',
      method: parsed.method,
      path: parsed.rawPath.slice(0, 512),
      ...(parsed.userAgent === undefined ? {} : { userAgent: parsed.userAgent.slice(0, 512) }),
      ...(decision.ok ? { protocol: decision.protocol } : { decoder: decision.reason }),
    };
  }

  /** A call the verdict refuses: through the guard (attempt, monitor, onBlocked), then answered in its protocol. */
  private block(
    req: IncomingMessage,
    res: ServerResponse,
    decision: WireIdentified,
    parsed: Parsed,
    call: { service: string; operation: string; resourceArn?: string },
    bodyUnread: boolean,
    started: number,
  ): void {
    try {
      this.options.guard.admit({ ...call, requestParameters: this.facts(parsed, decision) });
    } catch (error) {
      if (isOperationBlockedError(error)) {
        this.noteAuditFailure(error);
        return this.answerBlocked(
          req,
          res,
          decision.protocol,
          error.verdict,
          error.message,
          bodyUnread,
          error.auditId,
          started,
        );
      }
      throw error;
    }
    // decide() refused and admit() allowed: the verdict source changed its mind; stay closed.
    this.auditRefusal(
      decision,
      parsed,
      accessDeniedCode(decision.protocol),
      'the verdict changed while deciding',
      started,
    );
    this.stats.blocked += 1;
    this.send(
      req,
      res,
      errorResponse(
        decision.protocol,
        403,
        accessDeniedCode(decision.protocol),
        'InvenTag blocked the request (fail closed)',
      ),
      bodyUnread,
    );
  }

  private answerBlocked(
    req: IncomingMessage,
    res: ServerResponse,
    protocol: WireProtocol | undefined,
    verdict: Verdict,
    why: string,
    bodyUnread: boolean,
    auditId?: string,
    started?: number,
  ): void {
    this.stats.blocked += 1;
    const action = verdict.iamAction ?? `${verdict.service}:${verdict.operation}`;
    const code = accessDeniedCode(protocol);
    if (auditId !== undefined && started !== undefined) {
      try {
        this.options.guard.options.audit?.recordOutcome(auditId, {
          success: false,
          errorCode: code,
          durationMs: performance.now() - started,
          httpStatus: 403,
        });
      } catch (error) {
        this.fail(`the audit trail could not record a blocked outcome: ${messageOf(error)}`);
      }
    }
    const message = `InvenTag blocked ${action} (read-only gateway): ${why.startsWith('inventag guard blocked') ? verdict.validationMessage : why}`;
    this.send(req, res, errorResponse(protocol, 403, code, message), bodyUnread);
  }

  /** A request refused before the verdict (signature, key, presigned, streaming): audited as blocked. */
  private auditRefusal(
    decision: WireDecision,
    parsed: Parsed,
    code: string,
    why: string,
    started: number,
    verdict?: Verdict,
  ): void {
    const audit = this.options.guard.options.audit;
    if (audit === undefined) return;
    const service = decision.ok ? decision.signingName : (decision.signingName ?? 'unknown');
    const operation = decision.ok ? decision.operation : `Unidentified${parsed.method}`;
    const v = verdict ?? (decision.ok ? this.options.guard.decide(service, operation).verdict : undefined);
    try {
      const { auditId } = audit.recordAttempt({
        service,
        operation,
        iamAction: v?.iamAction,
        operationType: v?.operationType ?? OperationType.UNKNOWN,
        decision: 'blocked',
        riskLevel: RiskLevel.HIGH,
        complianceStandard: v?.standard ?? this.options.guard.options.standard ?? ComplianceStandard.GENERAL,
        validationMessage: `InvenTag gateway refused the request: ${why}`,
        requestParameters: { ...this.facts(parsed, decision), refusal: code, requestId: randomUUID() },
      });
      audit.recordOutcome(auditId, {
        success: false,
        errorCode: code,
        durationMs: performance.now() - started,
        // Every refusal is a 403 but a body over the limit (413).
        httpStatus: code === 'RequestEntityTooLarge' ? 413 : 403,
      });
    } catch (error) {
      this.fail(`the audit trail could not record a refused request: ${messageOf(error)}`);
    }
    try {
      this.options.guard.options.monitor?.recordSecurityEvent({
        kind: 'operation_blocked',
        service,
        operation,
        message: `gateway refused: ${why}`,
        riskLevel: RiskLevel.HIGH,
      });
    } catch (error) {
      this.warn(`monitor.recordSecurityEvent failed: ${messageOf(error)}`);
    }
  }
}
