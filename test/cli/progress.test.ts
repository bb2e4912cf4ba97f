import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeRe, ROOT, runCli, runOnTerminal, type CliResult } from '../support/cli.js';
import { writeLocalTrail } from '../support/trails.js';

// `inventag check` on 300 trail files: progress and colour as a person on a terminal sees them (a pseudo-terminal
// through util-linux `script`), as a CI log gets them (pipes), and not at all with --quiet or --json.
const dir = mkdtempSync(join(tmpdir(), 'inventag-progress-'));
const evidence = join(dir, 'evidence');
const trailDir = join(evidence, 'cloudtrail');
const FILES = 300;
const ESC = '\u001b';

beforeAll(() => {
  const demo = join(ROOT, 'examples', 'demo');
  cpSync(join(demo, 'identity.json'), join(evidence, 'identity.json'));
  cpSync(join(demo, 'policies'), join(evidence, 'policies'), { recursive: true });
  // The demo's records, spread over 300 files of one day.
  const day = join(
    demo,
    'cloudtrail',
    'AWSLogs',
    'o-a1b2c3d4e5',
    '123456789012',
    'CloudTrail',
    'eu-west-1',
    '2026',
    '11',
    '23',
  );
  const records = readdirSync(day).flatMap(
    (f) => (JSON.parse(gunzipSync(readFileSync(join(day, f))).toString()) as { Records: unknown[] }).Records,
  );
  writeLocalTrail(
    trailDir,
    Array.from({ length: FILES }, (_, i) => {
      const hh = String(Math.floor(i / 13)).padStart(2, '0');
      const mm = String((i % 13) * 4).padStart(2, '0');
      return {
        key: `AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/23/123456789012_CloudTrail_eu-west-1_20261123T${hh}${mm}Z_p${i}.json.gz`,
        records,
      };
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const checkArgs = (out: string, ...more: string[]): string[] => [
  'check',
  '--evidence',
  evidence,
  '--out',
  join(dir, out),
  '--format',
  'json',
  ...more,
];

const onTerminal = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runOnTerminal(args, { env: { HOME: process.env.HOME ?? dir, ...env } });

describe('progress of check on 300 trail files', () => {
  it('on a terminal: one line per step redrawn in place, with the total, the share done and the time left', async () => {
    const r = await onTerminal(checkArgs('tty'));
    expect(r.code, r.stdout).toBe(1); // no digests to verify the trail files against: INCONCLUSIVE
    const reading = `inventag: reading CloudTrail files in ${trailDir}`;
    // Redrawn: each update returns to the start of the line and clears it.
    expect(r.stdout).toContain(`\r${ESC}[2K${reading}: 1/${FILES} files, 0%`);
    // While reading (300 files of every demo record take well over the 0.1 s between redraws): rate and ETA.
    expect(r.stdout).toMatch(
      new RegExp(`\\r${ESC}\\[2K${escapeRe(reading)}: \\d+/${FILES} files, \\d+%, [0-9.]+ MB/s, ETA \\d+(m\\d\\ds|s)`),
    );
    // The step ends on its final line: every file, 100%, how long it took.
    expect(r.stdout).toMatch(
      new RegExp(`${escapeRe(reading)}: ${FILES}/${FILES} files, 100%, [0-9.]+ MB/s, in [0-9.]+ s\\r?\\n`),
    );
    expect(r.stdout).toContain(`inventag: listing CloudTrail files in ${trailDir}: ${FILES} files found`);
    // Redrawn, not one line per file.
    expect(r.stdout.split(/\r?\n/).filter((l) => l.includes(reading)).length).toBeLessThan(5);
  });

  it('TERM=dumb: plain lines, no cursor control', async () => {
    const r = await onTerminal(checkArgs('dumb'), { TERM: 'dumb' });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).toMatch(
      new RegExp(`^inventag: reading CloudTrail files in ${escapeRe(trailDir)}: ${FILES}/${FILES} files, 100%`, 'm'),
    );
  });

  it('in CI (pipes): plain lines, the step when it starts and its totals when it ends', async () => {
    const r = await runCli(checkArgs('ci'), { env: { NO_COLOR: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(ESC);
    const lines = r.stderr.trimEnd().split('\n');
    const reading = lines.filter((l) => l.startsWith(`inventag: reading CloudTrail files in ${trailDir}`));
    expect(reading[0]).toBe(`inventag: reading CloudTrail files in ${trailDir}`);
    expect(reading.at(-1)).toMatch(new RegExp(`: ${FILES}/${FILES} files, 100%, [0-9.]+ MB/s, in [0-9.]+ s$`));
    expect(lines).toContain(
      `inventag: listing CloudTrail files in ${trailDir}: ${FILES} files found, in ${lines.find((l) => l.includes('files found, in'))?.split(', in ')[1]}`,
    );
  });

  it('--quiet and --json: nothing on stderr, even on a terminal', async () => {
    const quiet = await onTerminal(checkArgs('quiet', '--quiet'));
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).not.toContain('inventag: ');
    const json = await runCli(checkArgs('json', '--json'));
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    expect((JSON.parse(json.stdout) as { schemaVersion: string }).schemaVersion).toBeDefined();
  });
});

describe('colour', () => {
  const SGR = `${ESC}[1m`; // the summary's bold headline
  it('on a terminal by default; none with --no-color, NO_COLOR, TERM=dumb or FORCE_COLOR=0', async () => {
    const [tty, flag, noColor, dumb, force0] = await Promise.all([
      onTerminal(checkArgs('c1', '--quiet')),
      onTerminal(checkArgs('c2', '--quiet', '--no-color')),
      onTerminal(checkArgs('c3', '--quiet'), { NO_COLOR: '1' }),
      onTerminal(checkArgs('c4', '--quiet'), { TERM: 'dumb' }),
      onTerminal(checkArgs('c5', '--quiet'), { FORCE_COLOR: '0' }),
    ]);
    expect(tty.stdout).toContain(SGR);
    for (const r of [flag, noColor, dumb, force0]) {
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain(`${ESC}[`);
    }
  });

  it('FORCE_COLOR=1 colours a pipe (CI logs that render colour); --no-color still wins', async () => {
    const forced = await runCli(checkArgs('f1', '--quiet'), { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(SGR);
    const both = await runCli(checkArgs('f2', '--quiet', '--no-color'), { env: { FORCE_COLOR: '1' } });
    expect(both.stdout).not.toContain(ESC);
    const plain = await runCli(checkArgs('f3', '--quiet'), { env: { NO_COLOR: '' } });
    expect(plain.stdout).not.toContain(ESC);
  });
});
