import { OperationType, RiskLevel } from '../constants.js';
import type { CloudTrailEvent } from './CloudTrailEvent.js';
import { iamPrefixForEventSource } from './eventSources.js';
import type { PrincipalMatcher } from './principal.js';
import { principalMatcher } from './principal.js';
import { isUnclassified, type EventSelection, type SkippedEvents } from './trailSelect.js';
import { memo } from '../util/memo.js';

/** An event as findings cite it: enough to find it again in CloudTrail. */
export interface EventSummary {
  eventId: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string | undefined;
  iamAction: string | undefined;
  principalArn: string | undefined;
  accessKeyId: string | undefined;
  requestId: string | undefined;
  readOnly: boolean | undefined;
  operationType: OperationType;
  errorCode: string | undefined;
  sourceIpAddress: string | undefined;
  userAgent: string | undefined;
}

/** A finding in the seed's shape (severity, title, description, recommendation) with the events behind it. */
export interface CloudTrailFinding {
  severity: RiskLevel;
  title: string;
  description: string;
  recommendation: string;
  events: EventSummary[];
}

/** Where CloudTrail's readOnly flag and the IAM access level disagree, per (source, name). */
export interface FlagDisagreement {
  eventSource: string;
  eventName: string;
  iamAction: string | undefined;
  cloudTrailReadOnly: boolean | undefined;
  operationType: OperationType;
  count: number;
}

/** One record of our own audit trail, as correlation needs it. */
export interface AuditRecordRef {
  timestamp: Date | string | number;
  service: string;
  operation: string;
  iamAction?: string | undefined;
  requestId?: string | undefined;
  /** Blocked attempts never reached AWS and are not matched. */
  decision?: 'allowed' | 'blocked' | undefined;
}

export interface CorrelationOptions {
  /**
   * How far apart an audit record and a CloudTrail event may be in time and
   * still be the same call, when there is no request id to match on.
   * @default 300000 (5 minutes: CloudTrail times have one-second precision and clocks drift)
   */
  toleranceMs?: number;
}

export interface CorrelationResult {
  /** Events of the principal that a record of the audit trail accounts for. */
  matched: number;
  matchedByRequestId: number;
  /** Calls AWS saw from the principal that the audit never recorded. */
  unrecorded: EventSummary[];
  /** Events made by an AWS service on the principal's behalf (`invokedBy`): not expected in the audit. */
  skippedServiceEvents: number;
}

/** The roles the principal may assume (`sessions.assumeRoles`): an AssumeRole into one is a session, not a write. */
export interface SessionRoles {
  isSanctioned(roleArn: string): boolean;
}

/** An AssumeRole by the principal into a sanctioned role: listed, INFO, never a write. */
export interface SessionEstablishment extends EventSummary {
  readonly severity: 'INFO';
  readonly roleArn: string;
}

export interface PrincipalAnalysis {
  principal: string;
  principalKind: PrincipalMatcher['kind'];
  eventsSeen: number;
  principalEvents: number;
  /** The principal's events that change something (either CloudTrail or IAM says write). */
  writes: EventSummary[];
  /** The principal's events neither CloudTrail nor the catalog can call read or write. */
  unclassified: EventSummary[];
  disagreements: FlagDisagreement[];
  /** AssumeRole events of the principal into sanctioned roles (empty without `sessionRoles`). */
  sessions: SessionEstablishment[];
  /** True when the principal made no write in the events seen. */
  readOnlyGuaranteeHeld: boolean;
  correlation: CorrelationResult | undefined;
  findings: CloudTrailFinding[];
}

export function summarizeEvent(e: CloudTrailEvent): EventSummary {
  return {
    eventId: e.eventId,
    eventTime: e.eventTime.toISOString(),
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: e.awsRegion,
    iamAction: e.verdict.iamAction,
    principalArn: e.userIdentity.arn,
    accessKeyId: e.accessKeyId,
    requestId: e.requestId,
    readOnly: e.readOnly,
    operationType: e.verdict.operationType,
    errorCode: e.errorCode,
    sourceIpAddress: e.sourceIpAddress,
    userAgent: e.userAgent,
  };
}

const byTime = (a: EventSummary, b: EventSummary): number =>
  a.eventTime < b.eventTime
    ? -1
    : a.eventTime > b.eventTime
      ? 1
      : a.eventId < b.eventId
        ? -1
        : a.eventId > b.eventId
          ? 1
          : 0;

const normService = (s: string): string =>
  s
    .toLowerCase()
    .replace(/client$/, '')
    .replace(/[^a-z0-9-]/g, '');
