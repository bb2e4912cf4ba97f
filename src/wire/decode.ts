/**
 * The one wire decoder: which AWS service and operation an HTTP request is,
 * read from the request alone. The service comes from the SigV4 credential
 * scope; the operation from the wire protocol: `Action=` (query and EC2
 * protocols, query string or form body), `X-Amz-Target` (JSON protocols),
 * the RPC v2 CBOR path, or method + path + query/header markers matched
 * against the services' compiled HTTP bindings (REST-JSON, REST-XML).
 *
 * Pure and total: it never throws, never reads a stream and never touches the
 * network. Anything it cannot identify comes back as a failure with a reason,
 * and callers block it (fail closed).
 */
import { loadRouteTable, WireProtocol, type Route, type RouteTable, type ServiceModel } from './routeTable.js';
import { parseSigV4, type SigV4Authorization } from './sigv4.js';

/** Header values as Node and smithy give them. */
export type WireHeaders = Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * An HTTP request as `@smithy/protocol-http`'s `HttpRequest` or Node's
 * `IncomingMessage` describe it. `path` is the raw (percent-encoded) path and
 * may carry `?query`; `query` holds decoded values, as smithy keeps them.
 */
export interface WireRequest {
  readonly method: string;
  readonly hostname?: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | null | undefined>>;
  readonly headers: WireHeaders;
  /** A string or bytes when available; anything else (a stream) counts as unavailable. */
  readonly body?: unknown;
}

/**
 * A request as the decoder reads it: lower-cased header names (repeated
 * headers joined with `,`), the raw path without the query, and the decoded
 * query. Parse once with {@link parseWireRequest}; decode (again, once the
 * body is read) with {@link decodeParsedRequest}.
 */
export interface ParsedWireRequest {
  readonly method: string;
  readonly hostname?: string;
  readonly rawPath: string;
  readonly query: ReadonlyMap<string, readonly string[]>;
  readonly headers: ReadonlyMap<string, string>;
  /** A string or bytes when available; anything else (a stream) counts as unavailable. */
  readonly body?: unknown;
}

export interface DecodeOptions {
  /** The signing name of an unsigned request (an SDK client's, before or without signing). */
  readonly signingName?: string;
  /** Another route table (tests). @default the shipped data/routes.json */
  readonly table?: RouteTable;
}

/** How the operation was read. */
export type WireSource = 'action' | 'target' | 'cbor-path' | 'route';

/** An identified request. */
export interface WireIdentified {
  readonly ok: true;
  readonly signingName: string;
  /** The scope's region, when signed. */
  readonly region: string | undefined;
  readonly service: ServiceModel;
  readonly operation: string;
  /** The protocol the request speaks (a blocked call is answered in it). */
  readonly protocol: WireProtocol;
  readonly source: WireSource;
  /** False when the operation name came from the wire but the route table does not list it (a newer operation). */
  readonly known: boolean;
  readonly authorization: SigV4Authorization | undefined;
  /** The signature is in the query string. */
  readonly presigned: boolean;
  /** `x-amz-content-sha256: STREAMING-*`: an aws-chunked upload, which only writes send. */
  readonly streamingPayload: boolean;
  /** The S3 bucket, from a virtual-hosted host name or the first path segment. */
  readonly bucket?: string;
}

/** Why a request was not identified. */
export type WireFailureReason =
  | 'unsigned'
  | 'malformed-signature'
  | 'unknown-service'
  | 'unknown-operation'
  | 'ambiguous'
  | 'body-required'
  | 'table-unavailable';

export interface WireUnidentified {
  readonly ok: false;
  readonly reason: WireFailureReason;
  readonly message: string;
  readonly signingName?: string;
  readonly region?: string;
  /** The protocol to answer in, when the request shows one. */
  readonly protocol?: WireProtocol;
  readonly authorization?: SigV4Authorization;
}

export type WireDecision = WireIdentified | WireUnidentified;

const OPERATION_NAME = /^[A-Z][A-Za-z0-9]{0,127}$/;

