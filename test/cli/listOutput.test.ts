import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBreakerState } from '../support/breakerState.js';
import { runCli } from '../support/cli.js';

// `--output json|table|text` and `--query <JMESPath>` on a command that lists things: monitor breakers.
const dir = mkdtempSync(join(tmpdir(), 'inventag-list-output-'));
const state = join(dir, 'monitor-state.json');

beforeAll(() => writeBreakerState(state));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('monitor breakers --output / --query', () => {
  it('--query alone prints the JSON the expression selects', async () => {
    const r = await runCli(['monitor', 'breakers', '--state', state, '--query', 'breakers.*.state | sort(@)']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['CLOSED', 'OPEN', 'OPEN']);
  });

  it('--output text: tab-separated, one row per breaker with its key first', async () => {
    const r = await runCli(['monitor', 'breakers', '--state', state, '--query', 'breakers', '--output', 'text']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((row) => [row[0], row.find((c) => c === 'OPEN' || c === 'CLOSED')]).sort()).toEqual([
      ['ec2:DescribeInstances', 'OPEN'],
      ['s3:ListBuckets', 'OPEN'],
      ['sts:GetCallerIdentity', 'CLOSED'],
    ]);
  });

  it('--output table: a header of the keys, a rule, aligned rows', async () => {
    const r = await runCli(['monitor', 'breakers', '--state', state, '--query', 'breakers', '--output', 'table']);
    expect(r.code).toBe(0);
    const [header, rule, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^key\s+.*\bstate\b/);
    expect(rule).toMatch(/^-+ {2}-+/);
    expect(rows).toHaveLength(3);
    expect(rows.find((l) => l.startsWith('ec2:DescribeInstances'))).toMatch(
      /^ec2:DescribeInstances\s+ec2\s+DescribeInstances\s+OPEN\b/,
    );
    // Columns line up: every row's state starts where the header's does.
    const at = header!.indexOf('state');
    for (const row of rows) expect(row.slice(at)).toMatch(/^(OPEN|CLOSED)/);
  });

  it('a bad expression or format is bad usage (exit 2) naming it', async () => {
    const bad = await runCli(['monitor', 'breakers', '--state', state, '--query', 'breakers[']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--query "breakers[" is not a JMESPath expression');
    const format = await runCli(['monitor', 'breakers', '--state', state, '--output', 'yaml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--output.*yaml.*json, table, text/);
  });
});
