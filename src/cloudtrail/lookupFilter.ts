/**
 * Filters for LookupEvents. The API takes one attribute per request; when a
 * caller gives several, the most selective goes to AWS and the others are
 * applied to the events as they arrive.
 */
import type { CloudTrailEvent } from './CloudTrailEvent.js';

export interface LookupFilter {
  eventId?: string;
  accessKeyId?: string;
  resourceName?: string;
  /** The user name, or for an assumed role the session name. */
  username?: string;
  eventName?: string;
  resourceType?: string;
  /** e.g. `ec2.amazonaws.com`. */
  eventSource?: string;
  /** CloudTrail's own flag. Filtering on it misses writes CloudTrail marks read-only; see EventVerdict. */
  readOnly?: boolean;
}

type Key = keyof LookupFilter;

/** The LookupAttributeKey of each filter field, most selective first. */
export const LOOKUP_ATTRIBUTES: ReadonlyArray<readonly [Key, string]> = [
  ['eventId', 'EventId'],
  ['accessKeyId', 'AccessKeyId'],
  ['resourceName', 'ResourceName'],
  ['username', 'Username'],
  ['eventName', 'EventName'],
  ['resourceType', 'ResourceType'],
  ['eventSource', 'EventSource'],
  ['readOnly', 'ReadOnly'],
];

const predicates: Record<Key, (e: CloudTrailEvent, v: string | boolean) => boolean> = {
  eventId: (e, v) => e.eventId === v,
  accessKeyId: (e, v) => e.accessKeyId === v,
  resourceName: (e, v) =>
    e.resources.some((r) => r.arn === v || (typeof v === 'string' && r.arn?.endsWith(`/${v}`) === true)),
  username: (e, v) =>
    e.userIdentity.userName === v || (typeof v === 'string' && e.userIdentity.arn?.endsWith(`/${v}`) === true),
  eventName: (e, v) => e.eventName === v,
  resourceType: (e, v) => e.resources.some((r) => r.type === v),
  eventSource: (e, v) => e.eventSource === v,
  readOnly: (e, v) => e.readOnly === v,
};

export interface PlannedFilter {
  /** Sent to AWS (at most one). */
  server: { AttributeKey: string; AttributeValue: string } | undefined;
  /** Checked on each event for the remaining fields. */
  local: (event: CloudTrailEvent) => boolean;
}

/** Checks a filter and splits it into the part AWS applies and the part we apply; a string says what is wrong. */
export function planLookupFilter(filter: LookupFilter = {}): PlannedFilter | string {
  const allowed = LOOKUP_ATTRIBUTES.map(([k]) => k);
  const given: Array<[Key, string | boolean]> = [];
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined) continue;
    if (!allowed.includes(k as Key)) return `unknown lookup attribute "${k}"; allowed: ${allowed.join(', ')}`;
    if (k === 'readOnly' ? typeof v !== 'boolean' : typeof v !== 'string' || v === '') {
      return `lookup attribute "${k}" must be ${k === 'readOnly' ? 'true or false' : 'a non-empty string'}`;
    }
    given.push([k as Key, v as string | boolean]);
  }
  given.sort((a, b) => allowed.indexOf(a[0]) - allowed.indexOf(b[0]));
  const [first, ...rest] = given;
  const server = first
    ? { AttributeKey: LOOKUP_ATTRIBUTES.find(([k]) => k === first[0])![1], AttributeValue: String(first[1]) }
    : undefined;
  const local = (e: CloudTrailEvent): boolean => rest.every(([k, v]) => predicates[k](e, v));
  return { server, local };
}
