import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backgroundRecords, IDENTITIES, makeRecord, trailKey } from '../../scripts/trailFixtures.mjs';
import {
  LocalTrailStore,
  LookupEventsReader,
  PrincipalAnalyzer,
  TrailFileReader,
  type CloudTrailEvent,
} from '../../src/cloudtrail/index.js';
import { jsonResult } from '../support/aws/protocol.js';
import { clientConfig, startAwsServer } from '../support/awsServer.js';
import { runCli } from '../support/cli.js';
import { writeLocalTrail, type TrailFile } from '../support/trails.js';

const PRINCIPAL = IDENTITIES.inventory.arn;
const T0 = new Date('2024-05-01T10:00:00Z');
const at = (min: number): Date => new Date(T0.getTime() + min * 60_000);
const write = (min: number, name: string) =>
  makeRecord({
    time: at(min),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: name,
    readOnly: false,
  });
const read = (min: number) =>
  makeRecord({
    time: at(min),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
  });
const key = (uniq: string, min = 0): string => trailKey({ region: 'us-east-1', time: at(min), uniq });
const background = (n: number, seed: number) =>
  backgroundRecords(n, { start: at(0), end: at(50), region: 'us-east-1', seed });

async function scan(root: string, options: ConstructorParameters<typeof TrailFileReader>[1] = {}) {
  const analyzer = new PrincipalAnalyzer(PRINCIPAL);
  const events: CloudTrailEvent[] = [];
  const summary = await new TrailFileReader(new LocalTrailStore(root), options).scan((e) => {
    analyzer.add(e);
    events.push(e);
  });
  return { summary, analysis: analyzer.result(), events };
}

