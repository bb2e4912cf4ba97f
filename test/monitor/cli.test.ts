import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBreakerState } from '../support/breakerState.js';
import { CLI } from '../support/cli.js';

const entry = CLI;

function inventag(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

let dir: string;
beforeAll(() => {
  expect(existsSync(resolve('dist/cli/commands/monitor.js')), 'run `npm run build` before the tests').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'inventag-monitor-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('inventag monitor sample', () => {
  it('prints real percentages as JSON, and exits 1 with --fail-on-breach when a threshold is below them', async () => {
    const ok = await inventag([
      'monitor',
      'sample',
      '--data-dir',
      dir,
      '--json',
      '--cpu',
      '100',
      '--memory',
      '100',
      '--disk',
      '100',
      '--fail-on-breach',
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const sample = JSON.parse(ok.stdout);
    for (const key of ['cpuPercent', 'memoryPercent', 'diskPercent']) {
      expect(sample[key]).toBeGreaterThanOrEqual(0);
      expect(sample[key]).toBeLessThanOrEqual(100);
    }
    expect(sample).toMatchObject({ thresholds: { cpu: 100, memory: 100, disk: 100 }, breaches: [] });

    const breach = await inventag([
      'monitor',
      'sample',
      '--data-dir',
      dir,
      '--cpu',
      '100',
      '--memory',
      '100',
      '--disk',
      '0',
      '--fail-on-breach',
    ]);
    expect(breach.code).toBe(1);
    expect(breach.stdout).toMatch(/^Disk\s+[\d.]+%\s+threshold 0%\s+EXCEEDED/m);
    expect(breach.stdout).toMatch(/^CPU\s+[\d.]+%\s+threshold 100%$/m);
    expect(breach.stdout).toMatch(/^Memory\s+[\d.]+%\s+threshold 100%\s+\([\d.]+ MiB available of [\d.]+ MiB\)$/m);
  });

  it('refuses bad thresholds and counts with exit 2, naming the flag', async () => {
    const high = await inventag(['monitor', 'sample', '--cpu', '150']);
    expect(high.code).toBe(2);
    expect(high.stderr).toMatch(/--cpu: must be a number from 0 to 100 \(got 150\)/);
    const word = await inventag(['monitor', 'sample', '--memory', 'lots']);
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/--memory must be a number \(got "lots"\)/);
    const interval = await inventag(['monitor', 'sample', '--interval', '-1', '--count', '2']);
    expect(interval.code).toBe(2);
    expect(interval.stderr).toMatch(/--interval: must be a positive number \(got -1\)/);
  });
});

describe('inventag monitor breakers', () => {
  it('shows saved states and resets one breaker or all', async () => {
    const state = join(dir, 'monitor-state.json');
    await writeBreakerState(state);

    const shown = await inventag(['monitor', 'breakers', '--state', state]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^ec2:DescribeInstances\s+OPEN\s+opened .*trial call after/m);
    expect(shown.stdout).toMatch(/^sts:GetCallerIdentity\s+CLOSED\s+0 consecutive failure\(s\)/m);

    const one = await inventag([
      'monitor',
      'breakers',
      '--state',
      state,
      '--reset',
      'ec2:describe_instances',
      '--json',
    ]);
    expect(one.code).toBe(0);
    const after = JSON.parse(one.stdout);
    expect(after.reset).toEqual(['ec2:DescribeInstances']);
    expect(Object.keys(after.breakers).sort()).toEqual(['s3:ListBuckets', 'sts:GetCallerIdentity']);
    expect(JSON.parse(readFileSync(state, 'utf8')).breakers['ec2:DescribeInstances']).toBeUndefined();

    const unknown = await inventag(['monitor', 'breakers', '--state', state, '--reset', 'lambda:Invoke']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no breaker lambda:Invoke .*saved breakers: s3:ListBuckets, sts:GetCallerIdentity/);

    const all = await inventag(['monitor', 'breakers', '--state', state, '--reset']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/reset s3:ListBuckets\nreset sts:GetCallerIdentity\nno circuit breakers saved/);
  });

  it('a missing or malformed state file is a usage error naming the file', async () => {
    const missing = await inventag(['monitor', 'breakers', '--state', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot read');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'inventag-monitor-state', version: 2, breakers: {} }));
    const malformed = await inventag(['monitor', 'breakers', '--state', bad]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.json: version: must be 1/);
  });
});
