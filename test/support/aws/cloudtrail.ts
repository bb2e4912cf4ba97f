/**
 * CloudTrail LookupEvents (JSON 1.1, `X-Amz-Target:
 * com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`) over
 * a set of CloudTrail records per region. The region comes from the SigV4
 * credential scope, as AWS keeps events per region. Answers newest first,
 * pages with NextToken, honours StartTime / EndTime, MaxResults (1-50) and
 * one LookupAttribute. `quotaPerSecond` makes it throttle like AWS does when
 * more requests than that arrive within one second in a region.
 */
import { errorResponse, HandlerError, jsonResult, page } from './protocol.js';
import type { ServiceHandler } from './types.js';

/** A CloudTrail record as a trail file holds it (eventID, eventTime, userIdentity, ...). */
export type CloudTrailRecord = Record<string, unknown> & { eventID: string; eventTime: string; eventName: string };

export interface CloudTrailHandlerOptions {
  /** Region -> records. */
  events: Record<string, CloudTrailRecord[]>;
  /** Throttle a request when this many already arrived in the region within the last second. @default no quota */
  quotaPerSecond?: number;
}

interface LookupInput {
  StartTime?: number;
  EndTime?: number;
  MaxResults?: number;
  NextToken?: string;
  LookupAttributes?: Array<{ AttributeKey?: string; AttributeValue?: string }>;
}

const attr = (r: CloudTrailRecord, key: string): boolean | ((v: string) => boolean) => {
  const id = (r.userIdentity ?? {}) as { userName?: string; arn?: string; accessKeyId?: string };
  const resources = (r.resources ?? []) as Array<{ ARN?: string; type?: string }>;
  switch (key) {
    case 'EventId':
      return (v) => r.eventID === v;
    case 'EventName':
      return (v) => r.eventName === v;
    case 'EventSource':
      return (v) => r.eventSource === v;
    case 'ReadOnly':
      return (v) => String(r.readOnly) === v;
    case 'AccessKeyId':
      return (v) => id.accessKeyId === v;
    case 'Username':
      return (v) => id.userName === v || id.arn?.endsWith(`/${v}`) === true;
    case 'ResourceType':
      return (v) => resources.some((x) => x.type === v);
    case 'ResourceName':
      return (v) => resources.some((x) => x.ARN === v);
    default:
      return false;
  }
};

function toLookupEvent(r: CloudTrailRecord): Record<string, unknown> {
  const id = (r.userIdentity ?? {}) as { userName?: string; arn?: string; accessKeyId?: string };
  const resources = (r.resources ?? []) as Array<{ ARN?: string; type?: string }>;
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    AccessKeyId: id.accessKeyId,
    // JSON 1.1 timestamps are epoch seconds.
    EventTime: Date.parse(r.eventTime) / 1000,
    EventSource: r.eventSource,
    Username: id.userName ?? id.arn?.split('/').at(-1),
    Resources: resources.map((x) => ({ ResourceType: x.type, ResourceName: x.ARN })),
    CloudTrailEvent: JSON.stringify(r),
  };
}

export function cloudTrailHandler(options: CloudTrailHandlerOptions): ServiceHandler {
  // Newest first, as LookupEvents answers.
  const byRegion = new Map(
    Object.entries(options.events).map(([region, list]) => [
      region,
      [...list].sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime) || (a.eventID < b.eventID ? 1 : -1)),
    ]),
  );
  const arrivals = new Map<string, number[]>();
  return {
    name: 'cloudtrail',
    matches: (req) => req.service === 'cloudtrail' && req.operation === 'LookupEvents',
    handle: (req) => {
      const region = req.region ?? 'us-east-1';
      if (options.quotaPerSecond !== undefined) {
        const recent = (arrivals.get(region) ?? []).filter((t) => t > req.time - 1000);
        if (recent.length >= options.quotaPerSecond) {
          arrivals.set(region, recent);
          return errorResponse(req, 400, 'ThrottlingException', 'Rate exceeded');
        }
        recent.push(req.time);
        arrivals.set(region, recent);
      }
      const input = (req.json ?? {}) as LookupInput;
      const max = input.MaxResults ?? 50;
      if (!Number.isInteger(max) || max < 1 || max > 50)
        throw new HandlerError(400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50');
      const attrs = input.LookupAttributes ?? [];
      if (attrs.length > 1)
        throw new HandlerError(
          400,
          'InvalidLookupAttributesException',
          'You cannot specify more than one lookup attribute',
        );
      let test: (r: CloudTrailRecord) => boolean = () => true;
      const first = attrs[0];
      if (first) {
        const match = attr({ eventID: '', eventTime: '', eventName: '' }, first.AttributeKey ?? '');
        if (typeof match !== 'function' || typeof first.AttributeValue !== 'string') {
          throw new HandlerError(
            400,
            'InvalidLookupAttributesException',
            `Unknown lookup attribute ${String(first.AttributeKey)}`,
          );
        }
        test = (r) => (attr(r, first.AttributeKey!) as (v: string) => boolean)(first.AttributeValue!);
      }
      const from = input.StartTime === undefined ? -Infinity : input.StartTime * 1000;
      const to = input.EndTime === undefined ? Infinity : input.EndTime * 1000;
      if (from > to) throw new HandlerError(400, 'InvalidTimeRangeException', 'StartTime is after EndTime');
      const selected = (byRegion.get(region) ?? []).filter((r) => {
        const t = Date.parse(r.eventTime);
        return t >= from && t <= to && test(r);
      });
      const { items, next } = page(selected, input.NextToken, max);
      return jsonResult(req, { Events: items.map(toLookupEvent), ...(next ? { NextToken: next } : {}) });
    },
  };
}
