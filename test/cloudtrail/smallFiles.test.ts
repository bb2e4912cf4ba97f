import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backgroundRecords, IDENTITIES, makeRecord, trailKey } from '../../scripts/trailFixtures.mjs';
import {
  LocalTrailStore,
  PrincipalAnalyzer,
  TrailFileReader,
  type CloudTrailEvent,
  type TrailObject,
  type TrailStore,
} from '../../src/cloudtrail/index.js';
import { runCli } from '../support/cli.js';
import { writeLocalTrail, type TrailFile } from '../support/trails.js';

// A local trail's small files are read whole and inflated in one call; anything unusual (damaged, too large,
// missing) is streamed as before. Whatever path a file takes, the scan must find the same events, count the
// same and report the same problems as a scan that streams every file.
const PRINCIPAL = IDENTITIES.inventory.arn;
const T0 = Date.UTC(2024, 4, 1, 0);
const at = (min: number): Date => new Date(T0 + min * 60_000);
const key = (uniq: string, min: number): string => trailKey({ region: 'us-east-1', time: at(min), uniq });
const read = (min: number) =>
  makeRecord({
    time: at(min),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
  });
const write = (min: number, eventName: string) =>
  makeRecord({
    time: at(min),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName,
    readOnly: false,
  });

/** 150 sound files (some with the principal's writes) and one of each kind of damage. */
function trail(): { files: TrailFile[]; damaged: string[] } {
  const files: TrailFile[] = [];
  for (let i = 0; i < 150; i++) {
    const records: unknown[] = backgroundRecords(12, {
      start: at(i * 10),
      end: at(i * 10 + 9),
      region: 'us-east-1',
      seed: i,
    });
    if (i % 25 === 0) records.push(write(i * 10 + 5, 'CreateTags'));
    files.push({ key: key(`ok${i}`, i * 10), records });
  }
  const body = (records: unknown[]) => JSON.stringify({ Records: records });
  const whole = gzipSync(
    body([
      write(3, 'DeleteVolume'),
      ...backgroundRecords(300, { start: at(0), end: at(9), region: 'us-east-1', seed: 900 }),
    ]),
  );
  const damaged: TrailFile[] = [
    { key: key('cut', 1), raw: whole.subarray(0, Math.floor(whole.length * 0.6)) },
    { key: key('notgzip', 2), raw: Buffer.from(body([write(4, 'RunInstances')])) },
    { key: key('empty', 3), raw: Buffer.alloc(0) },
    { key: key('badcrc', 4), raw: Buffer.concat([whole.subarray(0, whole.length - 8), Buffer.alloc(8, 0xff)]) },
    {
      key: key('trailing', 5),
      raw: Buffer.concat([gzipSync(body([write(6, 'StopInstances')])), Buffer.from('garbage')]),
    },
    { key: key('bomb', 6), raw: gzipSync(Buffer.alloc(3 * 2 ** 20, 0x20)) },
  ];
  // Read whole and inflated in one call, like the sound files, though not sound themselves.
  const parsedOnly: TrailFile[] = [
    {
      key: key('twomembers', 7),
      raw: Buffer.concat([gzipSync('{"Records":[' + JSON.stringify(write(8, 'StartInstances'))), gzipSync(']}')]),
    },
    {
      key: key('badjson', 8),
      raw: gzipSync(body([write(9, 'RebootInstances')]).replace(/\]\}$/, ',{"eventName": x}]}')),
    },
    { key: key('malformed', 9), raw: gzipSync(body([{ eventName: 'DescribeInstances' }, write(10, 'CreateVolume')])) },
    { key: key('norecords', 10), raw: gzipSync('{"records":[]}') },
    {
      key: key('utf8', 11),
      raw: gzipSync(body([{ ...write(12, 'CreateTags'), requestParameters: { tag: 'café ☕' } }])),
    },
  ];
  files.push(...damaged, ...parsedOnly);
  return { files, damaged: damaged.map((f) => f.key) };
}

/** The same directory without `readSmall`: every file streamed, as before the fast path. */
function streamingOnly(store: LocalTrailStore): TrailStore {
  return {
    location: store.location,
    rootSegments: store.rootSegments,
    list: (prefix) => store.list(prefix),
    open: (object) => store.open(object),
    check: () => store.check(),
  };
}

