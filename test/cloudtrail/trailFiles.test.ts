import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  backgroundRecords,
  DEMO_ACCOUNT,
  DEMO_ORG,
  IDENTITIES,
  makeRecord,
  trailKey,
} from '../../scripts/trailFixtures.mjs';
import {
  type CloudTrailEvent,
  findTrailFiles,
  isCloudTrailError,
  LocalTrailStore,
  PrincipalAnalyzer,
  S3TrailStore,
  TrailFileReader,
  type TrailStore,
} from '../../src/cloudtrail/index.js';
import { startS3rver, writeLocalTrail, type S3rverHandle, type TrailFile } from '../support/trails.js';

const PRINCIPAL = IDENTITIES.inventory.arn;
const OTHER_ACCOUNT = '210987654321';
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const WINDOW = { start: new Date('2024-05-01T00:00:00Z'), end: new Date('2024-05-03T23:59:59Z') };

function at(day: string, hhmm: string): Date {
  return new Date(`${day}T${hhmm}:00Z`);
}

/** Background files for every day and region, the planted writes, and noise outside the window. */
function scenario(): { files: TrailFile[]; planted: string[]; outside: string } {
  const files: TrailFile[] = [];
  let seed = 10;
  for (const day of DAYS) {
    for (const region of REGIONS) {
      for (const hour of ['06', '18']) {
        const start = at(day, `${hour}:00`);
        const records = backgroundRecords(150, {
          start,
          end: new Date(start.getTime() + 3_600_000),
          region,
          seed: seed++,
        });
        files.push({ key: trailKey({ region, time: start, uniq: `bg${seed}` }), records });
      }
    }
  }
  const write = (day: string, region: string, source: string, name: string, extra: Record<string, unknown> = {}) =>
    makeRecord({
      time: at(day, '12:34'),
      region,
      identity: IDENTITIES.inventory,
      eventSource: source,
      eventName: name,
      readOnly: false,
      ...extra,
    });
  const w1 = write('2024-05-01', 'us-east-1', 'ec2.amazonaws.com', 'CreateTags');
  const w2 = write('2024-05-02', 'eu-west-1', 's3.amazonaws.com', 'PutBucketTagging');
  const w3 = write('2024-05-03', 'us-east-1', 'ssm.amazonaws.com', 'PutParameter', { errorCode: 'AccessDenied' });
  // Organization-trail layout, a second account's folder holding a session of the same role.
  const w4 = makeRecord({
    time: at('2024-05-02', '08:00'),
    region: 'eu-west-1',
    identity: IDENTITIES.inventory,
    eventSource: 'iam.amazonaws.com',
    eventName: 'AttachRolePolicy',
  });
  const before = write('2024-04-28', 'us-east-1', 'ec2.amazonaws.com', 'StopInstances');
  const read = makeRecord({
    time: at('2024-05-01', '12:35'),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
  });
  const otherWrite = makeRecord({
    time: at('2024-05-01', '12:36'),
    region: 'us-east-1',
    identity: IDENTITIES.deploy,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
  });
  files.push({
    key: trailKey({ region: 'us-east-1', time: at('2024-05-01', '12:40'), uniq: 'w1' }),
    records: [read, w1, otherWrite],
  });
  files.push({ key: trailKey({ region: 'eu-west-1', time: at('2024-05-02', '12:40'), uniq: 'w2' }), records: [w2] });
  // Delivered after midnight, into the next day's folder: still found.
  files.push({ key: trailKey({ region: 'us-east-1', time: at('2024-05-04', '00:05'), uniq: 'w3' }), records: [w3] });
  files.push({
    key: trailKey({
      account: OTHER_ACCOUNT,
      org: DEMO_ORG,
      region: 'eu-west-1',
      time: at('2024-05-02', '08:05'),
      uniq: 'w4',
    }),
    records: [w4],
  });
  files.push({
    key: trailKey({ region: 'us-east-1', time: at('2024-04-28', '12:40'), uniq: 'old' }),
    records: [before],
  });
  // Not trail logs: digests and a stray file outside the layout.
  files.push({ key: `AWSLogs/${DEMO_ACCOUNT}/CloudTrail-Digest/us-east-1/2024/05/01/digest.json.gz`, records: [w1] });
  return { files, planted: [w1.eventID, w2.eventID, w3.eventID, w4.eventID].sort(), outside: before.eventID };
}

