import { describe, expect, test } from 'vitest';
import { IDENTITIES, makeRecord } from '../../scripts/trailFixtures.mjs';
import { EventClassifier } from '../../src/cloudtrail/EventClassifier.js';
import { toCloudTrailEvent, type CloudTrailEvent } from '../../src/cloudtrail/CloudTrailEvent.js';
import { findWritesByPrincipal, type AuditRecordRef } from '../../src/cloudtrail/PrincipalAnalyzer.js';

// Each CloudTrail event of the principal without a request id is paired with the nearest unused audit record
// of the same call within the tolerance (the earliest recorded of equally near ones); a throttled event may
// share the record of the call it retried. The pairing looks only at the records near each event; it must pair
// exactly as a search over every record does.
const inv = IDENTITIES.inventory;
const T0 = Date.UTC(2026, 10, 20);
const CALLS = [
  { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', iamAction: 'ec2:DescribeInstances' },
  { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', iamAction: 's3:ListAllMyBuckets' },
  { eventSource: 'iam.amazonaws.com', eventName: 'ListRoles', iamAction: 'iam:ListRoles' },
];
const TOLERANCE = 300_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Case {
  events: { event: CloudTrailEvent; call: number; time: number; retry: boolean }[];
  records: (AuditRecordRef & { call: number; time: number })[];
}

/** Events and records of three calls on a grid of whole seconds (so equal gaps happen), records out of order. */
function build(seed: number): Case {
  const next = rng(seed);
  const classifier = new EventClassifier();
  const events: Case['events'] = [];
  for (let i = 0; i < 300; i++) {
    const call = Math.floor(next() * CALLS.length);
    const time = T0 + Math.floor(next() * 7200) * 1000;
    const retry = next() < 0.1;
    const raw = makeRecord({
      time: new Date(time),
      region: 'us-east-1',
      identity: inv,
      eventSource: CALLS[call]!.eventSource,
      eventName: CALLS[call]!.eventName,
      ...(retry ? { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' } : {}),
    });
    const event = toCloudTrailEvent(raw, classifier);
    if (typeof event === 'string') throw new Error(event);
    events.push({ event, call, time: event.eventTime.getTime(), retry });
  }
  const records: Case['records'] = [];
  for (let i = 0; i < 400; i++) {
    const call = Math.floor(next() * CALLS.length);
    const time = T0 + Math.floor(next() * 7200) * 1000;
    const blocked = next() < 0.05;
    // Some records are the call by their service and operation alone (no IAM action), some by their IAM action
    // alone (an operation named otherwise): either makes them the same call.
    const variant = next();
    records.push({
      timestamp: next() < 0.02 ? 'not a time' : new Date(time).toISOString(),
      service: CALLS[call]!.eventSource.split('.')[0]!,
      operation: variant < 0.1 ? `Legacy${CALLS[call]!.eventName}` : CALLS[call]!.eventName,
      ...(variant >= 0.1 && variant < 0.25 ? {} : { iamAction: CALLS[call]!.iamAction }),
      ...(blocked ? { decision: 'blocked' as const } : {}),
      call,
      time,
    });
  }
  return { events, records };
}

/** The pairing searched over every record, as the rule says. */
function reference(c: Case): { matched: number; unrecorded: string[] } {
  const records = c.records
    .filter((r) => r.decision !== 'blocked')
    .map((r) => ({ call: r.call, time: new Date(r.timestamp).getTime(), used: false }));
  let matched = 0;
  const unrecorded: string[] = [];
  for (const e of [...c.events].sort((a, b) => a.time - b.time)) {
    let best: (typeof records)[number] | undefined;
    let bestGap = Infinity;
    for (const r of records) {
      if ((r.used && !e.retry) || r.call !== e.call) continue;
      const gap = Math.abs(r.time - e.time);
      if (gap <= TOLERANCE && gap < bestGap) {
        best = r;
        bestGap = gap;
      }
    }
    if (best) {
      best.used = true;
      matched++;
    } else unrecorded.push(e.event.eventId);
  }
  return { matched, unrecorded: unrecorded.sort() };
}

describe('correlating CloudTrail events with audit records', () => {
  test.each([1, 2, 3, 4, 5])('pairs as a search over every record does (seed %i)', (seed) => {
    const c = build(seed);
    const a = findWritesByPrincipal(
      c.events.map((e) => e.event),
      inv.arn,
      { audit: c.records, toleranceMs: TOLERANCE },
    );
    const want = reference(c);
    expect(a.correlation!.matched).toBe(want.matched);
    expect(a.correlation!.unrecorded.map((e) => e.eventId).sort()).toEqual(want.unrecorded);
    // Both outcomes occur, so the comparison means something.
    expect(want.matched).toBeGreaterThan(50);
    expect(want.unrecorded.length).toBeGreaterThan(5);
  });

  test('of two records equally near, the earlier recorded is used, leaving the other for the next event', () => {
    const at = (s: number) => new Date(T0 + s * 1000);
    const raw = (s: number) =>
      makeRecord({
        time: at(s),
        region: 'us-east-1',
        identity: inv,
        eventSource: 'iam.amazonaws.com',
        eventName: 'ListRoles',
      });
    const classifier = new EventClassifier();
    const events = [raw(100), raw(420)].map((r) => toCloudTrailEvent(r, classifier) as CloudTrailEvent);
    const rec = (s: number) => ({ timestamp: at(s).toISOString(), service: 'iam', operation: 'ListRoles' });
    // 100 s is 60 s from both 40 and 160; 420 s is 260 s from 160 (within 5 min) and 380 s from 40 (not).
    const a = findWritesByPrincipal(events, inv.arn, { audit: [rec(160), rec(40)], toleranceMs: TOLERANCE });
    expect(a.correlation).toMatchObject({ matched: 1 });
    expect(a.correlation!.unrecorded.map((e) => e.eventTime)).toEqual(['2026-11-20T00:07:00.000Z']);
    const b = findWritesByPrincipal(events, inv.arn, { audit: [rec(40), rec(160)], toleranceMs: TOLERANCE });
    expect(b.correlation).toMatchObject({ matched: 2, unrecorded: [] });
  });
});
