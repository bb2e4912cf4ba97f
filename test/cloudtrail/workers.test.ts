import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backgroundRecords, IDENTITIES, makeRecord, trailKey } from '../../scripts/trailFixtures.mjs';
import { WORKER_YOUNG_GENERATION_MB, workerOptions } from '../../src/cloudtrail/scanPool.js';
import { CLI, runCli, runNode, runWithStalledStdout } from '../support/cli.js';
import { writeLocalTrail, type TrailFile } from '../support/trails.js';

// A trail of more than 64 files is read in worker threads (gunzip and JSON.parse on every core), and only the
// events the analysis needs become objects: the principal's writes and unclassifiable events (all of its events
// with --audit), or without --principal every write; the others are counted where they are read. Whatever the
// number of workers, the scan must find the same events, count the same, and report the same damaged files.
const PRINCIPAL = IDENTITIES.inventory.arn;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
/** A file of the trail that is not gzip at all, and one whose gzip trailer (CRC) is wrong. */
const NOT_GZIP = 100;
const BAD_CRC = 120;

function trail(): TrailFile[] {
  const files: TrailFile[] = [];
  let n = 0;
  for (let day = 1; day <= 4; day++)
    for (const region of REGIONS)
      for (let h = 0; h < 12; h++) {
        const start = new Date(Date.UTC(2024, 4, day, h * 2));
        const records: Record<string, unknown>[] = backgroundRecords(60, {
          start,
          end: new Date(start.getTime() + 3_000_000),
          region,
          seed: ++n,
        });
        if (n % 17 === 0)
          records.push(
            makeRecord({
              time: new Date(start.getTime() + 60_000),
              region,
              identity: IDENTITIES.inventory,
              eventSource: 'ec2.amazonaws.com',
              eventName: 'CreateTags',
              readOnly: false,
            }),
          );
        // CloudTrail calls kms:Decrypt read-only; IAM classes it Write: a disagreement, counted over every event.
        if (n % 10 === 0)
          records.push(
            makeRecord({
              time: new Date(start.getTime() + 120_000),
              region,
              identity: IDENTITIES.deploy,
              eventSource: 'kms.amazonaws.com',
              eventName: 'Decrypt',
              readOnly: true,
            }),
          );
        // An event of the principal that neither CloudTrail's flag nor the catalog can call a read: reported,
        // so it must cross back from a worker although the principal's reads are only counted there.
        if (n % 23 === 0) {
          const odd = makeRecord({
            time: new Date(start.getTime() + 180_000),
            region,
            identity: IDENTITIES.inventory,
            eventSource: 'quuxlet.amazonaws.com',
            eventName: 'Quuxify',
          });
          delete odd.readOnly;
          records.push(odd);
        }
        // A malformed record, a file cut short, one not gzip, one with a bad CRC: reported the same way by every reader.
        if (n === 40) records.splice(3, 0, { eventName: 'DescribeInstances', eventSource: 'ec2.amazonaws.com' });
        const key = trailKey({ region, time: start, uniq: `w${n}` });
        const whole = gzipSync(JSON.stringify({ Records: records }));
        if (n === 90) files.push({ key, raw: whole.subarray(0, Math.floor(whole.length * 0.7)) });
        else if (n === NOT_GZIP) files.push({ key, raw: Buffer.from('this is not a gzip file at all, just text\n') });
        else if (n === BAD_CRC) {
          const bad = Buffer.from(whole);
          bad[bad.length - 8] = bad[bad.length - 8]! ^ 0xff;
          files.push({ key, raw: bad });
        } else files.push({ key, records });
      }
  // A digest file lies beside the logs: never read as a log file, by any reader.
  files.push({
    key: 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/05/01/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T010000Z.json.gz',
    raw: Buffer.from('not a log file'),
  });
  return files;
}

interface ScanOut {
  summary: Record<string, unknown> & { durationMs?: number; peakBufferedBytes?: number; problems: unknown[] };
  result?: unknown;
  analysis?: Record<string, unknown>;
  writesByPrincipal?: Record<string, number>;
}

