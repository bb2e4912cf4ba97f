/**
 * The event model: one CloudTrail record, from LookupEvents or from a trail
 * log file, in one shape. Field names follow the seed's CloudTrailEvent
 * (camelCase), plus the identifiers an auditor needs to cite an event.
 */
import type { AccessLevel } from '../catalog/data.js';
import type { OperationType } from '../constants.js';

/** The `sessionIssuer` of an assumed-role session: the role behind it. */
export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
}

/** `userIdentity` as CloudTrail records it; unknown extra fields are kept. */
export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  /** Set when an AWS service made the call on the principal's behalf. */
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: SessionIssuer;
    attributes?: Record<string, unknown>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface CloudTrailResource {
  arn?: string;
  accountId?: string;
  type?: string;
}

/**
 * Our own reading of an event, next to CloudTrail's `readOnly` flag, so the
 * places where the two disagree are visible: CloudTrail marks some calls
 * read-only that IAM classes as writes and the other way round.
 */
export interface EventVerdict {
  /** `prefix:Action` when the event source and name resolved to an IAM action. */
  readonly iamAction: string | undefined;
  readonly accessLevel: AccessLevel | undefined;
  /** From the IAM access level (or the verdict source's patterns). */
  readonly operationType: OperationType;
  /**
   * `agree` when CloudTrail's flag and our type say the same; `disagree` when
   * one says read and the other write; `unknown` when either is missing.
   */
  readonly agreement: 'agree' | 'disagree' | 'unknown';
  /** A write by either account: CloudTrail `readOnly: false` or our verdict `mutating`. */
  readonly isWrite: boolean;
}

export interface CloudTrailEvent {
  eventId: string;
  eventTime: Date;
  eventName: string;
  /** The service host, e.g. `ec2.amazonaws.com`. */
  eventSource: string;
  awsRegion: string | undefined;
  userIdentity: UserIdentity;
  sourceIpAddress: string | undefined;
  userAgent: string | undefined;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  resources: CloudTrailResource[];
  /** CloudTrail's own flag; absent on some events (console sign-in, some service events). */
  readOnly: boolean | undefined;
  requestId: string | undefined;
  recipientAccountId: string | undefined;
  accessKeyId: string | undefined;
  managementEvent: boolean | undefined;
  eventType: string | undefined;
  verdict: EventVerdict;
}

/** Decides the verdict of one event; see EventClassifier. */
export interface EventVerdictSource {
  classify(eventSource: string, eventName: string, readOnly: boolean | undefined): EventVerdict;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  // LookupEvents returns `ReadOnly` as the string "true" / "false".
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function resources(v: unknown): CloudTrailResource[] {
  if (!Array.isArray(v)) return [];
  const out: CloudTrailResource[] = [];
  for (const r of v) {
    const o = obj(r);
    if (!o) continue;
    // Trail files spell it `ARN`, LookupEvents' Resources `ResourceName`.
    out.push({
      arn: str(o.ARN) ?? str(o.arn) ?? str(o.ResourceName),
      accountId: str(o.accountId),
      type: str(o.type) ?? str(o.ResourceType),
    });
  }
  return out;
}

/** The fields every CloudTrail event has, checked: what deciding whether a record matters needs. */
export interface RecordHead {
  readonly record: Record<string, unknown>;
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: Date;
  readonly readOnly: boolean | undefined;
}

/** The head of a raw record, or a string naming what is wrong (as toCloudTrailEvent reports it). */
export function recordHead(raw: unknown): RecordHead | string {
  const r = obj(raw);
  if (!r) return 'a record is not a JSON object';
  const eventName = str(r.eventName);
  const eventSource = str(r.eventSource);
  const time = str(r.eventTime);
  if (!eventName) return 'a record has no string "eventName"';
  if (!eventSource) return `record ${eventName} has no string "eventSource"`;
  if (!time) return `record ${eventName} has no string "eventTime"`;
  const eventTime = new Date(time);
  if (Number.isNaN(eventTime.getTime()))
    return `record ${eventName} has an "eventTime" that is not a date: ${JSON.stringify(time).slice(0, 40)}`;
  return { record: r, eventName, eventSource, eventTime, readOnly: bool(r.readOnly) };
}

/** The identity fields a PrincipalMatcher reads, from a raw record. */
export function identityOf(record: Record<string, unknown>): Pick<CloudTrailEvent, 'userIdentity' | 'accessKeyId'> {
  const identity = (obj(record.userIdentity) ?? {}) as UserIdentity;
  return { userIdentity: identity, accessKeyId: str(identity.accessKeyId) };
}

/**
 * Turns one raw record (an element of a trail file's `Records`, or the parsed
 * `CloudTrailEvent` string of a LookupEvents result) into the model. Returns
 * a string naming what is wrong when the record lacks the fields every
 * CloudTrail event has, so the caller can report the file and go on.
 */
export function toCloudTrailEvent(raw: unknown, verdicts: EventVerdictSource): CloudTrailEvent | string {
  const head = recordHead(raw);
  if (typeof head === 'string') return head;
  const { record: r, eventName, eventSource, eventTime, readOnly } = head;
  const identity = (obj(r.userIdentity) ?? {}) as UserIdentity;
  return {
    eventId: str(r.eventID) ?? str(r.eventId) ?? '',
    eventTime,
    eventName,
    eventSource,
    awsRegion: str(r.awsRegion),
    userIdentity: identity,
    sourceIpAddress: str(r.sourceIPAddress) ?? str(r.sourceIpAddress),
    userAgent: str(r.userAgent),
    requestParameters: obj(r.requestParameters),
    responseElements: obj(r.responseElements),
    errorCode: str(r.errorCode),
    errorMessage: str(r.errorMessage),
    resources: resources(r.resources),
    readOnly,
    requestId: str(r.requestID) ?? str(r.requestId),
    recipientAccountId: str(r.recipientAccountId),
    accessKeyId: str(identity.accessKeyId),
    managementEvent: bool(r.managementEvent),
    eventType: str(r.eventType),
    verdict: verdicts.classify(eventSource, eventName, readOnly),
  };
}

/** A JSON-friendly copy (ISO time) for reports and `--json`. */
export function eventToJson(event: CloudTrailEvent): Record<string, unknown> {
  return { ...event, eventTime: event.eventTime.toISOString() };
}
