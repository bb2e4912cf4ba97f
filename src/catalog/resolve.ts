import {
  loadCatalogData,
  operationKey as normaliseOperationKey,
  type CatalogAction,
  type CatalogData,
} from './data.js';
import { canonicalOperationName } from './operationName.js';
import { APIGATEWAY_VERB_BY_PREFIX, OPERATION_ALIASES } from './operationAliases.js';
import { SERVICE_ALIASES } from './serviceAliases.js';

/** Longest service or operation name accepted; longer input is refused, not truncated. */
export const MAX_NAME_LENGTH = 256;
const SERVICE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const OPERATION_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** What a (service, operation) pair named, in IAM terms. */
export interface ResolvedOperation {
  /** IAM service prefix, or undefined when the service is not in the IAM data. */
  readonly servicePrefix: string | undefined;
  /** The operation in IAM spelling when known, otherwise PascalCase from the input (`describe_instances` -> `DescribeInstances`). */
  readonly operationName: string;
  /** The IAM actions the call needs: one for most operations, several for a few (see OPERATION_ALIASES); empty when unknown. */
  readonly actions: readonly CatalogAction[];
  /** Set when the input itself is unusable (empty, too long, bad characters). */
  readonly problem: string | undefined;
}

/** Lookup keys of a service name: letters and digits, lower case; then without an SDK `Client` suffix. */
function serviceKeys(name: string): string[] {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return key.length > 'client'.length && key.endsWith('client') ? [key, key.slice(0, -'client'.length)] : [key];
}

interface Indexes {
  data: CatalogData;
  /** normalised key -> IAM prefix (prefixes themselves, minus punctuation). */
  prefixByKey: Map<string, string>;
  /** prefix -> normalised operation key -> full IAM action names. */
  aliases: Map<string, Map<string, readonly string[]>>;
}

let indexes: Indexes | undefined;

function getIndexes(): Indexes {
  if (indexes) return indexes;
  const data = loadCatalogData();
  const prefixByKey = new Map<string, string>();
  for (const prefix of data.services.keys()) prefixByKey.set(prefix.replace(/[^a-z0-9]/g, ''), prefix);
  const aliases = new Map<string, Map<string, readonly string[]>>();
  for (const [prefix, table] of Object.entries(OPERATION_ALIASES)) {
    const map = new Map<string, readonly string[]>();
    for (const [op, target] of Object.entries(table)) {
      const list = typeof target === 'string' ? [target] : target;
      map.set(
        normaliseOperationKey(op),
        list.map((a) => (a.includes(':') ? a : `${prefix}:${a}`)),
      );
    }
    aliases.set(prefix, map);
  }
  indexes = { data, prefixByKey, aliases };
  return indexes;
}

/**
 * The IAM prefixes a service name may mean, most likely first: the exact
 * prefix (`ec2`, `resource-groups`), then a known alias (`CloudWatchLogs`,
 * `SFN`, `stepfunctions`), then the punctuation-free spelling (`S3Client`).
 */
export function serviceCandidates(service: string): string[] {
  const { data, prefixByKey } = getIndexes();
  const out: string[] = [];
  const lower = service.toLowerCase();
  if (data.services.has(lower)) out.push(lower);
  for (const key of serviceKeys(service)) {
    const alias = SERVICE_ALIASES[key];
    if (alias && data.services.has(alias) && !out.includes(alias)) out.push(alias);
    const byKey = prefixByKey.get(key);
    if (byKey && !out.includes(byKey)) out.push(byKey);
  }
  return out;
}

/** The IAM prefix for a service name in any spelling, or undefined. */
export function resolveService(service: string): string | undefined {
  return serviceCandidates(service)[0];
}

function lookupIn(prefix: string, names: readonly string[]): CatalogAction[] {
  const { data, aliases } = getIndexes();
  for (const name of names) {
    const key = normaliseOperationKey(name);
    const aliased = aliases.get(prefix)?.get(key);
    if (aliased) {
      const found = aliased.map((full) => {
        const [svc = '', act = ''] = full.split(':');
        return data.services.get(svc)?.actions.get(normaliseOperationKey(act));
      });
      if (found.every((a): a is CatalogAction => a !== undefined)) return found;
    }
    const direct = data.services.get(prefix)?.actions.get(key);
    if (direct) return [direct];
    if (prefix === 'apigateway') {
      const verb = APIGATEWAY_VERB_BY_PREFIX.find(([re]) => re.test(name))?.[1];
      const action = verb ? data.services.get(prefix)?.actions.get(normaliseOperationKey(verb)) : undefined;
      if (action) return [action];
    }
  }
  return [];
}