/** A local store that counts the files it streams. */
class CountingStore extends LocalTrailStore {
  streamed: string[] = [];
  override open(object: TrailObject) {
    this.streamed.push(object.key);
    return super.open(object);
  }
}

async function scan(store: TrailStore, options: ConstructorParameters<typeof TrailFileReader>[1] = {}) {
  const analyzer = new PrincipalAnalyzer(PRINCIPAL);
  const events: CloudTrailEvent[] = [];
  const {
    durationMs: _d,
    peakBufferedBytes: _p,
    ...summary
  } = await new TrailFileReader(store, {
    maxFileBytes: 2 ** 20,
    ...options,
  }).scan((e) => {
    analyzer.add(e);
    events.push(e);
  });
  const ids = events.map((e) => `${e.eventId} ${e.eventName}`).sort();
  return { summary, analysis: analyzer.result(), ids };
}

describe('small local trail files read whole', () => {
  let root: string;
  let damaged: string[];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'inventag-small-files-'));
    const t = trail();
    damaged = t.damaged;
    writeLocalTrail(join(root, 'trail'), t.files);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('the same events, counts and problems as streaming every file; only the damaged files are streamed', async () => {
    const store = new CountingStore(join(root, 'trail'));
    const fast = await scan(store);
    const streamed = await scan(streamingOnly(new LocalTrailStore(join(root, 'trail'))));
    expect(fast).toEqual(streamed);
    expect(store.streamed.sort()).toEqual([...damaged].sort());
    expect(fast.summary).toMatchObject({ filesRead: 152, filesCorrupt: 9, complete: false });
    expect(fast.analysis.writes.map((w) => w.eventName).sort()).toEqual([
      ...Array<string>(7).fill('CreateTags'),
      'CreateVolume',
      'DeleteVolume',
      'DeleteVolume',
      'RebootInstances',
      'StartInstances',
    ]);
  });

  test('with the principal selected, as inventag check scans: the same as streaming', async () => {
    const select = { select: { principal: PRINCIPAL } };
    const fast = await scan(new LocalTrailStore(join(root, 'trail')), select);
    const streamed = await scan(streamingOnly(new LocalTrailStore(join(root, 'trail'))), select);
    expect(fast).toEqual(streamed);
    expect(fast.analysis.writes.length).toBe(12);
  });

  test('a damaged file among 200 is still named, and the check is INCONCLUSIVE', async () => {
    const evidence = join(root, 'evidence');
    cpSync(
      fileURLToPath(new URL('../../examples/demo/identity.json', import.meta.url)),
      join(evidence, 'identity.json'),
    );
    const files: TrailFile[] = [];
    for (let i = 0; i < 200; i++) {
      const records: unknown[] = backgroundRecords(10, {
        start: at(i * 10),
        end: at(i * 10 + 9),
        region: 'us-east-1',
        seed: i,
      });
      records.push(read(i * 10 + 3));
      const raw = gzipSync(JSON.stringify({ Records: records }));
      files.push({ key: key(`f${i}`, i * 10), raw: i === 150 ? raw.subarray(0, raw.length >> 1) : raw });
    }
    writeLocalTrail(join(evidence, 'cloudtrail'), files);
    const cut = join(evidence, 'cloudtrail', ...key('f150', 1500).split('/'));
    const r = await runCli([
      'check',
      '--evidence',
      evidence,
      '--format',
      'json',
      '--out',
      join(root, 'out'),
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(root, 'out', 'inventag-report.json'), 'utf8'));
    expect(report.complianceStatus.verdict).toBe('INCONCLUSIVE');
    const incomplete = report.findings.find((f: { code: string }) => f.code === 'evidence-incomplete');
    expect(incomplete.description.startsWith(`${cut}: cut short`), incomplete.description).toBe(true);
    expect(report.sections.cloudtrail.status).toBe('NOT_EVALUATED');
    expect(report.sections.cloudtrail.facts).toMatchObject({ filesRead: 199, filesCorrupt: 1 });
  });
});