describe('trail files that cannot be read completely', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-incomplete-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a cut-short file: the records before the cut are read (a write among them found), and the read is incomplete', async () => {
    const root = join(dir, 'cut');
    const records = [write(1, 'CreateTags'), ...background(400, 3)];
    const whole = gzipSync(JSON.stringify({ Records: records }));
    writeLocalTrail(root, [{ key: key('cut'), raw: whole.subarray(0, Math.floor(whole.length * 0.6)) }]);
    const { summary, analysis } = await scan(root);
    expect(analysis.writes.map((w) => w.eventName)).toEqual(['CreateTags']);
    expect(summary.complete).toBe(false);
    expect(summary.filesRead).toBe(0);
    expect(summary.problems).toHaveLength(1);
    const p = summary.problems[0]!;
    expect(p).toMatchObject({ kind: 'truncated', location: join(root, ...key('cut').split('/')) });
    expect(p.recordsRead).toBeGreaterThan(10);
    expect(p.recordsRead).toBeLessThan(records.length);
    expect(p.reason).toMatch(/cut short \(unexpected end of file\): \d+ record\(s\) before the damage were read/);
  });

  test('one malformed record is skipped and counted; the other records of its file are read', async () => {
    const root = join(dir, 'malformed');
    const broken = { eventName: 'DescribeInstances', eventSource: 'ec2.amazonaws.com' };
    writeLocalTrail(root, [{ key: key('bad'), records: [read(1), broken, write(2, 'DeleteVolume'), read(3)] }]);
    const { summary, analysis } = await scan(root);
    expect(analysis.writes.map((w) => w.eventName)).toEqual(['DeleteVolume']);
    expect(summary.records).toBe(3);
    expect(summary.complete).toBe(false);
    expect(summary.problems).toEqual([
      expect.objectContaining({ kind: 'malformed-records', records: 1, recordsRead: 3 }),
    ]);
    expect(summary.problems[0]!.reason).toMatch(/1 malformed record\(s\) skipped \(first: Records\[1\]: .*eventTime/);
  });

  test('JSON damaged part way: the records before the damage are read', async () => {
    const root = join(dir, 'damaged');
    const text = JSON.stringify({ Records: [write(1, 'CreateTags'), read(2)] }).replace(/\]\}$/, ',{"eventName": x}]}');
    writeLocalTrail(root, [{ key: key('damaged'), raw: gzipSync(text) }]);
    const { summary, analysis } = await scan(root);
    expect(analysis.writes.map((w) => w.eventName)).toEqual(['CreateTags']);
    expect(summary.problems).toEqual([
      expect.objectContaining({ kind: 'malformed-records', recordsRead: 2, records: 1 }),
    ]);
  });

  test('gzip bombs read at once share one decompression budget; the real files are still read', async () => {
    const root = join(dir, 'bombs');
    const bomb = gzipSync(Buffer.alloc(12 * 2 ** 20, 0x20));
    const files: TrailFile[] = [];
    for (let i = 0; i < 8; i++) files.push({ key: key(`bomb${i}`, i), raw: bomb });
    for (let i = 0; i < 4; i++) files.push({ key: key(`real${i}`, 10 + i), records: background(50, 10 + i) });
    writeLocalTrail(root, files);
    const budget = 24 * 2 ** 20;
    const { summary } = await scan(root, { concurrency: 8, maxFileBytes: 16 * 2 ** 20, maxTotalBytes: budget });
    expect(summary.peakBufferedBytes).toBeLessThanOrEqual(budget);
    expect(summary.filesRead).toBe(4);
    expect(summary.records).toBe(200);
    expect(summary.problems.map((p) => p.location.split('_').at(-1)).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `bomb${i}.json.gz`),
    );
    expect(summary.problems.every((p) => p.kind === 'unreadable')).toBe(true);
  });

  test('cloudtrail scan --principal never says "no write" on incomplete evidence (exit 1), and names the file', async () => {
    const root = join(dir, 'cli');
    const whole = gzipSync(JSON.stringify({ Records: [read(1), ...background(400, 5)] }));
    writeLocalTrail(root, [
      { key: key('fine'), records: [read(2)] },
      { key: key('cut', 5), raw: whole.subarray(0, Math.floor(whole.length / 2)) },
    ]);
    const run = await runCli(['cloudtrail', 'scan', root, '--principal', PRINCIPAL]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(/no write by the principal in the window/);
    expect(run.stdout).toMatch(/Result: INCONCLUSIVE/);
    expect(run.stderr).toMatch(/cut\.json\.gz: cut short/);
    const json = await runCli(['cloudtrail', 'scan', root, '--principal', PRINCIPAL, '--json']);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out.summary.complete).toBe(false);
    expect(out.result).toBe('INCONCLUSIVE');
    expect(out.summary.problems[0]).toMatchObject({ kind: 'truncated' });
  });

  test('control characters from trail fields never reach the terminal raw', async () => {
    const root = join(dir, 'escape');
    const hostile = write(1, 'CreateTags');
    hostile.eventName = 'CreateTags\u001b]0;owned\u0007\r\u001b[32mResult: no write by the principal\u001b[0m';
    hostile.errorCode = 'X\u001b]8;;http://evil/\u001b\\link';
    writeLocalTrail(root, [{ key: key('esc'), records: [hostile] }]);
    const run = await runCli(['cloudtrail', 'scan', root, '--principal', PRINCIPAL], { env: { NO_COLOR: '1' } });
    expect(run.code).toBe(1);
    const out = run.stdout + run.stderr;
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(run.stdout).toMatch(/CreateTags\\u001b\]0;owned\\u0007\\u000d\\u001b\[32mResult/);
    const plain = await runCli(['cloudtrail', 'scan', root]);
    // eslint-disable-next-line no-control-regex
    expect(plain.stdout + plain.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});

test('a LookupEvents server that hands back the same NextToken forever is detected, not looped on', async () => {
  const server = await startAwsServer({
    defaults: false,
    handlers: [
      {
        name: 'stuck-lookup',
        matches: (req) => req.service === 'cloudtrail' && req.operation === 'LookupEvents',
        handle: (req) => jsonResult(req, { Events: [], NextToken: 'always-the-same' }),
      },
    ],
  });
  try {
    const reader = new LookupEventsReader({
      regions: ['us-east-1'],
      clientConfig: clientConfig(server),
      now: () => new Date('2024-05-01T12:00:00Z'),
    });
    await expect(reader.read(new Date('2024-05-01T11:00:00Z'), new Date('2024-05-01T12:00:00Z'))).rejects.toThrow(
      /us-east-1.*same NextToken/,
    );
    expect(server.count({ operation: 'LookupEvents' })).toBe(2);
  } finally {
    await server.close();
  }
});
