import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backgroundRecords, IDENTITIES, makeRecord, trailKey } from '../../scripts/trailFixtures.mjs';
import { LocalTrailStore, PrincipalAnalyzer, TrailFileReader } from '../../src/cloudtrail/index.js';
import { eventTimeMs } from '../../src/cloudtrail/trailSelect.js';
import { writeLocalTrail, type TrailFile } from '../support/trails.js';

// A scan with the analyzer's own selection counts the principal's reads where the file is read and builds
// objects only for its writes and unclassifiable events: the analysis must be the one built from every event.
describe('the events an analysis needs', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'inventag-selection-'));
    const files: TrailFile[] = [];
    for (let n = 1; n <= 30; n++) {
      const start = new Date(Date.UTC(2024, 4, 1 + (n % 3), n));
      const records: Record<string, unknown>[] = backgroundRecords(80, {
        start,
        end: new Date(start.getTime() + 600_000),
        region: 'us-east-1',
        seed: n,
      });
      const extra = (identity: (typeof IDENTITIES)['inventory'], eventSource: string, eventName: string) =>
        makeRecord({
          time: new Date(start.getTime() + 1000 * n),
          region: 'us-east-1',
          identity,
          eventSource,
          eventName,
        });
      if (n % 4 === 0) records.push(extra(IDENTITIES.inventory, 'ec2.amazonaws.com', 'TerminateInstances'));
      if (n % 5 === 0) {
        const odd = extra(IDENTITIES.inventory, 'quuxlet.amazonaws.com', 'Quuxify');
        delete odd.readOnly;
        records.push(odd);
      }
      if (n % 3 === 0) records.push({ ...extra(IDENTITIES.deploy, 'kms.amazonaws.com', 'Decrypt'), readOnly: true });
      if (n === 7) records.push({ eventName: 'ListBuckets', eventSource: 's3.amazonaws.com', eventTime: 'soon' });
      files.push({ key: trailKey({ region: 'us-east-1', time: start, uniq: `s${n}` }), records });
    }
    writeLocalTrail(root, files);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const principals = [
    IDENTITIES.inventory.arn,
    'arn:aws:iam::123456789012:role/InventoryReadOnly',
    'arn:aws:sts::123456789012:assumed-role/DeployRole',
    'ASIAEXAMPLEDEPLOYKEY',
  ];

  test.each(principals)('%s: counted reads give the analysis of every event built', async (principal) => {
    const window = { start: new Date('2024-05-01T05:00:00Z'), end: new Date('2024-05-03T20:00:00Z') };
    const everyEvent = new PrincipalAnalyzer(principal, { keepEventsForCorrelation: false });
    const all = await new TrailFileReader(new LocalTrailStore(root), window).scan((e) => everyEvent.add(e));
    const counted = new PrincipalAnalyzer(principal, { keepEventsForCorrelation: false });
    expect(counted.selection()).toEqual({ principal, principalReadsCounted: true });
    let built = 0;
    const some = await new TrailFileReader(new LocalTrailStore(root), {
      ...window,
      select: counted.selection(),
      onSkipped: (s) => counted.addSkipped(s),
    }).scan((e) => {
      built++;
      counted.add(e);
    });
    const a = everyEvent.result();
    expect(counted.result()).toEqual(a);
    expect(a.principalEvents).toBeGreaterThan(0);
    // Only what is reported became an object.
    expect(built).toBe(a.writes.length + a.unclassified.length);
    const { durationMs: _a, ...allSummary } = all;
    const { durationMs: _b, ...someSummary } = some;
    expect(someSummary).toEqual(allSummary);
    expect(some.problems).toEqual([expect.objectContaining({ kind: 'malformed-records' })]);
  });

  test('an analysis that keeps events for correlation gets all of the principal’s', () => {
    const p = IDENTITIES.inventory.arn;
    expect(new PrincipalAnalyzer(p).selection()).toEqual({ principal: p, principalReadsCounted: false });
  });
});

describe('eventTimeMs', () => {
  test('is Date.parse for CloudTrail times, odd dates and strings that are no date', () => {
    const samples = [
      '2024-05-01T00:00:00Z',
      '1999-12-31T23:59:59Z',
      '2024-02-29T12:00:00Z',
      '2023-02-29T12:00:00Z',
      '2024-02-31T00:00:00Z',
      '2024-04-31T10:00:00Z',
      '2024-05-01T24:00:00Z',
      '2024-05-01T23:60:00Z',
      '2024-05-01T23:59:60Z',
      '2024-13-01T00:00:00Z',
      '2024-00-01T00:00:00Z',
      '2024-05-00T00:00:00Z',
      '0999-05-01T00:00:00Z',
      '0099-05-01T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '+002024-05-01T00:00:00Z',
      '2024-05-01T00:00:00z',
      '2024-05-01t00:00:00Z',
      '2024-05-01T00:00:00.123Z',
      '2024-05-01T00:00:00+02:00',
      '2024-05-01 00:00:00Z',
      '2024-05-01T00:00:0aZ',
      '2024-05-01T0:00:00ZZ',
      '20x4-05-01T00:00:00Z',
      '2024-05-01',
      'May 1, 2024',
      '',
      'soon',
    ];
    // And random CloudTrail-shaped strings with every digit in every place.
    let seed = 7;
    const digit = () => String((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 10);
    for (let i = 0; i < 5000; i++) samples.push('YYYY-MM-DDTHH:MM:SSZ'.replace(/[YMDHS]/g, digit));
    for (const s of samples) expect([s, eventTimeMs(s)]).toEqual([s, Date.parse(s)]);
  });
});