const CORRUPT: TrailFile[] = [
  {
    key: trailKey({ region: 'us-east-1', time: at('2024-05-02', '03:00'), uniq: 'truncated' }),
    raw: gzipSync(
      JSON.stringify({
        Records: backgroundRecords(20, {
          start: at('2024-05-02', '03:00'),
          end: at('2024-05-02', '04:00'),
          region: 'us-east-1',
        }),
      }),
    ).subarray(0, 900),
  },
  {
    key: trailKey({ region: 'us-east-1', time: at('2024-05-02', '03:05'), uniq: 'badjson' }),
    raw: gzipSync('{"Records":[{"eventName": "oops",]}'),
  },
  {
    key: trailKey({ region: 'eu-west-1', time: at('2024-05-02', '03:10'), uniq: 'norecords' }),
    raw: gzipSync('{"logFiles":[]}'),
  },
  {
    key: trailKey({ region: 'eu-west-1', time: at('2024-05-02', '03:15'), uniq: 'badrecord' }),
    records: [{ eventName: 'DescribeInstances', eventSource: 'ec2.amazonaws.com' }],
  },
];

async function scan(store: TrailStore, options: ConstructorParameters<typeof TrailFileReader>[1] = {}) {
  const analyzer = new PrincipalAnalyzer(PRINCIPAL);
  const seen: CloudTrailEvent[] = [];
  const summary = await new TrailFileReader(store, { ...WINDOW, ...options }).scan((e) => {
    analyzer.add(e);
    seen.push(e);
  });
  return { summary, analysis: analyzer.result(), seen };
}

