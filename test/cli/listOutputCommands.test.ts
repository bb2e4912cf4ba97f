import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/AuditStore.js';
import { cloudTrailHandler } from '../support/aws/cloudtrail.js';
import { iamHandler } from '../support/aws/iam.js';
import { startAwsServer, stsHandler, type AwsTestServer } from '../support/awsServer.js';
import { awsCliEnv, ROOT, runCli, type CliResult } from '../support/cli.js';

// `--output json|table|text` and `--query <JMESPath>` on every command that lists things, run as a user runs them:
// the JSON --json prints is the document the query works on; text is tab-separated, table is aligned columns.
const dir = mkdtempSync(join(tmpdir(), 'inventag-list-commands-'));
const DEMO = join(ROOT, 'examples', 'demo');
const store = join(dir, 'audit.db');
const env = { INVENTAG_DATA_DIRECTORY: join(dir, 'data'), INVENTAG_AUDIT_STORE: store };
const ARN = 'arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/ci';
let server: AwsTestServer;

beforeAll(async () => {
  const s = AuditStore.open({ path: store });
  const base = {
    complianceStandard: 'general' as const,
    riskLevel: 'LOW' as const,
    operationType: 'read_only' as const,
  };
  s.appendBatch([
    {
      ...base,
      service: 'ec2',
      operation: 'DescribeInstances',
      iamAction: 'ec2:DescribeInstances',
      decision: 'allowed',
    },
    { ...base, service: 's3', operation: 'ListBuckets', iamAction: 's3:ListAllMyBuckets', decision: 'allowed' },
    {
      ...base,
      service: 'ec2',
      operation: 'RunInstances',
      iamAction: 'ec2:RunInstances',
      operationType: 'mutating',
      riskLevel: 'HIGH',
      decision: 'blocked',
    },
  ]);
  await s.close();
  server = await startAwsServer({
    handlers: [
      stsHandler({ account: '123456789012', arn: ARN, userId: 'AROAEXAMPLE:ci' }),
      iamHandler({
        policies: {
          'arn:aws:iam::aws:policy/ReadOnlyLike': {
            document: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }],
            },
          },
        },
        roles: { InventoryReadOnly: { attached: ['arn:aws:iam::aws:policy/ReadOnlyLike'] } },
      }),
      cloudTrailHandler({ events: { 'us-east-1': [] } }),
    ],
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], more: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(args, { cwd: dir, env: { ...env, ...more } });

const awsEnv = (): NodeJS.ProcessEnv => ({
  ...awsCliEnv(server.url, dir),
  AWS_EC2_METADATA_DISABLED: 'true',
  // Its own AWS calls go to an audit store of their own, not the one the audit tests read.
  INVENTAG_AUDIT_STORE: join(dir, 'aws-audit.db'),
});

const rows = (r: CliResult): string[][] =>
  r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));

/** A table's columns: every row's value of `column` starts where the header's name does. */
function column(r: CliResult, name: string): string[] {
  const [header, rule, ...body] = r.stdout.trimEnd().split('\n');
  expect(rule, r.stdout).toMatch(/^-+( {2}-+)*$/);
  const at = header!.split(/ {2,}/).indexOf(name);
  expect(at, header).toBeGreaterThanOrEqual(0);
  const start = header!.indexOf(name);
  return body.map((line) => line.slice(start).split(/ {2,}/)[0]!.trim());
}

/** A document without what differs between two runs: times, durations, ids, buffer peaks. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/durationMs|peakBufferedBytes|Id$/.test(k))
        .map(([k, v]) => [k, stable(v)]),
    );
  if (typeof value === 'string') return value.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
  return value;
}

/** The checks every extended command gets: JSON parses (and is --json's), a query picks a field, bad ones exit 2. */
async function common(args: string[], expected: { query: string; value: unknown; code?: number }, more = {}) {
  const code = expected.code ?? 0;
  const [json, output, picked, bad, badFormat] = await Promise.all([
    run([...args, '--json'], more),
    run([...args, '--output', 'json'], more),
    run([...args, '--query', expected.query], more),
    run([...args, '--query', 'foo[?'], more),
    run([...args, '--output', 'xml'], more),
  ]);
  expect(json.code, json.stderr).toBe(code);
  const doc = JSON.parse(json.stdout) as unknown;
  expect(output.code, output.stderr).toBe(code);
  // --output json is --json's document, apart from what differs between runs (times, ids, buffer peaks).
  expect(stable(JSON.parse(output.stdout))).toEqual(stable(doc));
  expect(picked.code, picked.stderr).toBe(code);
  expect(JSON.parse(picked.stdout)).toEqual(expected.value);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--query "foo[?" is not a JMESPath expression');
  expect(bad.stdout).toBe('');
  expect(badFormat.code).toBe(2);
  expect(badFormat.stderr).toMatch(/--output <format>.*'xml'.*json, table, text/);
  return doc;
}

