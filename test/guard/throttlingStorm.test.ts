/**
 * Throttling is not an outage: a guarded CloudTrail LookupEvents reader keeps
 * its own paced backoff through a throttling storm longer than the guard's
 * breaker threshold, and the lookup completes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backgroundRecords } from '../../scripts/trailFixtures.mjs';
import { LookupEventsReader } from '../../src/cloudtrail/index.js';
import { guardClient } from '../../src/guard/index.js';
import { ProductionSafetyMonitor } from '../../src/monitor/index.js';
import { cloudTrailHandler, type CloudTrailRecord } from '../support/aws/cloudtrail.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { MemoryAudit } from './helpers.js';

const NOW = new Date();
const START = new Date(NOW.getTime() - 3_600_000);
const EVENTS = {
  'us-east-1': backgroundRecords(120, {
    start: new Date(START.getTime() + 1000),
    end: new Date(NOW.getTime() - 60_000),
    region: 'us-east-1',
    seed: 7,
  }) as CloudTrailRecord[],
};

describe('a throttling storm against a guarded LookupEvents reader', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer({ handlers: [cloudTrailHandler({ events: EVENTS })], defaults: false });
  });
  afterAll(() => server.close());

  test.each([
    ['the guard’s own breakers (threshold 5)', () => ({})],
    ['the production monitor’s breakers (threshold 5)', () => ({ monitor: new ProductionSafetyMonitor() })],
  ])('7 throttles in a row, then the lookup completes: %s', async (_name, extra) => {
    // Prepare: 7 throttles (more than the breaker threshold of 5, fewer than the reader's 8 attempts per page).
    server.reset();
    const storm = server.inject({ kind: 'throttle', service: 'cloudtrail', times: 7 });
    const audit = new MemoryAudit();
    const reader = new LookupEventsReader({
      regions: ['us-east-1'],
      clientConfig: clientConfig(server),
      now: () => NOW,
      backoffBaseMs: 5,
      backoffMaxMs: 20,
      prepareClient: (client) => guardClient(client, { audit, ...extra() }),
    });

    // Act
    const result = await reader.read(START, NOW);

    // Assess: every event, every throttled attempt sent (no breaker cut the backoff short), each one audited.
    expect(storm.hits).toBe(7);
    expect(result.throttled).toBe(7);
    expect(result.events).toHaveLength(120);
    expect(result.pages).toBe(3);
    expect(server.count({ service: 'cloudtrail' })).toBe(10);
    expect(audit.entries).toHaveLength(10);
    expect(audit.entries.filter((e) => e.outcome?.errorCode === 'ThrottlingException')).toHaveLength(7);
    expect(audit.entries.every((e) => e.iamAction === 'cloudtrail:LookupEvents')).toBe(true);
  });
});