function problemOf(value: unknown, what: string, re: RegExp): string | undefined {
  if (typeof value !== 'string') return `${what} must be a string, got ${value === null ? 'null' : typeof value}`;
  if (value.trim() === '') return `${what} must not be empty`;
  if (value.length > MAX_NAME_LENGTH)
    return `${what} is ${value.length} characters long; at most ${MAX_NAME_LENGTH} are accepted`;
  if (!re.test(value))
    return `${what} ${JSON.stringify(value.slice(0, 80))} contains characters that no AWS name has (allowed: letters, digits, _ . : -)`;
  return undefined;
}

/**
 * Resolves a (service, operation) pair given in any form a user or an SDK
 * produces: `ec2` / `EC2` / `EC2Client` / `cloudwatch-logs` / `logs`, and
 * `describe_instances` / `DescribeInstances` / `DescribeInstancesCommand` /
 * `ec2:DescribeInstances`.
 *
 * `sdkCommand: true` says the operation is an SDK command class name, which
 * always ends in exactly one `Command` (so `SendCommandCommand` is
 * `SendCommand`); otherwise a name is first looked up as given, then
 * without one `Command` suffix (so `SendCommand` stays itself and
 * `DescribeInstancesCommand` is `DescribeInstances`).
 */
export function resolveOperation(
  service: unknown,
  operation: unknown,
  options: { sdkCommand?: boolean } = {},
): ResolvedOperation {
  const problem = problemOf(service, 'service', SERVICE_RE) ?? problemOf(operation, 'operation', OPERATION_RE);
  if (problem)
    return {
      servicePrefix: undefined,
      operationName: typeof operation === 'string' ? operation.slice(0, 80) : '',
      actions: [],
      problem,
    };
  let svc = service as string;
  let op = operation as string;
  const colon = op.indexOf(':');
  if (colon >= 0) {
    if (op.indexOf(':', colon + 1) >= 0 || colon === 0 || colon === op.length - 1) {
      return {
        servicePrefix: undefined,
        operationName: op,
        actions: [],
        problem: `operation ${JSON.stringify(op)} must be a name or "service:Action"`,
      };
    }
    svc = op.slice(0, colon);
    op = op.slice(colon + 1);
  }

  const names: string[] = [];
  if (op.endsWith('Command') && op.length > 'Command'.length) {
    // An SDK class name always carries exactly one suffix; a user-given name
    // may itself end in Command (ssm:SendCommand, bedrock-agentcore:InvokeAgentRuntimeCommand).
    if (!options.sdkCommand) names.push(op);
    names.push(op.slice(0, -'Command'.length));
  } else {
    names.push(op);
  }

  const candidates = serviceCandidates(svc);
  for (const prefix of candidates) {
    const actions = lookupIn(prefix, names);
    if (actions.length > 0) {
      const matched = matchedName(names, actions);
      const direct = actions.length === 1 && normaliseOperationKey(actions[0]!.name) === normaliseOperationKey(matched);
      const operationName = direct ? actions[0]!.name : canonicalOperationName(matched);
      return { servicePrefix: prefix, operationName, actions, problem: undefined };
    }
  }
  return {
    servicePrefix: candidates[0],
    operationName: canonicalOperationName(names[0]!),
    actions: [],
    problem: undefined,
  };
}

// The candidate name a match came from (for `SendCommand` given as `SendCommand`, the unstripped one).
function matchedName(names: readonly string[], actions: readonly CatalogAction[]): string {
  const hit = names.find((n) => actions.some((a) => normaliseOperationKey(a.name) === normaliseOperationKey(n)));
  return hit ?? names[0]!;
}

/** Every action in the catalog. */
export function* allActions(): Generator<CatalogAction> {
  for (const svc of getIndexes().data.services.values()) yield* svc.actions.values();
}

export function catalogInfo(): { source: string; version: string; services: number; actions: number } {
  const { data } = getIndexes();
  return { source: data.source, version: data.version, services: data.services.size, actions: data.actionCount };
}