describe('validate', () => {
  const args = ['validate', 'lambda', 'Invoke'];
  it('json, query, text, table, bad input', async () => {
    await common(args, { query: 'iamAction', value: 'lambda:InvokeFunction', code: 3 });
    const text = await run([...args, '--query', '[iamAction, accessLevel, riskLevel]', '--output', 'text']);
    expect(text.code).toBe(3);
    expect(text.stdout).toBe('lambda:InvokeFunction\tWrite\tHIGH\n');
    const table = await run([...args, '--output', 'table']);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/^key {2,}value\n-+ {2}-+\n/);
    expect(table.stdout).toMatch(/^iamAction {2,}lambda:InvokeFunction$/m);
  });

  it('a query that matches nothing prints null; --stdin and contradicting flags are refused', async () => {
    const none = await run([...args, '--query', 'noSuchField']);
    expect(none.stdout).toBe('null\n');
    const noneText = await run([...args, '--query', 'noSuchField', '--output', 'text']);
    expect(noneText.stdout).toBe('None\n');
    const stdin = await runCli(['validate', '--stdin', '--query', 'iamAction'], { input: 'ec2 DescribeInstances\n' });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('--query applies to one SERVICE OPERATION');
    const both = await run([...args, '--json', '--output', 'table']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--json and --output table contradict');
  });
});

describe('policy check', () => {
  const args = ['policy', 'check', join(DEMO, 'policies', 'InventoryReadOnly-inline-tagging.json')];
  it('json, query, text, table', async () => {
    const doc = (await common(args, { query: 'readOnly', value: false, code: 5 })) as {
      writes: { actions: { action: string }[] }[];
    };
    const actions = doc.writes.flatMap((g) => g.actions.map((a) => a.action));
    expect(actions.length).toBeGreaterThan(0);
    const text = await run([...args, '--query', 'writes[].actions[].action', '--output', 'text']);
    expect(text.code).toBe(5);
    expect(text.stdout).toBe(`${actions.join('\t')}\n`);
    const table = await run([...args, '--query', 'writes[].actions[]', '--output', 'table']);
    expect(column(table, 'action')).toEqual(actions);
    expect(column(table, 'accessLevel').every((l) => ['Write', 'Tagging', 'Permissions management'].includes(l))).toBe(
      true,
    );
  });
});

describe('audit tail, verify and status', () => {
  it('tail: --json stays one object per line; --output and --query work on the array of entries', async () => {
    const lines = await run(['audit', 'tail', '--json']);
    expect(lines.code, lines.stderr).toBe(0);
    expect(
      lines.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { operation: string }).operation),
    ).toEqual(['DescribeInstances', 'ListBuckets', 'RunInstances']);
    const blocked = await run(['audit', 'tail', '--query', "[?decision=='blocked'].iamAction"]);
    expect(JSON.parse(blocked.stdout)).toEqual(['ec2:RunInstances']);
    const text = await run(['audit', 'tail', '--query', '[].[sequence, decision, operation]', '--output', 'text']);
    expect(rows(text)).toEqual([
      ['1', 'allowed', 'DescribeInstances'],
      ['2', 'allowed', 'ListBuckets'],
      ['3', 'blocked', 'RunInstances'],
    ]);
    const table = await run(['audit', 'tail', '--query', '[].{seq: sequence, op: operation}', '--output', 'table']);
    expect(table.stdout.split('\n')[0]).toMatch(/^seq {2}op$/);
    expect(column(table, 'op')).toEqual(['DescribeInstances', 'ListBuckets', 'RunInstances']);
    const bad = await run(['audit', 'tail', '--query', '[?']);
    expect(bad.code).toBe(2);
  });

  it('verify', async () => {
    const doc = (await common(['audit', 'verify'], { query: 'checked', value: 3 })) as { ok: boolean };
    expect(doc.ok).toBe(true);
    const text = await run(['audit', 'verify', '--query', '[ok, checked, head.sequence]', '--output', 'text']);
    expect(text.stdout).toBe('true\t3\t3\n');
  });

  it('status and config print', async () => {
    await common(['status'], { query: 'audit.entries', value: 3 });
    const table = await run(['status', '--query', 'audit', '--output', 'table']);
    expect(table.stdout).toMatch(/^entries {2,}3$/m);
    expect(table.stdout).toMatch(/^intact {3,}true$/m);
    const config = await run(['config', 'print', '--query', 'config.auditStore', '--output', 'text']);
    expect(config.code, config.stderr).toBe(0);
    expect(config.stdout).toBe(`${store}\n`);
    const bad = await run(['config', 'print', '--query', '[?']);
    expect(bad.code).toBe(2);
  });
});

