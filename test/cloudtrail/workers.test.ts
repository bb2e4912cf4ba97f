import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backgroundRecords, IDENTITIES, makeRecord, trailKey } from '../../scripts/trailFixtures.mjs';
import { runCli } from '../support/cli.js';
import { writeLocalTrail, type TrailFile } from '../support/trails.js';

// The scan reads in worker threads (gunzip and JSON.parse on every core) once a trail has more than 64 files,
// and only the principal's events (or the writes) become objects. Whatever the number of workers, it must find
// the same events, count the same, and report the same damaged files.
const PRINCIPAL = IDENTITIES.inventory.arn;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

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
        // A malformed record, a file cut short: reported the same way by every reader.
        if (n === 40) records.splice(3, 0, { eventName: 'DescribeInstances', eventSource: 'ec2.amazonaws.com' });
        const key = trailKey({ region, time: start, uniq: `w${n}` });
        if (n === 90) {
          const whole = gzipSync(JSON.stringify({ Records: records }));
          files.push({ key, raw: whole.subarray(0, Math.floor(whole.length * 0.7)) });
        } else files.push({ key, records });
      }
  return files;
}

describe('cloudtrail scan with 0, 1 and 2 worker threads', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'inventag-workers-'));
    writeLocalTrail(root, trail());
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const scan = async (workers: number, extra: string[]) => {
    const run = await runCli(['cloudtrail', 'scan', root, '--json', '--workers', String(workers), ...extra]);
    // With --principal: writes found (exit 1); without: the scan finished (exit 0).
    expect(run.code, run.stderr).toBe(extra.length ? 1 : 0);
    const out = JSON.parse(run.stdout) as {
      summary: Record<string, unknown> & { durationMs?: number; peakBufferedBytes?: number };
      analysis?: Record<string, unknown>;
      writesByPrincipal?: Record<string, number>;
    };
    const { durationMs: _d, peakBufferedBytes: _p, ...summary } = out.summary;
    return { ...out, summary };
  };

  test('with --principal: the same writes, events seen, disagreements and problems', async () => {
    const p = ['--principal', PRINCIPAL];
    const [inThread, one, two] = await Promise.all([scan(0, p), scan(1, p), scan(2, p)]);
    expect(inThread.summary).toMatchObject({ filesRead: 142, filesCorrupt: 2, complete: false });
    expect((inThread.analysis!.writes as unknown[]).length).toBe(8);
    expect(inThread.analysis!.eventsSeen).toBe(inThread.summary.events);
    expect(inThread.analysis!.disagreements).toEqual([
      expect.objectContaining({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', count: 13 }),
    ]);
    for (const other of [one, two]) {
      expect(other.summary).toEqual(inThread.summary);
      expect(other.analysis).toEqual(inThread.analysis);
    }
  });

  test('without --principal: the same writes per principal', async () => {
    const [inThread, two] = await Promise.all([scan(0, []), scan(2, [])]);
    expect(Object.keys(inThread.writesByPrincipal!).length).toBeGreaterThan(1);
    expect(two.writesByPrincipal).toEqual(inThread.writesByPrincipal);
    expect(two.summary).toEqual(inThread.summary);
  });
});
