/**
 * The shapes the loopback AWS server and its protocol handlers share. Kept
 * apart from the server so a handler file imports types without a cycle.
 */

/** The wire protocol a request speaks, decided from the service and headers. */
export type AwsProtocol = 'query' | 'ec2' | 'json' | 'rest-xml' | 'rest-json' | 'unknown';

/** One request as the server received it; the server records every one. */
export interface AwsRequest {
  /** 1-based arrival order. */
  readonly seq: number;
  /** Arrival time, epoch milliseconds. */
  readonly time: number;
  readonly method: string;
  /** The URL path, percent-decoded. */
  readonly path: string;
  /** Query string parameters (the last value wins when a name repeats). */
  readonly query: Readonly<Record<string, string>>;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The SigV4 signing name (`ec2`, `s3`, `sts`, `dynamodb`, ...), or `unknown`. */
  readonly service: string;
  readonly region: string | undefined;
  readonly protocol: AwsProtocol;
  /**
   * The API operation (`DescribeInstances`, `ListObjectsV2`): the `Action`
   * of a query request, the `X-Amz-Target` suffix of a JSON request, or what
   * a handler's `operationOf` names a REST request; `METHOD /path` otherwise.
   */
  readonly operation: string;
  /** Form fields of a query-protocol body (`Action`, `MaxResults`, `Filter.1.Name`, ...). */
  readonly params: Readonly<Record<string, string>>;
  /** The parsed body of a JSON or REST-JSON request, `undefined` when empty or not JSON. */
  readonly json: unknown;
  /** The fault the server applied to this request, if any. */
  readonly fault: FaultKind | undefined;
}

export interface HandlerResponse {
  /** @default 200 */
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * Answers the requests of one service (or a few operations of one). Handlers
 * are tried in order; the first whose `matches` returns true answers.
 */
export interface ServiceHandler {
  readonly name: string;
  /** Names a REST request's operation (REST protocols carry no operation name on the wire). */
  operationOf?(req: Omit<AwsRequest, 'operation' | 'fault'>): string | undefined;
  matches(req: AwsRequest): boolean;
  handle(req: AwsRequest, server: AwsServerView): HandlerResponse | Promise<HandlerResponse>;
}

/** What a handler may see of the server while answering. */
export interface AwsServerView {
  readonly url: string;
  readonly requests: readonly AwsRequest[];
  count(filter?: RequestFilter): number;
}

export type FaultKind = 'throttle' | 'error' | 'slow' | 'drop';

/**
 * A fault to inject. `throttle` answers 400 `ThrottlingException` in the
 * request's protocol shape; `error` answers `status` (500 or 503) with an
 * error code; `slow` waits `delayMs` and then answers normally; `drop`
 * destroys the connection without answering.
 */
export interface Fault {
  kind: FaultKind;
  /** Only requests of this signing name (`ec2`, `s3`, ...). @default every service */
  service?: string;
  /** Only this operation (`DescribeInstances`). @default every operation */
  operation?: string;
  /** How many matching requests to fault. @default Infinity */
  times?: number;
  /** HTTP status of an `error` fault. @default 500 */
  status?: number;
  /** Error code. @default `ThrottlingException` (throttle), `InternalError` (500), `ServiceUnavailable` (503) */
  code?: string;
  /** Delay of a `slow` fault. @default 1000 */
  delayMs?: number;
}

export interface FaultHandle {
  /** Requests this fault has been applied to. */
  readonly hits: number;
  /** Applications left (Infinity when unlimited). */
  readonly remaining: number;
  clear(): void;
}

export type RequestFilter =
  { service?: string; operation?: string; method?: string; path?: string } | ((req: AwsRequest) => boolean);