describe('cloudtrail scan with 0, 1 and 2 worker threads', () => {
  let root: string;
  let audit: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'inventag-workers-'));
    writeLocalTrail(root, trail());
    audit = join(root, 'audit.json');
    writeFileSync(
      audit,
      JSON.stringify([
        { timestamp: '2024-05-01T00:10:00Z', service: 'ec2', operation: 'DescribeInstances' },
        { timestamp: '2024-05-02T04:00:00Z', service: 's3', operation: 'ListBuckets' },
      ]),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const scan = async (workers: number, extra: string[], code: number) => {
    const run = await runCli(['cloudtrail', 'scan', root, '--json', '--workers', String(workers), ...extra]);
    expect(run.code, run.stderr).toBe(code);
    const out = JSON.parse(run.stdout) as ScanOut;
    const { durationMs: _d, peakBufferedBytes: _p, ...summary } = out.summary;
    return { ...out, summary };
  };

  test("the library's worker threads leave a piped stdout blocking: a program's writeSync(1) after the scan waits, never fails", async () => {
    // A worker whose stdout is piped into the parent's turns the parent's fd 1 non-blocking; a synchronous write
    // larger than the pipe then fails, or writes only part of its bytes, while the reader is slow.
    const dist = pathToFileURL(resolve('dist/cloudtrail/index.js')).href;
    const program = [
      `const ct = await import(${JSON.stringify(dist)});`,
      `const reader = new ct.TrailFileReader(new ct.LocalTrailStore(${JSON.stringify(root)}), { workers: 2, select: { writes: true } });`,
      'let writes = 0;',
      'const summary = await reader.scan(() => writes++);',
      "const { writeSync } = await import('node:fs');",
      "const text = JSON.stringify({ filesRead: summary.filesRead, writes }) + '\\n' + 'x'.repeat(1 << 20) + '\\n';",
      'const written = writeSync(1, text);',
      "if (written !== Buffer.byteLength(text)) { process.stderr.write('short write ' + written + '\\n'); process.exitCode = 9; }",
    ].join('\n');
    // Read nothing until the child has had time to scan and fill the pipe.
    const { code, stdout, stderr } = await runWithStalledStdout(program, 4000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [head = '', rest = ''] = stdout.split(/\n(.*)/s);
    expect(JSON.parse(head)).toMatchObject({ filesRead: 140 });
    expect((JSON.parse(head) as { writes: number }).writes).toBeGreaterThan(0);
    expect(rest.length).toBe((1 << 20) + 1);
  }, 60_000);

  test('with --principal: the same writes, unclassified events, events seen, disagreements and problems', async () => {
    const p = ['--principal', PRINCIPAL];
    const [inThread, one, two] = await Promise.all([scan(0, p, 1), scan(1, p, 1), scan(2, p, 1)]);
    expect(inThread.summary).toMatchObject({ filesRead: 140, filesCorrupt: 4, complete: false });
    // Writes were found: the verdict says so, though the trail was not read completely.
    expect(inThread.result).toBe('BROKEN');
    const problems = inThread.summary.problems as { location: string; kind: string; reason: string }[];
    const byFile = Object.fromEntries(problems.map((q) => [Number(/_w(\d+)\.json\.gz$/.exec(q.location)?.[1]), q]));
    expect(Object.keys(byFile).sort()).toEqual(['100', '120', '40', '90']);
    expect(byFile[NOT_GZIP]).toMatchObject({
      kind: 'unreadable',
      reason: 'not a valid gzip file (incorrect header check)',
    });
    // The whole file inflated, but its check fails: nothing of it is trusted.
    expect(byFile[BAD_CRC]).toMatchObject({
      kind: 'unreadable',
      reason: 'not a valid gzip file (incorrect data check)',
    });
    expect(byFile[40]).toMatchObject({ kind: 'malformed-records' });
    expect(byFile[90]).toMatchObject({ kind: 'truncated', reason: expect.stringMatching(/^cut short/) });
    expect((inThread.analysis!.writes as unknown[]).length).toBe(8);
    expect((inThread.analysis!.unclassified as { eventName: string }[]).map((e) => e.eventName)).toEqual(
      Array.from({ length: 6 }, () => 'Quuxify'),
    );
    expect(inThread.analysis!.eventsSeen).toBe(inThread.summary.events);
    expect(inThread.analysis!.principalEvents).toBeGreaterThan(4000);
    expect(inThread.analysis!.disagreements).toEqual([
      expect.objectContaining({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', count: 11 }),
    ]);
    for (const other of [one, two]) {
      expect(other.summary).toEqual(inThread.summary);
      expect(other.result).toEqual(inThread.result);
      expect(other.analysis).toEqual(inThread.analysis);
    }
  });

  test('with --audit every event of the principal crosses back, and the correlation is the same', async () => {
    const p = ['--principal', PRINCIPAL, '--audit', audit];
    const [inThread, two] = await Promise.all([scan(0, p, 1), scan(2, p, 1)]);
    const correlation = inThread.analysis!.correlation as {
      matched: number;
      unrecorded: unknown[];
      skippedServiceEvents: number;
    };
    expect(correlation.matched).toBeGreaterThan(0);
    expect(correlation.unrecorded.length + correlation.matched + correlation.skippedServiceEvents).toBe(
      inThread.analysis!.principalEvents,
    );
    expect(two.summary).toEqual(inThread.summary);
    expect(two.analysis).toEqual(inThread.analysis);
  });

  test('a role or an access key as the principal: the same in every reader', async () => {
    for (const principal of ['arn:aws:iam::123456789012:role/InventoryReadOnly', 'ASIAEXAMPLEDEPLOYKEY']) {
      const p = ['--principal', principal];
      const [inThread, two] = await Promise.all([scan(0, p, 1), scan(2, p, 1)]);
      expect(inThread.analysis!.principalEvents).toBeGreaterThan(0);
      expect(two.summary).toEqual(inThread.summary);
      expect(two.analysis).toEqual(inThread.analysis);
    }
  });

  test('without --principal: the same writes per principal, in the same order', async () => {
    const [inThread, two] = await Promise.all([scan(0, [], 0), scan(2, [], 0)]);
    expect(Object.keys(inThread.writesByPrincipal!).length).toBeGreaterThan(1);
    expect(Object.entries(two.writesByPrincipal!)).toEqual(Object.entries(inThread.writesByPrincipal!));
    expect(two.summary).toEqual(inThread.summary);
  });

  test('the text output and the progress are the same with the default workers', async () => {
    // Durations and rates differ from run to run; everything else is the same.
    const steady = (s: string): string =>
      s.replace(/ in \d+(\.\d+)? s/g, ' in T s').replace(/[\d.]+ [KMG]?B\/s/g, 'R B/s');
    const args = ['cloudtrail', 'scan', root, '--principal', PRINCIPAL, '--progress'];
    const [inThread, byDefault] = await Promise.all([runCli([...args, '--workers', '0']), runCli(args)]);
    expect(inThread.code).toBe(1);
    expect(byDefault.code).toBe(1);
    expect(steady(byDefault.stdout)).toBe(steady(inThread.stdout));
    expect(inThread.stdout).toContain('140 files read, 4 corrupt');
    const last = (s: string) =>
      steady(s)
        .split('\n')
        .filter((l) => l.includes('reading CloudTrail files'))
        .at(-1);
    expect(last(byDefault.stderr)).toMatch(/144\/144 files, 100%/);
    expect(last(byDefault.stderr)).toBe(last(inThread.stderr));
    // The corrupt files are named on stderr, in the same order.
    const corrupt = (s: string) => s.split('\n').filter((l) => l.startsWith('corrupt '));
    expect(corrupt(byDefault.stderr)).toHaveLength(4);
    expect(corrupt(byDefault.stderr)).toEqual(corrupt(inThread.stderr));
  });
});

describe('a worker thread that stops', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'inventag-worker-oom-'));
    const files: TrailFile[] = [];
    for (let n = 0; n < 80; n++) {
      const start = new Date(Date.UTC(2024, 4, 1, 0, n));
      // One file far larger than the heap the process is given: its worker runs out of memory parsing it.
      const records = backgroundRecords(n === 75 ? 60_000 : 20, {
        start,
        end: new Date(start.getTime() + 50_000),
        region: 'us-east-1',
        seed: n + 1,
      });
      files.push({ key: trailKey({ region: 'us-east-1', time: start, uniq: `o${n}` }), records });
    }
    writeLocalTrail(root, files);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // --max-old-space-size holds the workers too (as their resource limits).
  const scan = (workers: string[]) =>
    runNode(['--max-old-space-size=48', CLI, 'cloudtrail', 'scan', root, '--principal', PRINCIPAL, ...workers], {
      timeoutMs: 120_000,
    });

  test('fails the scan naming the file it held, never a result without it', async () => {
    // With two or more cores the workers are the default.
    const runs = await Promise.all([scan(['--workers', '2']), ...(availableParallelism() >= 2 ? [scan([])] : [])]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(70);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/a trail scan worker thread failed \(.*memory.*\) while reading \S+_o75\.json\.gz/);
      expect(run.stderr).not.toContain('    at ');
    }
  }, 150_000);

  test('in the main thread the same file stops the whole process: no result either', async () => {
    const run = await scan(['--workers', '0']);
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBe(1);
    expect(run.stdout).toBe('');
  }, 150_000);
});

describe('the heap a scan worker thread gets', () => {
  test('a young generation of 24 MiB unless the user sets one; the heap flags as resource limits', () => {
    expect(workerOptions([], {}).resourceLimits).toEqual({ maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB });
    expect(WORKER_YOUNG_GENERATION_MB).toBe(24);
    // The semi-space the user names is a third of the young generation.
    expect(workerOptions(['--max-semi-space-size=4', '--max-old-space-size', '48'], {})).toEqual({
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 48 },
    });
    // Set in NODE_OPTIONS, V8 already has it: no limit of ours over it.
    expect(workerOptions([], { NODE_OPTIONS: '--max_semi_space_size=32' }).resourceLimits).toEqual({});
    // Flags for an inline script stay behind; the others go to the worker.
    expect(workerOptions(['--input-type=module', '-e', '0', '--enable-source-maps'], {}).execArgv).toEqual([
      '--enable-source-maps',
    ]);
  });
});