const normOperation = (s: string): string =>
  s
    .replace(/Command$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
const lowerCase = (s: string): string => s.toLowerCase();

/** Distinct texts a memo keeps; past that it computes each one again. */
const MEMO_SIZE = 10_000;

interface Compact {
  summary: EventSummary;
  time: number;
  prefix: string;
  name: string;
  action: string | undefined;
  invokedBy: boolean;
  isRetry: boolean;
}

/**
 * Streams CloudTrail events and keeps what an auditor needs about one
 * principal: its writes, its unclassifiable events, where CloudTrail's flag
 * and IAM disagree (over every event seen), and (for correlation with our audit trail) a compact copy
 * of each of its events. Memory grows with the principal's events, not with
 * the trail.
 *
 * @example
 * ```ts
 * const analyzer = new PrincipalAnalyzer('arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/inventag');
 * await reader.scan((event) => analyzer.add(event));
 * const analysis = analyzer.result({ audit: records });
 * if (!analysis.readOnlyGuaranteeHeld) process.exitCode = 1;
 * ```
 */
export class PrincipalAnalyzer {
  readonly #matcher: PrincipalMatcher;
  readonly #writes: EventSummary[] = [];
  readonly #unclassified: EventSummary[] = [];
  readonly #disagreements = new Map<string, FlagDisagreement>();
  readonly #events: Compact[] = [];
  readonly #keepEvents: boolean;
  readonly #sessionRoles: SessionRoles | undefined;
  readonly #sessions: SessionEstablishment[] = [];
  #seen = 0;
  #principalEvents = 0;
  readonly #normService = memo(normService, MEMO_SIZE);
  readonly #normOperation = memo(normOperation, MEMO_SIZE);
  readonly #lowerCase = memo(lowerCase, MEMO_SIZE);

  /** Throws a TypeError naming the accepted forms when `principal` is not one. */
  constructor(
    principal: string | PrincipalMatcher,
    options: { keepEventsForCorrelation?: boolean; sessionRoles?: SessionRoles } = {},
  ) {
    const m = typeof principal === 'string' ? principalMatcher(principal) : principal;
    if (typeof m === 'string') throw new TypeError(m);
    this.#matcher = m;
    this.#keepEvents = options.keepEventsForCorrelation ?? true;
    this.#sessionRoles = options.sessionRoles;
  }

  /** The principal as given (an ARN or access key id). */
  get principal(): string {
    return this.#matcher.principal;
  }

  /**
   * The events a scan must hand over for this analysis (`TrailScanOptions.select`): the principal's, and of
   * those, when no events are kept for correlation, only its writes and unclassifiable events (its reads are
   * counted in the worker or the reading loop, never built as objects).
   */
  selection(): EventSelection {
    return { principal: this.#matcher.principal, principalReadsCounted: !this.#keepEvents };
  }

  /** The target role of a successful AssumeRole into a sanctioned role, or undefined. */
  #sessionTarget(event: CloudTrailEvent): string | undefined {
    if (!this.#sessionRoles || event.verdict.iamAction !== 'sts:AssumeRole' || event.errorCode !== undefined) return;
    const roleArn = event.requestParameters?.roleArn;
    return typeof roleArn === 'string' && this.#sessionRoles.isSanctioned(roleArn) ? roleArn : undefined;
  }

  add(event: CloudTrailEvent): void {
    this.#seen++;
    const v = event.verdict;
    // Disagreements are counted over the whole trail: they say how far a ReadOnly filter can be trusted.
    if (v.agreement === 'disagree') {
      const key = `${event.eventSource} ${event.eventName}`;
      const d = this.#disagreements.get(key);
      if (d) d.count++;
      else {
        this.#disagreements.set(key, {
          eventSource: event.eventSource,
          eventName: event.eventName,
          iamAction: v.iamAction,
          cloudTrailReadOnly: event.readOnly,
          operationType: v.operationType,
          count: 1,
        });
      }
    }
    if (!this.#matcher.matches(event)) return;
    this.#principalEvents++;
    const unclassified = isUnclassified(v, event.readOnly);
    if (!v.isWrite && !unclassified && !this.#keepEvents) return;
    const summary = summarizeEvent(event);
    const sessionRole = v.isWrite ? this.#sessionTarget(event) : undefined;
    if (sessionRole) this.#sessions.push({ ...summary, severity: 'INFO', roleArn: sessionRole });
    else if (v.isWrite) this.#writes.push(summary);
    else if (unclassified) this.#unclassified.push(summary);
    if (this.#keepEvents) {
      this.#events.push({
        summary,
        time: event.eventTime.getTime(),
        prefix: iamPrefixForEventSource(event.eventSource),
        name: this.#normOperation(event.eventName),
        action: v.iamAction == null ? undefined : this.#lowerCase(v.iamAction),
        invokedBy: typeof event.userIdentity.invokedBy === 'string',
        isRetry:
          event.errorCode !== undefined &&
          /throttl|toomanyrequests|requestlimitexceeded|internal|serviceunavailable/i.test(event.errorCode),
      });
    }
  }

  /**
   * Counts events a scan did not hand over (`TrailScanOptions.select`): they are seen, their flag
   * disagreements count, and those of the principal (its reads, see `selection()`) count as its events.
   */
  addSkipped(skipped: SkippedEvents): void {
    this.#seen += skipped.events;
    this.#principalEvents += skipped.principalEvents;
    for (const d of skipped.disagreements) {
      const key = `${d.eventSource} ${d.eventName}`;
      const had = this.#disagreements.get(key);
      if (had) had.count += d.count;
      else this.#disagreements.set(key, { ...d });
    }
  }

  /** The analysis so far; pass the audit records to correlate with them. */
  result(options: { audit?: readonly AuditRecordRef[] } & CorrelationOptions = {}): PrincipalAnalysis {
    const writes = [...this.#writes].sort(byTime);
    const unclassified = [...this.#unclassified].sort(byTime);
    // A total order: events arrive in whatever order the files are read (one thread or several).
    const disagreements = [...this.#disagreements.values()].sort(
      (a, b) =>
        b.count - a.count ||
        (a.eventName < b.eventName ? -1 : a.eventName > b.eventName ? 1 : 0) ||
        (a.eventSource < b.eventSource ? -1 : a.eventSource > b.eventSource ? 1 : 0),
    );
    const correlation = options.audit ? this.#correlate(options.audit, options.toleranceMs ?? 300_000) : undefined;
    const p = this.#matcher.principal;
    const findings: CloudTrailFinding[] = [];
    if (writes.length > 0) {
      const failed = writes.filter((w) => w.errorCode !== undefined).length;
      const names = [...new Set(writes.map((w) => `${w.eventSource.replace('.amazonaws.com', '')}:${w.eventName}`))]
        .slice(0, 10)
        .join(', ');
      findings.push({
        severity: RiskLevel.CRITICAL,
        title: 'read-only guarantee broken',
        description: `${p} made ${writes.length} call(s) that change resources (${names})${failed ? `; ${failed} of them failed with an error code, the rest succeeded` : ''}.`,
        recommendation:
          'Review each event listed; remove write permissions from the identity (inventag policy check) and send every AWS client through the guard so writes are refused before they leave the process.',
        events: writes,
      });
    }
    if (correlation && correlation.unrecorded.length > 0) {
      findings.push({
        severity: RiskLevel.HIGH,
        title: 'calls missing from the audit trail (unguarded path)',
        description: `AWS recorded ${correlation.unrecorded.length} call(s) by ${p} that our audit trail has no record of: some code path calls AWS without the guard, or another process uses the same identity.`,
        recommendation:
          'Find the code that made these calls (user agent, source IP, time) and route its client through the guard, or give the other process its own identity.',
        events: correlation.unrecorded,
      });
    }
    if (unclassified.length > 0) {
      findings.push({
        severity: RiskLevel.MEDIUM,
        title: 'events that cannot be classified',
        description: `${unclassified.length} event(s) by ${p} have no CloudTrail readOnly flag and no IAM action in the catalog, so they cannot be shown to be reads.`,
        recommendation:
          'Check these events by hand; add an override to the policy if the action is known to be read-only.',
        events: unclassified,
      });
    }
    if (disagreements.length > 0) {
      findings.push({
        severity: RiskLevel.LOW,
        title: "CloudTrail's readOnly flag disagrees with the IAM access level",
        description: disagreements
          .map(
            (d) =>
              `${d.eventSource} ${d.eventName}: CloudTrail readOnly=${String(d.cloudTrailReadOnly)}, IAM ${d.iamAction ?? '?'} is ${d.operationType} (${d.count}x)`,
          )
          .join('; '),
        recommendation:
          'A filter on ReadOnly=false alone would miss or over-report these calls; judge them by the IAM access level as this analysis does.',
        events: [],
      });
    }
    return {
      principal: p,
      principalKind: this.#matcher.kind,
      eventsSeen: this.#seen,
      principalEvents: this.#principalEvents,
      writes,
      unclassified,
      disagreements,
      sessions: [...this.#sessions].sort(byTime),
      readOnlyGuaranteeHeld: writes.length === 0,
      correlation,
      findings,
    };
  }

  #correlate(audit: readonly AuditRecordRef[], toleranceMs: number): CorrelationResult {
    const records = audit
      .filter((r) => r.decision !== 'blocked')
      .map((r) => ({
        time: new Date(r.timestamp).getTime(),
        requestId: r.requestId,
        action: r.iamAction == null ? undefined : this.#lowerCase(r.iamAction),
        service: this.#normService(r.service),
        name: this.#normOperation(r.operation),
        used: false,
      }));
    const byRequestId = new Map<string, (typeof records)[number]>();
    for (const r of records) if (r.requestId) byRequestId.set(r.requestId, r);
    const same = (r: (typeof records)[number], e: Compact): boolean =>
      (r.action !== undefined && r.action === e.action) || (r.service === e.prefix && r.name === e.name);

    let matched = 0;
    let matchedByRequestId = 0;
    let skippedServiceEvents = 0;
    const unrecorded: EventSummary[] = [];
    const pending: Compact[] = [];
    for (const e of this.#events) {
      if (e.invokedBy) {
        skippedServiceEvents++;
        continue;
      }
      const r = e.summary.requestId ? byRequestId.get(e.summary.requestId) : undefined;
      if (r) {
        r.used = true;
        matched++;
        matchedByRequestId++;
      } else pending.push(e);
    }
    // Without a request id, pair each event with the nearest unused record of the same call (the earliest
    // recorded of equally near ones). A throttled or failed attempt may share the record of the call it retried.
    // The records of each call (by IAM action, and by service and operation) sorted by time: each event looks
    // only at those of its own call within the tolerance, not at every record of the trail.
    type Ref = (typeof records)[number];
    const calls = new Map<string, { times: number[]; at: number[] }>();
    const file = (key: string, i: number): void => {
      let call = calls.get(key);
      if (call === undefined) calls.set(key, (call = { times: [], at: [] }));
      call.at.push(i);
    };
    const actionKey = (action: string): string => `a\u0000${action}`;
    const nameKey = (service: string, name: string): string => `n\u0000${service}\u0000${name}`;
    records.forEach((r: Ref, i) => {
      if (Number.isNaN(r.time)) return;
      if (r.action !== undefined) file(actionKey(r.action), i);
      file(nameKey(r.service, r.name), i);
    });
    for (const call of calls.values()) {
      call.at.sort((a, b) => records[a]!.time - records[b]!.time || a - b);
      call.times = call.at.map((i) => records[i]!.time);
    }
    for (const e of pending.sort((a, b) => a.time - b.time)) {
      let best = -1;
      let bestGap = Infinity;
      for (const key of [e.action === undefined ? undefined : actionKey(e.action), nameKey(e.prefix, e.name)]) {
        const call = key === undefined ? undefined : calls.get(key);
        if (call === undefined) continue;
        const { times, at } = call;
        for (
          let k = firstAtOrAfter(times, e.time - toleranceMs);
          k < at.length && times[k]! <= e.time + toleranceMs;
          k++
        ) {
          const i = at[k]!;
          const r = records[i]!;
          if ((r.used && !e.isRetry) || !same(r, e)) continue;
          const gap = Math.abs(r.time - e.time);
          if (gap <= toleranceMs && (gap < bestGap || (gap === bestGap && i < best))) {
            best = i;
            bestGap = gap;
          }
        }
      }
      if (best >= 0) {
        records[best]!.used = true;
        matched++;
      } else unrecorded.push(e.summary);
    }
    return { matched, matchedByRequestId, unrecorded: unrecorded.sort(byTime), skippedServiceEvents };
  }
}

/** The first index of the sorted `times` whose time is at least `t` (`times.length` when none is). */
function firstAtOrAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every event of `principal` in `events` that is not read-only, as a
 * CRITICAL "read-only guarantee broken" finding (the seed-style entry point).
 */
export function findWritesByPrincipal(
  events: Iterable<CloudTrailEvent>,
  principal: string,
  options: { audit?: readonly AuditRecordRef[] } & CorrelationOptions = {},
): PrincipalAnalysis {
  const analyzer = new PrincipalAnalyzer(principal);
  for (const e of events) analyzer.add(e);
  return analyzer.result(options);
}
