/**
 * A loopback HTTP server that speaks enough of the AWS wire protocols for real
 * SDK v3 clients to talk to it (`endpoint: server.url`). It records and counts
 * every request, so a test can prove a call never left the process, and it
 * injects faults (throttling, 5xx, slow answers, dropped connections) so
 * retry and circuit-breaker behaviour runs against real HTTP.
 *
 * Protocol handlers live in `test/support/aws/`, one file per service; a
 * handler is `{ name, matches, handle }` (plus `operationOf` for REST
 * services, whose requests carry no operation name).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dynamoDbHandler } from './aws/dynamodb.js';
import { ec2Handler } from './aws/ec2.js';
import { genericHandler } from './aws/generic.js';
import { lambdaHandler } from './aws/lambda.js';
import {
  detectProtocol,
  errorResponse,
  HandlerError,
  operationFromTarget,
  parseCredentialScope,
  serviceFromTarget,
} from './aws/protocol.js';
import { s3Handler } from './aws/s3.js';
import { stsHandler } from './aws/sts.js';
import type {
  AwsRequest,
  AwsServerView,
  Fault,
  FaultHandle,
  HandlerResponse,
  RequestFilter,
  ServiceHandler,
} from './aws/types.js';

export type {
  AwsProtocol,
  AwsRequest,
  AwsServerView,
  Fault,
  FaultHandle,
  FaultKind,
  HandlerResponse,
  RequestFilter,
  ServiceHandler,
} from './aws/types.js';
export * from './aws/protocol.js';
export { stsHandler, DEFAULT_IDENTITY, type CallerIdentity } from './aws/sts.js';
export { ec2Handler, makeInstances, type Ec2Instance, type Ec2HandlerOptions } from './aws/ec2.js';
export { s3Handler, s3Operation, s3Location, type S3HandlerOptions } from './aws/s3.js';
export { lambdaHandler, lambdaOperation, type LambdaHandlerOptions } from './aws/lambda.js';
export { dynamoDbHandler, type DynamoDbHandlerOptions, type DynamoItem } from './aws/dynamodb.js';
export { genericHandler } from './aws/generic.js';

export interface AwsServerOptions {
  /** Handlers tried before the built-in ones (first match answers). */
  handlers?: ServiceHandler[];
  /** Include the built-in STS, EC2, S3, Lambda and DynamoDB handlers. @default true */
  defaults?: boolean;
}

export interface AwsTestServer extends AwsServerView {
  /** `http://127.0.0.1:<port>`: pass as the client's `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order (faulted and dropped ones too). */
  readonly requests: readonly AwsRequest[];
  count(filter?: RequestFilter): number;
  inject(fault: Fault): FaultHandle;
  clearFaults(): void;
  /** Adds a handler in front of all others. */
  addHandler(handler: ServiceHandler): void;
  /** Forgets recorded requests and faults; handlers stay. */
  reset(): void;
  close(): Promise<void>;
}

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
  hits: number;
}