describe('check and cloudtrail scan on the demo evidence', () => {
  const evidence = join(dir, 'evidence');
  beforeAll(() => cpSync(DEMO, evidence, { recursive: true }));

  it('check: findings filtered by severity, as text and as a table', async () => {
    const args = ['check', '--evidence', evidence, '--out', join(dir, 'reports'), '--format', 'json'];
    const doc = (await common(args, { query: 'complianceStatus.isCompliant', value: false, code: 1 })) as {
      findings: { severity: string; title: string }[];
    };
    const high = doc.findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL');
    expect(high.length).toBeGreaterThan(0);
    const text = await run([
      ...args,
      '--query',
      "findings[?severity=='HIGH' || severity=='CRITICAL'].title",
      '--output',
      'text',
    ]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(`${high.map((f) => f.title).join('\t')}\n`);
    // No progress or annotations mixed into what a machine reads.
    expect(text.stderr).toBe('');
    const table = await run([...args, '--query', 'findings[].{severity: severity, title: title}', '--output', 'table']);
    expect(column(table, 'severity')).toEqual(doc.findings.map((f) => f.severity));
  });

  it('cloudtrail scan: writes by principal', async () => {
    const args = ['cloudtrail', 'scan', join(evidence, 'cloudtrail')];
    const doc = (await common(args, { query: 'summary.filesCorrupt', value: 0 })) as {
      writesByPrincipal: Record<string, number>;
    };
    const writers = Object.entries(doc.writesByPrincipal);
    expect(writers.length).toBeGreaterThan(0);
    const text = await run([...args, '--query', 'writesByPrincipal', '--output', 'text']);
    expect(text.stdout).toBe(`${writers.map(([, n]) => n).join('\t')}\n`);
    const table = await run([...args, '--query', 'writesByPrincipal', '--output', 'table']);
    expect(column(table, 'key')).toEqual(writers.map(([who]) => who));
    expect(column(table, 'value')).toEqual(writers.map(([, n]) => String(n)));
  });
});

describe('identity and permissions against an AWS endpoint', () => {
  it('identity', async () => {
    await common(['identity'], { query: 'arn', value: ARN }, awsEnv());
    const text = await run(['identity', '--query', '[account, type, roleName]', '--output', 'text'], awsEnv());
    expect(text.stdout).toBe('123456789012\tASSUMED_ROLE\tInventoryReadOnly\n');
  });

  it('cloudtrail lookup: the result and its counts', async () => {
    const args = ['cloudtrail', 'lookup', '--since', '1h', '--principal', ARN];
    await common(args, { query: 'result', value: 'NO_WRITE' }, awsEnv());
    const text = await run(
      [...args, '--query', '[result, events, length(analysis.writes)]', '--output', 'text'],
      awsEnv(),
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe('NO_WRITE\t0\t0\n');
    // Scalars of a list on one line, a nested list on the next (an empty one on none).
    const nested = await run(
      [...args, '--query', '[result, regions[].region, analysis.writes]', '--output', 'text'],
      awsEnv(),
    );
    expect(nested.stdout).toBe('NO_WRITE\nus-east-1\n');
  });

  it('permissions: the probes as a table, the policies as text', async () => {
    const args = ['permissions', '--probe', 'sts:get_caller_identity'];
    await common(args, { query: 'writeVerdict', value: 'read-only' }, awsEnv());
    const table = await run([...args, '--query', 'probes.permissionChecks', '--output', 'table'], awsEnv());
    expect(table.code, table.stderr).toBe(0);
    expect(column(table, 'operation')).toEqual(['get_caller_identity']);
    expect(column(table, 'status')).toEqual(['PASSED']);
    const text = await run([...args, '--query', 'policies[].source', '--output', 'text'], awsEnv());
    expect(text.stdout).toMatch(/ReadOnlyLike/);
  });
});

describe('monitor sample and policy generate', () => {
  it('monitor sample: the array of samples', async () => {
    const r = await run([
      'monitor',
      'sample',
      '--data-dir',
      dir,
      '--count',
      '2',
      '--interval',
      '0.1',
      '--query',
      'length(@)',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toBe(2);
    const table = await run([
      'monitor',
      'sample',
      '--data-dir',
      dir,
      '--interval',
      '0.1',
      '--query',
      '[].{disk: diskPath}',
      '--output',
      'table',
    ]);
    expect(column(table, 'disk')).toHaveLength(1);
  });

  it('policy generate keeps --output <file> (and --out), and refuses a format name there', async () => {
    const out = join(dir, 'ro.json');
    const written = await run(['policy', 'generate', '--from-audit', store, '--output', out]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toContain(`wrote ${out}`);
    const same = await run(['policy', 'generate', '--from-audit', store, '--out', join(dir, 'ro2.json')]);
    expect(same.code, same.stderr).toBe(0);
    const format = await run(['policy', 'generate', '--from-audit', store, '--output', 'json']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--output json: policy generate writes one JSON policy document');
    expect(existsSync(join(dir, 'json'))).toBe(false);
  });
});
