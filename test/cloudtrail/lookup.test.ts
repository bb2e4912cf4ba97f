import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cloudTrailHandler, type CloudTrailRecord } from '../support/aws/cloudtrail.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { backgroundRecords, IDENTITIES, makeRecord } from '../../scripts/trailFixtures.mjs';
import {
  integrateCloudtrailEvents,
  isCloudTrailError,
  LookupEventsReader,
  type LookupProgress,
} from '../../src/cloudtrail/index.js';

const NOW = new Date();
const START = new Date(NOW.getTime() - 6 * 3_600_000);
const REGIONS = ['us-east-1', 'eu-west-1'];

function regionEvents(region: string, count: number, seed: number): CloudTrailRecord[] {
  return backgroundRecords(count, {
    start: new Date(START.getTime() + 1000),
    end: new Date(NOW.getTime() - 60_000),
    region,
    seed,
  });
}

const EVENTS: Record<string, CloudTrailRecord[]> = {
  'us-east-1': regionEvents('us-east-1', 1000, 1),
  'eu-west-1': regionEvents('eu-west-1', 1000, 2),
};
const ALL_IDS = Object.values(EVENTS)
  .flat()
  .map((e) => e.eventID)
  .sort();

/** The largest number of a region's requests the server saw within any one second. */
function maxPerSecond(server: AwsTestServer, region: string): number {
  const times = server.requests
    .filter((r) => r.service === 'cloudtrail' && r.region === region)
    .map((r) => r.time)
    .sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

function reader(
  server: AwsTestServer,
  extra: Partial<ConstructorParameters<typeof LookupEventsReader>[0]> = {},
): LookupEventsReader {
  return new LookupEventsReader({ regions: REGIONS, clientConfig: clientConfig(server), now: () => NOW, ...extra });
}

describe.concurrent('LookupEvents paging and pacing', () => {
  test('reads 2,000 events over 40 pages, at most 2 requests in any second per region, never throttled by a 2/s quota', async () => {
    // Prepare: the server throttles like AWS when a region sees a third request within one second.
    const server = await startAwsServer({
      handlers: [cloudTrailHandler({ events: EVENTS, quotaPerSecond: 2 })],
      defaults: false,
    });
    try {
      const progress: LookupProgress[] = [];
      // Act
      const result = await reader(server, { onProgress: (p) => progress.push(p) }).read(START, NOW);
      // Assess
      expect(result.events.map((e) => e.eventId).sort()).toEqual(ALL_IDS);
      expect(result.pages).toBe(40);
      expect(server.count({ service: 'cloudtrail', operation: 'LookupEvents' })).toBe(40);
      for (const region of REGIONS) expect(maxPerSecond(server, region)).toBeLessThanOrEqual(2);
      expect(result.throttled).toBe(0);
      for (const r of server.requests) expect(JSON.parse(r.body).MaxResults).toBe(50);
      expect(progress).toHaveLength(40);
      expect(progress.at(-1)).toMatchObject({ events: 2000, pages: 40, fractionDone: 1 });
      expect(progress[0]!.etaMs).toBeGreaterThan(0);
      expect(result.events.every((e, i, all) => i === 0 || all[i - 1]!.eventTime <= e.eventTime)).toBe(true);
    } finally {
      await server.close();
    }
  });

  test('survives injected throttling with the same result as without it', async () => {
    const plain = await startAwsServer({ handlers: [cloudTrailHandler({ events: EVENTS })], defaults: false });
    const faulty = await startAwsServer({ handlers: [cloudTrailHandler({ events: EVENTS })], defaults: false });
    try {
      const fault = faulty.inject({ kind: 'throttle', service: 'cloudtrail', times: 6 });
      const [clean, throttled] = await Promise.all([
        reader(plain).read(START, NOW),
        reader(faulty, { backoffBaseMs: 100 }).read(START, NOW),
      ]);
      expect(fault.hits).toBe(6);
      expect(throttled.throttled).toBe(6);
      expect(faulty.count({ service: 'cloudtrail' })).toBe(46);
      expect(JSON.stringify(throttled.events)).toBe(JSON.stringify(clean.events));
      expect(clean.events).toHaveLength(2000);
      for (const region of REGIONS) expect(maxPerSecond(faulty, region)).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all([plain.close(), faulty.close()]);
    }
  });
});

describe('LookupEvents requests and refusals', () => {
  let server: AwsTestServer;
  const planted = makeRecord({
    time: new Date(NOW.getTime() - 3_600_000),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTags',
    readOnly: false,
  });
  beforeAll(async () => {
    server = await startAwsServer({
      handlers: [
        cloudTrailHandler({
          events: { 'us-east-1': [...regionEvents('us-east-1', 60, 3), planted] },
        }),
      ],
      defaults: false,
    });
  });
  afterAll(() => server.close());

  test('sends the most selective attribute to AWS and applies the others itself', async () => {
    server.reset();
    const r = new LookupEventsReader({ regions: ['us-east-1'], clientConfig: clientConfig(server), now: () => NOW });
    const events = await integrateCloudtrailEvents(r, START, NOW, {
      eventName: 'CreateTags',
      readOnly: false,
      accessKeyId: IDENTITIES.inventory.accessKeyId,
    });
    expect(events.map((e) => e.eventId)).toEqual([planted.eventID]);
    expect(events[0]!.verdict).toMatchObject({
      iamAction: 'ec2:CreateTags',
      operationType: 'mutating',
      agreement: 'agree',
      isWrite: true,
    });
    const sent = server.requests.map((q) => JSON.parse(q.body).LookupAttributes);
    expect(sent.length).toBeGreaterThan(0);
    for (const s of sent)
      expect(s).toEqual([{ AttributeKey: 'AccessKeyId', AttributeValue: IDENTITIES.inventory.accessKeyId }]);
  });

  test('refuses a window older than 90 days and points at the trail files', async () => {
    const r = new LookupEventsReader({ regions: ['us-east-1'], clientConfig: clientConfig(server), now: () => NOW });
    const old = new Date(NOW.getTime() - 91 * 86_400_000);
    await expect(r.read(old, NOW)).rejects.toThrow(/keeps 90 days.*inventag cloudtrail scan s3:\/\//);
    await expect(r.read(NOW, START)).rejects.toThrow(/is before the start/);
    await expect(r.read(START, NOW, { eventName: '' })).rejects.toThrow(/"eventName" must be a non-empty string/);
    await expect(r.read(START, NOW, { colour: 'red' } as never)).rejects.toThrow(
      /unknown lookup attribute "colour"; allowed: eventId, accessKeyId/,
    );
    expect(() => new LookupEventsReader({ ratePerSecond: 5 })).toThrow(/at most 2/);
    expect(() => new LookupEventsReader({ regions: ['mars'] })).toThrow(/not an AWS region/);
  });

  test('names the permission when AWS denies LookupEvents', async () => {
    server.reset();
    server.inject({ kind: 'error', status: 400, code: 'AccessDeniedException', service: 'cloudtrail' });
    const r = new LookupEventsReader({ regions: ['us-east-1'], clientConfig: clientConfig(server), now: () => NOW });
    const err = await r.read(START, NOW).catch((e: unknown) => e);
    expect(isCloudTrailError(err)).toBe(true);
    expect(err).toMatchObject({ kind: 'aws', code: 'AccessDeniedException', region: 'us-east-1' });
    expect((err as Error).message).toMatch(/cloudtrail:LookupEvents/);
    expect(server.count()).toBe(1);
    server.clearFaults();
  });

  test('gives up after maxAttempts when throttling never stops', async () => {
    server.reset();
    server.inject({ kind: 'throttle', service: 'cloudtrail' });
    const r = new LookupEventsReader({
      regions: ['us-east-1'],
      clientConfig: clientConfig(server),
      now: () => NOW,
      maxAttempts: 3,
      backoffBaseMs: 10,
    });
    await expect(r.read(START, NOW)).rejects.toThrow(/still throttled after 3 attempts/);
    expect(server.count()).toBe(3);
    server.clearFaults();
  });
});
