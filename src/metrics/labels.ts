/**
 * Metric label values must come from a bounded set, or one odd caller turns a
 * registry into a memory leak and a Prometheus cardinality explosion. Service
 * and operation labels are therefore only ever an IAM service prefix and an
 * IAM action name that the catalog knows, or the fixed value `other`.
 */
import { resolveOperation } from '../catalog/resolve.js';

export const OTHER_LABEL = 'other';

export interface OperationLabels {
  service: string;
  operation: string;
}

const MAX_CACHE = 10_000;
const cache = new Map<string, OperationLabels>();

function resolve(service: string, operation: string, iamAction: string | undefined): OperationLabels {
  const resolved = resolveOperation(service, iamAction ?? operation);
  if (!resolved.servicePrefix || resolved.problem) return { service: OTHER_LABEL, operation: OTHER_LABEL };
  const [only, ...more] = resolved.actions;
  if (!only) return { service: resolved.servicePrefix, operation: OTHER_LABEL };
  // One label per IAM action whatever spelling the caller used (ListBuckets, ListBucketsCommand, s3:ListAllMyBuckets);
  // an SDK operation needing several actions keeps its alias-table name.
  return {
    service: resolved.servicePrefix,
    operation: more.length === 0 ? only.name : resolved.operationName.replace(/(?<=.)Command$/, ''),
  };
}

/**
 * The bounded `service` and `operation` label values for an operation, e.g.
 * `('ec2', 'describe_instances')` gives `{ service: 'ec2', operation: 'DescribeInstances' }`
 * and anything the IAM catalog does not know gives `other`.
 */
export function operationLabels(service: string, operation: string, iamAction?: string): OperationLabels {
  const key = `${service}\u0000${operation}\u0000${iamAction ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const labels = resolve(service, operation, iamAction);
  // The inputs are caller text, so the cache itself must stay bounded too.
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, labels);
  return labels;
}

/** A value from a fixed list, or `other`. */
export function boundedLabel<T extends string>(value: string, allowed: readonly T[]): T | typeof OTHER_LABEL {
  return (allowed as readonly string[]).includes(value) ? (value as T) : OTHER_LABEL;
}
