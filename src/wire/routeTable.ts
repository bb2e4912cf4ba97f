/**
 * The compiled route table (`data/routes.json`, written by
 * `scripts/build-routes.mjs`): every AWS service's signing name, protocol,
 * JSON target prefix and, for REST services, the HTTP binding of each
 * operation. Loaded once, indexed by signing name on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../catalog/data.js';

/** The wire protocols of AWS services, as their models name them. */
export const WireProtocol = {
  QUERY: 'query',
  EC2: 'ec2',
  JSON: 'json',
  REST_JSON: 'rest-json',
  REST_XML: 'rest-xml',
  RPC_V2_CBOR: 'smithy-rpc-v2-cbor',
} as const;
export type WireProtocol = (typeof WireProtocol)[keyof typeof WireProtocol];

/** `[operation, method, pathTemplate, requiredQuery, requiredHeaders]` as stored; `requiredQuery` items are `key` or `key=value`. */
type StoredRoute = [string, string, string, string[], string[]];

interface StoredService {
  id: string;
  signingName: string;
  endpointPrefix: string;
  protocol: string;
  apiVersion: string;
  targetPrefix?: string;
  jsonVersion?: string;
  globalEndpoint?: string;
  operations: string[];
  routes?: StoredRoute[];
}

interface StoredTable {
  source: string;
  services: StoredService[];
}

/** One HTTP binding, compiled for matching. */
export interface Route {
  readonly operation: string;
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
  /** Literal path characters: the more, the more specific the route. */
  readonly literalLength: number;
  readonly query: readonly (readonly [key: string, value: string | undefined])[];
  readonly headers: readonly string[];
  readonly service: ServiceModel;
}

/** What the table knows of one service. */
export interface ServiceModel {
  /** The model's service id (`S3`, `EC2`, `DynamoDB Streams`). */
  readonly id: string;
  readonly signingName: string;
  readonly endpointPrefix: string;
  readonly protocol: WireProtocol;
  readonly apiVersion: string;
  readonly targetPrefix?: string;
  readonly jsonVersion?: string;
  readonly globalEndpoint?: string;
  readonly operations: ReadonlySet<string>;
}

/** The services of one signing name, with their REST routes compiled. */
export interface SigningGroup {
  readonly signingName: string;
  readonly services: readonly ServiceModel[];
  readonly routes: readonly Route[];
}

export interface RouteTable {
  readonly source: string;
  group(signingName: string): SigningGroup | undefined;
  readonly signingNames: readonly string[];
}

const PROTOCOLS = new Set<string>(Object.values(WireProtocol));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/{Bucket}/{Key+}` -> a regular expression over the raw (percent-encoded) request path. */
export function compileTemplate(template: string): { pattern: RegExp; literalLength: number } {
  let source = '';
  let literalLength = 0;
  let rest = template;
  while (rest !== '') {
    const open = rest.indexOf('{');
    if (open === -1) {
      source += escapeRegExp(rest);
      literalLength += rest.length;
      break;
    }
    source += escapeRegExp(rest.slice(0, open));
    literalLength += open;
    const close = rest.indexOf('}', open);
    const label = rest.slice(open + 1, close === -1 ? undefined : close);
    source += label.endsWith('+') ? '.+' : '[^/]+';
    rest = close === -1 ? '' : rest.slice(close + 1);
  }
  // A trailing slash is optional on the wire (`/2015-03-31/functions/` vs `/2015-03-31/functions`, `/bucket/`).
  if (source.endsWith('/') && source.length > 1) source = `${source}?`;
  else if (!source.endsWith('/')) source = `${source}/?`;
  return { pattern: new RegExp(`^${source}$`), literalLength };
}

function buildGroup(signingName: string, stored: readonly StoredService[]): SigningGroup {
  const services: ServiceModel[] = [];
  const routes: Route[] = [];
  for (const svc of stored) {
    const protocol = PROTOCOLS.has(svc.protocol) ? (svc.protocol as WireProtocol) : WireProtocol.JSON;
    const model: ServiceModel = Object.freeze({
      id: svc.id,
      signingName: svc.signingName,
      endpointPrefix: svc.endpointPrefix,
      protocol,
      apiVersion: svc.apiVersion,
      ...(svc.targetPrefix === undefined ? {} : { targetPrefix: svc.targetPrefix }),
      ...(svc.jsonVersion === undefined ? {} : { jsonVersion: svc.jsonVersion }),
      ...(svc.globalEndpoint === undefined ? {} : { globalEndpoint: svc.globalEndpoint }),
      operations: new Set(svc.operations),
    });
    services.push(model);
    for (const [operation, method, template, query, headers] of svc.routes ?? []) {
      const { pattern, literalLength } = compileTemplate(template);
      routes.push(
        Object.freeze({
          operation,
          method: method.toUpperCase(),
          template,
          pattern,
          literalLength,
          query: query.map((marker): readonly [string, string | undefined] => {
            const eq = marker.indexOf('=');
            return eq === -1 ? [marker, undefined] : [marker.slice(0, eq), marker.slice(eq + 1)];
          }),
          headers,
          service: model,
        }),
      );
    }
  }
  return Object.freeze({ signingName, services, routes });
}

/** Builds a table from its stored form (also used by tests with a table of their own). */
export function routeTableFrom(stored: StoredTable): RouteTable {
  const bySigningName = new Map<string, StoredService[]>();
  for (const svc of stored.services) {
    const list = bySigningName.get(svc.signingName) ?? [];
    list.push(svc);
    bySigningName.set(svc.signingName, list);
  }
  const groups = new Map<string, SigningGroup>();
  return {
    source: stored.source,
    signingNames: [...bySigningName.keys()].sort(),
    group(signingName: string): SigningGroup | undefined {
      const cached = groups.get(signingName);
      if (cached !== undefined) return cached;
      const stored = bySigningName.get(signingName);
      if (stored === undefined) return undefined;
      const group = buildGroup(signingName, stored);
      groups.set(signingName, group);
      return group;
    },
  };
}

let loaded: RouteTable | undefined;

/** The route table shipped in `data/routes.json`; read once. Throws when it is missing (the decoder then fails closed). */
export function loadRouteTable(): RouteTable {
  if (loaded !== undefined) return loaded;
  const file = join(packageRoot(), 'data', 'routes.json');
  if (!existsSync(file)) {
    throw new Error(
      `inventag: the wire route table ${file} is missing; run "npm run build" (it runs scripts/build-routes.mjs)`,
    );
  }
  loaded = routeTableFrom(JSON.parse(readFileSync(file, 'utf8')) as StoredTable);
  return loaded;
}