describe('trail log files', () => {
  const { files, planted, outside } = scenario();
  let dir: string;
  let s3: S3rverHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-trail-'));
    writeLocalTrail(join(dir, 'local'), [...files, ...CORRUPT]);
    s3 = await startS3rver(join(dir, 's3rver'));
    await s3.upload(
      'trail-bucket',
      files.map((f) => ({ ...f, key: `org-trail/${f.key}` })),
    );
    await s3.upload('corrupt-bucket', [...files, ...CORRUPT]);
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an S3 scan finds exactly the writes planted for the principal, across days, regions and the org layout', async () => {
    const { summary, analysis } = await scan(
      new S3TrailStore('trail-bucket', 'org-trail/', { clientConfig: s3.config }),
    );
    expect(analysis.writes.map((w) => w.eventId).sort()).toEqual(planted);
    expect(analysis.writes.map((w) => w.eventId)).not.toContain(outside);
    expect(analysis.readOnlyGuaranteeHeld).toBe(false);
    expect(analysis.findings[0]).toMatchObject({ severity: 'CRITICAL', title: 'read-only guarantee broken' });
    expect(analysis.findings[0]!.description).toMatch(/4 call\(s\).*1 of them failed/);
    expect(summary).toMatchObject({ filesRead: 16, filesCorrupt: 0, records: 1806, events: 1806 });
    // Writes by other principals are in the trail but not reported.
    expect(analysis.writes.every((w) => w.principalArn === PRINCIPAL)).toBe(true);
  });

  test('a local directory gives the same answer as S3', async () => {
    const local = await scan(new LocalTrailStore(join(dir, 'local')));
    const remote = await scan(new S3TrailStore('corrupt-bucket', '', { clientConfig: s3.config }));
    expect(local.analysis.writes.map((w) => w.eventId).sort()).toEqual(planted);
    expect(JSON.stringify(local.analysis.writes)).toBe(JSON.stringify(remote.analysis.writes));
    expect(local.summary.corrupt).toEqual(
      remote.summary.corrupt.map((c) => ({
        ...c,
        file: join(dir, 'local', ...c.file.replace('s3://corrupt-bucket/', '').split('/')),
      })),
    );
  });

  test('corrupt files are reported by name and the others are still read', async () => {
    const { summary, analysis } = await scan(new LocalTrailStore(join(dir, 'local')));
    expect(summary.filesRead).toBe(16);
    expect(summary.filesCorrupt).toBe(4);
    const problems = Object.fromEntries(summary.corrupt.map((c) => [c.file.split('_').at(-1), c.problem]));
    expect(problems['truncated.json.gz']).toMatch(
      /cut short \(unexpected end of file\): 1 record\(s\) before the damage were read/,
    );
    expect(summary.complete).toBe(false);
    expect(problems['badjson.json.gz']).toMatch(/invalid JSON/);
    expect(problems['norecords.json.gz']).toMatch(/no "Records" array/);
    expect(problems['badrecord.json.gz']).toMatch(/Records\[0\]: record DescribeInstances has no string "eventTime"/);
    for (const c of summary.corrupt) expect(c.file.startsWith(join(dir, 'local', 'AWSLogs'))).toBe(true);
    expect(analysis.writes).toHaveLength(4);
  });

  test('without a window every day is read; with one, only its day folders are listed', async () => {
    const all = await scan(new LocalTrailStore(join(dir, 'local')), { start: undefined, end: undefined });
    expect(all.analysis.writes.map((w) => w.eventId)).toContain(outside);
    const store = new LocalTrailStore(join(dir, 'local'));
    const listed: string[] = [];
    const spy: TrailStore = {
      location: store.location,
      rootSegments: store.rootSegments,
      check: () => store.check(),
      open: (o) => store.open(o),
      list: (p) => (listed.push(p), store.list(p)),
    };
    const refs = [];
    for await (const f of findTrailFiles(spy, {
      start: at('2024-05-02', '00:00'),
      end: at('2024-05-02', '23:00'),
      regions: ['eu-west-1'],
      accounts: [DEMO_ACCOUNT],
    }))
      refs.push(f);
    expect(new Set(refs.map((r) => r.region))).toEqual(new Set(['eu-west-1']));
    expect(refs.every((r) => r.account === DEMO_ACCOUNT && (r.day === '2024-05-02' || r.day === '2024-05-03'))).toBe(
      true,
    );
    expect(listed.filter((p) => p.includes('/2024/')).sort()).toEqual([
      `AWSLogs/${DEMO_ACCOUNT}/CloudTrail/eu-west-1/2024/05/02/`,
      `AWSLogs/${DEMO_ACCOUNT}/CloudTrail/eu-west-1/2024/05/03/`,
    ]);
  });

  test('a root inside the layout (one region) is recognised', async () => {
    const { analysis } = await scan(
      new LocalTrailStore(join(dir, 'local', 'AWSLogs', DEMO_ACCOUNT, 'CloudTrail', 'eu-west-1')),
    );
    expect(analysis.writes.map((w) => w.eventName)).toEqual(['PutBucketTagging']);
  });

  test('a missing bucket, bad credentials and a missing directory fail with clear messages', async () => {
    const missing = await scan(new S3TrailStore('no-such-bucket', '', { clientConfig: s3.config })).catch(
      (e: unknown) => e,
    );
    expect(isCloudTrailError(missing) && missing.kind).toBe('aws');
    expect((missing as Error).message).toBe('bucket no-such-bucket does not exist (or is in another partition)');
    const denied = await scan(
      new S3TrailStore('trail-bucket', '', {
        clientConfig: { ...s3.config, credentials: { accessKeyId: 'NOTAKEY', secretAccessKey: 'x' } },
      }),
    ).catch((e: unknown) => e);
    expect((denied as Error).message).toMatch(
      /^access denied: s3:ListBucket on s3:\/\/trail-bucket; the identity needs s3:ListBucket/,
    );
    const nodir = await scan(new LocalTrailStore(join(dir, 'nope'))).catch((e: unknown) => e);
    expect(isCloudTrailError(nodir) && nodir.kind).toBe('source');
    expect((nodir as Error).message).toMatch(/trail directory .*nope does not exist/);
  });
});