function lowerHeaders(headers: WireHeaders): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    const key = name.toLowerCase();
    const prev = map.get(key);
    map.set(key, prev === undefined ? text : `${prev},${text}`);
  }
  return map;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The raw path (no query) and the decoded query, from `path?query` and/or the `query` object. */
function splitTarget(req: WireRequest): { rawPath: string; query: Map<string, string[]> } {
  const query = new Map<string, string[]>();
  const add = (key: string, value: string): void => {
    const list = query.get(key);
    if (list === undefined) query.set(key, [value]);
    else list.push(value);
  };
  const mark = req.path.indexOf('?');
  const rawPath = mark === -1 ? req.path : req.path.slice(0, mark);
  if (mark !== -1) {
    for (const part of req.path.slice(mark + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      add(decodeComponent(eq === -1 ? part : part.slice(0, eq)), eq === -1 ? '' : decodeComponent(part.slice(eq + 1)));
    }
  }
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (value === undefined) continue;
    if (value === null) add(key, '');
    else if (typeof value === 'string') add(key, value);
    else for (const item of value) add(key, item);
  }
  return { rawPath: rawPath === '' ? '/' : rawPath, query };
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return undefined;
}

const VIRTUAL_HOST =
  /^(.+)\.s3(?:[.-](?!control\.|accesspoint\.|object-lambda\.)[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

function virtualBucket(signingName: string, hostname: string | undefined): string | undefined {
  if (signingName !== 's3' || hostname === undefined) return undefined;
  const match = VIRTUAL_HOST.exec(hostname.toLowerCase());
  return match?.[1];
}

type Found = { service: ServiceModel; operation: string; protocol: WireProtocol; source: WireSource; known: boolean };
type Miss = { reason: WireFailureReason; message: string; protocol?: WireProtocol };

function lastComponent(prefix: string): string {
  return prefix.slice(prefix.lastIndexOf('.') + 1);
}

function byTarget(services: readonly ServiceModel[], target: string, contentType: string): Found | Miss {
  const dot = target.lastIndexOf('.');
  const prefix = dot === -1 ? '' : target.slice(0, dot);
  const operation = target.slice(dot + 1);
  if (dot === -1 || !OPERATION_NAME.test(operation))
    return {
      reason: 'unknown-operation',
      message: `X-Amz-Target ${JSON.stringify(target)} is not Prefix.Operation`,
      protocol: WireProtocol.JSON,
    };
  const wanted = lastComponent(prefix);
  const matching = services.filter((s) => s.targetPrefix !== undefined && lastComponent(s.targetPrefix) === wanted);
  // A service the table knows under another protocol (one that moved to JSON) still has one candidate.
  const service = matching[0] ?? (services.length === 1 ? services[0] : undefined);
  const protocol = contentType.includes('cbor') ? WireProtocol.RPC_V2_CBOR : WireProtocol.JSON;
  if (service === undefined)
    return {
      reason: 'unknown-service',
      message: `no service of this signing name has the target prefix ${JSON.stringify(prefix)}`,
      protocol,
    };
  return { service, operation, protocol, source: 'target', known: service.operations.has(operation) };
}

function byAction(services: readonly ServiceModel[], action: string, version: string | undefined): Found | Miss {
  const candidates = services.filter((s) => s.protocol === WireProtocol.QUERY || s.protocol === WireProtocol.EC2);
  const pool = candidates.length > 0 ? candidates : services;
  const protocol = pool[0]?.protocol === WireProtocol.EC2 ? WireProtocol.EC2 : WireProtocol.QUERY;
  if (!OPERATION_NAME.test(action))
    return {
      reason: 'unknown-operation',
      message: `Action ${JSON.stringify(action.slice(0, 64))} is not an operation name`,
      protocol,
    };
  const service =
    (version === undefined ? undefined : pool.find((s) => s.apiVersion === version && s.operations.has(action))) ??
    pool.find((s) => s.operations.has(action)) ??
    (pool.length === 1 ? pool[0] : undefined);
  if (service === undefined)
    return {
      reason: 'unknown-operation',
      message: `no service of this signing name has the action ${action}`,
      protocol,
    };
  return { service, operation: action, protocol, source: 'action', known: service.operations.has(action) };
}

function routeMatches(
  route: Route,
  method: string,
  path: string,
  query: ReadonlyMap<string, readonly string[]>,
  headers: ReadonlyMap<string, string>,
): boolean {
  if (route.method !== method || !route.pattern.test(path)) return false;
  for (const [key, value] of route.query) {
    const values = query.get(key);
    if (values === undefined || (value !== undefined && !values.includes(value))) return false;
  }
  return route.headers.every((h) => headers.has(h));
}

const specificity = (route: Route): number =>
  route.literalLength * 1000 + route.query.length * 10 + route.headers.length;

function byRoute(
  routes: readonly Route[],
  method: string,
  path: string,
  query: ReadonlyMap<string, readonly string[]>,
  headers: ReadonlyMap<string, string>,
): Found | Miss {
  let best: Route[] = [];
  let bestScore = -1;
  for (const route of routes) {
    if (!routeMatches(route, method, path, query, headers)) continue;
    const score = specificity(route);
    if (score > bestScore) {
      best = [route];
      bestScore = score;
    } else if (score === bestScore && !best.some((b) => b.operation === route.operation)) best.push(route);
  }
  if (best.length > 1) {
    // SDK v3 clients name the operation of a shared binding in `x-id`.
    const hint = query.get('x-id')?.[0];
    const named = best.filter((r) => r.operation === hint);
    if (named.length === 1) best = named;
  }
  const protocolOf = (route: Route | undefined): WireProtocol | undefined => route?.service.protocol;
  if (best.length === 0)
    return {
      reason: 'unknown-operation',
      message: `no operation is bound to ${method} ${path.slice(0, 200)}${query.size > 0 ? ` with query ${[...query.keys()].slice(0, 8).join('&')}` : ''}`,
      protocol: protocolOf(routes[0]),
    };
  if (best.length > 1)
    return {
      reason: 'ambiguous',
      message: `${method} ${path.slice(0, 200)} matches ${best.map((r) => r.operation).join(', ')}`,
      protocol: protocolOf(best[0]),
    };
  const route = best[0]!;
  return {
    service: route.service,
    operation: route.operation,
    protocol: route.service.protocol,
    source: 'route',
    known: true,
  };
}

/**
 * Identifies the service and operation of a request.
 *
 * @example
 * const d = decodeRequest({ method: 'GET', path: '/my-bucket/key?tagging', headers: { authorization } });
 * if (d.ok) console.log(d.signingName, d.operation); // s3 GetObjectTagging
 */
export function decodeRequest(req: WireRequest, options: DecodeOptions = {}): WireDecision {
  return decodeParsedRequest(parseWireRequest(req), options);
}

/** The headers, raw path and decoded query of a request, as {@link decodeParsedRequest} takes them. */
export function parseWireRequest(req: WireRequest): ParsedWireRequest {
  const { rawPath, query } = splitTarget(req);
  return {
    method: req.method,
    ...(req.hostname === undefined ? {} : { hostname: req.hostname }),
    rawPath,
    query,
    headers: lowerHeaders(req.headers),
    ...(req.body === undefined ? {} : { body: req.body }),
  };
}

/** {@link decodeRequest} of a request parsed once by {@link parseWireRequest}. */
export function decodeParsedRequest(req: ParsedWireRequest, options: DecodeOptions = {}): WireDecision {
  try {
    return decode(req, options);
  } catch (error) {
    return {
      ok: false,
      reason: 'table-unavailable',
      message: `the wire decoder failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

function decode(req: ParsedWireRequest, options: DecodeOptions): WireDecision {
  const { headers, rawPath, query } = req;
  const sig = parseSigV4(headers.get('authorization'), query);
  if (!sig.ok && sig.reason === 'malformed') return { ok: false, reason: 'malformed-signature', message: sig.message };
  const authorization = sig.ok ? sig.authorization : undefined;
  const signingName = authorization?.service ?? options.signingName;
  const region = authorization?.region;
  if (signingName === undefined) return { ok: false, reason: 'unsigned', message: sig.ok ? '' : sig.message };
  const base = {
    signingName,
    ...(region === undefined ? {} : { region }),
    ...(authorization === undefined ? {} : { authorization }),
  };
  const table = options.table ?? loadRouteTable();
  const group = table.group(signingName);
  const target = headers.get('x-amz-target');
  const contentType = headers.get('content-type') ?? '';
  if (group === undefined) {
    const protocol = target !== undefined ? WireProtocol.JSON : undefined;
    return {
      ok: false,
      reason: 'unknown-service',
      message: `no AWS service signs as ${JSON.stringify(signingName)}`,
      ...base,
      ...(protocol === undefined ? {} : { protocol }),
    };
  }
  const method = req.method.toUpperCase();
  let found: Found | Miss;
  if (target !== undefined) {
    found = byTarget(group.services, target, contentType);
  } else if (headers.get('smithy-protocol') === 'rpc-v2-cbor') {
    const match = /^\/service\/([^/]+)\/operation\/([^/]+)$/.exec(rawPath);
    const service = group.services[0]!;
    found =
      match === null || !OPERATION_NAME.test(match[2]!)
        ? {
            reason: 'unknown-operation',
            message: `${rawPath.slice(0, 200)} is not /service/NAME/operation/OPERATION`,
            protocol: WireProtocol.RPC_V2_CBOR,
          }
        : {
            service,
            operation: match[2]!,
            protocol: WireProtocol.RPC_V2_CBOR,
            source: 'cbor-path',
            known: service.operations.has(match[2]!),
          };
  } else {
    let action = query.get('Action')?.[0];
    let version = query.get('Version')?.[0];
    const rpc = group.routes.length === 0;
    if (action === undefined && (rpc || contentType.includes('x-www-form-urlencoded')) && method === 'POST') {
      const text = bodyText(req.body);
      if (text === undefined) {
        const protocol = group.services[0]?.protocol;
        return {
          ok: false,
          reason: 'body-required',
          message: 'the operation is named in the form body, which is not available',
          ...base,
          ...(protocol === undefined ? {} : { protocol }),
        };
      }
      const form = new URLSearchParams(text);
      action = form.get('Action') ?? undefined;
      version = form.get('Version') ?? undefined;
    }
    if (action !== undefined) found = byAction(group.services, action, version);
    else if (!rpc) {
      const bucket = virtualBucket(signingName, req.hostname);
      const path = bucket === undefined ? rawPath : `/${encodeURIComponent(bucket)}${rawPath === '/' ? '' : rawPath}`;
      found = byRoute(group.routes, method, path, query, headers);
    } else {
      const protocol = group.services[0]?.protocol;
      found = {
        reason: 'unknown-operation',
        message: 'the request names no operation (no Action, no X-Amz-Target)',
        ...(protocol === undefined ? {} : { protocol }),
      };
    }
  }
  if ('reason' in found) return { ok: false, ...found, ...base };
  const payload = headers.get('x-amz-content-sha256') ?? '';
  const bucket =
    found.service.signingName === 's3'
      ? (virtualBucket(signingName, req.hostname) ?? firstSegment(rawPath))
      : undefined;
  return {
    ok: true,
    signingName,
    region,
    service: found.service,
    operation: found.operation,
    protocol: found.protocol,
    source: found.source,
    known: found.known,
    authorization,
    presigned: authorization?.presigned === true,
    streamingPayload: payload.startsWith('STREAMING-'),
    ...(bucket === undefined ? {} : { bucket }),
  };
}

function firstSegment(rawPath: string): string | undefined {
  const segment = rawPath.split('/')[1];
  return segment === undefined || segment === '' ? undefined : decodeComponent(segment);
}