function matchesFilter(req: AwsRequest, filter: RequestFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'function') return filter(req);
  return (
    (filter.service === undefined || filter.service === req.service) &&
    (filter.operation === undefined || filter.operation === req.operation) &&
    (filter.method === undefined || filter.method === req.method) &&
    (filter.path === undefined || filter.path === req.path)
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function defaultFaultCode(fault: Fault, status: number): string {
  if (fault.code !== undefined) return fault.code;
  if (fault.kind === 'throttle') return 'ThrottlingException';
  return status === 503 ? 'ServiceUnavailable' : 'InternalError';
}

class LoopbackAwsServer implements AwsTestServer {
  readonly requests: AwsRequest[] = [];
  private readonly custom: ServiceHandler[];
  private readonly builtIn: ServiceHandler[];
  private faults: ActiveFault[] = [];
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  url = '';
  port = 0;

  constructor(
    private readonly server: Server,
    options: AwsServerOptions,
  ) {
    this.custom = [...(options.handlers ?? [])];
    this.builtIn =
      options.defaults === false ? [] : [stsHandler(), ec2Handler(), s3Handler(), lambdaHandler(), dynamoDbHandler()];
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((error: unknown) => {
        // The test that caused this sees a 500; the message helps it say why.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`loopback server error: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  private get handlers(): ServiceHandler[] {
    return [...this.custom, ...this.builtIn, genericHandler()];
  }

  count(filter?: RequestFilter): number {
    return this.requests.filter((req) => matchesFilter(req, filter)).length;
  }

  inject(fault: Fault): FaultHandle {
    const active: ActiveFault = { fault, remaining: fault.times ?? Infinity, hits: 0 };
    this.faults.push(active);
    return {
      get hits() {
        return active.hits;
      },
      get remaining() {
        return active.remaining;
      },
      clear: () => {
        this.faults = this.faults.filter((f) => f !== active);
      },
    };
  }

  clearFaults(): void {
    this.faults = [];
  }

  addHandler(handler: ServiceHandler): void {
    this.custom.unshift(handler);
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = [];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.timers) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }

  private parse(req: IncomingMessage, body: string): Omit<AwsRequest, 'operation' | 'fault'> {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    }
    const query = Object.fromEntries(url.searchParams);
    const params = (headers['content-type'] ?? '').includes('x-www-form-urlencoded')
      ? Object.fromEntries(new URLSearchParams(body))
      : {};
    const scope = parseCredentialScope(headers.authorization);
    const service = scope.service ?? serviceFromTarget(headers['x-amz-target']) ?? 'unknown';
    const protocol = detectProtocol(service, headers, params);
    let json: unknown;
    if ((protocol === 'json' || protocol === 'rest-json') && body !== '') {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    return {
      seq: this.requests.length + 1,
      time: Date.now(),
      method: req.method ?? 'GET',
      path: safeDecode(url.pathname),
      query,
      headers,
      body,
      service,
      region: scope.region,
      protocol,
      params,
      json,
    };
  }

  private nameOperation(base: Omit<AwsRequest, 'operation' | 'fault'>): string {
    const fromWire = base.params.Action ?? operationFromTarget(base.headers['x-amz-target']);
    if (fromWire !== undefined) return fromWire;
    for (const handler of this.handlers) {
      const name = handler.operationOf?.(base);
      if (name !== undefined) return name;
    }
    return `${base.method} ${base.path}`;
  }

  private takeFault(service: string, operation: string): Fault | undefined {
    const active = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.fault.service === undefined || f.fault.service === service) &&
        (f.fault.operation === undefined || f.fault.operation === operation),
    );
    if (active === undefined) return undefined;
    active.remaining -= 1;
    active.hits += 1;
    return active.fault;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.timers.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(pending);
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const base = this.parse(req, body);
    const operation = this.nameOperation(base);
    const fault = this.takeFault(base.service, operation);
    const record: AwsRequest = Object.freeze({ ...base, operation, fault: fault?.kind });
    this.requests.push(record);

    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      await this.delay(fault.delayMs ?? 1000);
      if (this.closed) return;
    }
    let answer: HandlerResponse;
    if (fault?.kind === 'throttle' || fault?.kind === 'error') {
      const status = fault.kind === 'throttle' ? 400 : (fault.status ?? 500);
      answer = errorResponse(
        record,
        status,
        defaultFaultCode(fault, status),
        fault.kind === 'throttle' ? 'Rate exceeded' : 'Injected server error',
      );
    } else {
      answer = await this.answer(record);
    }
    this.send(req, res, answer);
  }

  private async answer(record: AwsRequest): Promise<HandlerResponse> {
    const handler = this.handlers.find((h) => h.matches(record));
    try {
      // genericHandler matches everything, so a handler is always found.
      return await (handler ?? genericHandler()).handle(record, this);
    } catch (error) {
      if (error instanceof HandlerError) return errorResponse(record, error.status, error.code, error.message);
      return errorResponse(record, 500, 'InternalError', error instanceof Error ? error.message : String(error));
    }
  }

  private send(req: IncomingMessage, res: ServerResponse, answer: HandlerResponse): void {
    const payload =
      answer.body === undefined
        ? Buffer.alloc(0)
        : Buffer.isBuffer(answer.body)
          ? answer.body
          : Buffer.from(answer.body, 'utf8');
    const headers = {
      ...answer.headers,
      date: new Date().toUTCString(),
      'content-length': String(req.method === 'HEAD' ? 0 : payload.length),
    };
    res.writeHead(answer.status ?? 200, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }
}

/**
 * Starts a loopback AWS server on a random port. Close it in `afterAll`/`afterEach`.
 *
 * @example
 * const server = await startAwsServer();
 * const ec2 = new EC2Client({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
 * await ec2.send(new DescribeInstancesCommand({}));
 * expect(server.count({ service: 'ec2', operation: 'DescribeInstances' })).toBe(1);
 * await server.close();
 */
export async function startAwsServer(options: AwsServerOptions = {}): Promise<AwsTestServer> {
  const server = new LoopbackAwsServer(createServer(), options);
  await server.listen();
  return server;
}

/** Client settings that point a real SDK v3 client at the server with test credentials. */
export function clientConfig(server: Pick<AwsTestServer, 'url'>, extra: { maxAttempts?: number } = {}) {
  return {
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    ...extra,
  };
}
