import { describe, expect, it } from 'vitest';
import { backgroundRecords } from '../../scripts/trailFixtures.mjs';
import { LookupEventsReader } from '../../src/cloudtrail/index.js';
import { ProductionSafetyMonitor } from '../../src/monitor/index.js';
import { cloudTrailHandler, type CloudTrailRecord } from '../support/aws/cloudtrail.js';
import { clientConfig, startAwsServer } from '../support/awsServer.js';

describe('ProductionSafetyMonitor.integrateCloudtrailEvents (the seed method)', () => {
  it('reads every event of the window through LookupEvents, and nothing when CloudTrail is disabled', async () => {
    // Prepare: 120 events in the last hour, served by the loopback CloudTrail (3 pages of 50).
    const end = new Date();
    const start = new Date(end.getTime() - 3_600_000);
    const events = backgroundRecords(120, {
      start: new Date(start.getTime() + 1000),
      end: new Date(end.getTime() - 1000),
      region: 'us-east-1',
      seed: 9,
    }) as CloudTrailRecord[];
    const server = await startAwsServer({
      handlers: [cloudTrailHandler({ events: { 'us-east-1': events } })],
      defaults: false,
    });
    try {
      const reader = new LookupEventsReader({
        regions: ['us-east-1'],
        clientConfig: clientConfig(server),
        now: () => end,
      });
      // Act
      const got = await new ProductionSafetyMonitor({ enableCloudtrail: true }).integrateCloudtrailEvents(
        start,
        end,
        undefined,
        reader,
      );
      const none = await new ProductionSafetyMonitor({ enableCloudtrail: false }).integrateCloudtrailEvents(
        start,
        end,
        undefined,
        reader,
      );
      // Assess
      expect(got.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventID).sort());
      expect(got[0]).toHaveProperty('userIdentity');
      expect(none).toEqual([]);
      expect(server.count()).toBe(3);
    } finally {
      await server.close();
    }
  });
});
