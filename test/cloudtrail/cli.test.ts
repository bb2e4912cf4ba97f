import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IDENTITIES, makeRecord, trailKey } from '../../scripts/trailFixtures.mjs';
import { cloudTrailHandler, type CloudTrailRecord } from '../support/aws/cloudtrail.js';
import { DEFAULT_IDENTITY, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { startS3rver, type S3rverHandle, type TrailFile } from '../support/trails.js';
import { CLI } from '../support/cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const ENTRY = CLI;
// The fixture trail (three planted writes by the inventory role), generated fresh for each run.
const GENERATOR = join(here, '..', '..', 'scripts', 'make-demo-trail.mjs');
let DEMO = '';
const PRINCIPAL = IDENTITIES.inventory.arn;
const PLANTED = ['CreateTags', 'PutBucketTagging', 'PutParameter'];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ENTRY, 'cloudtrail', ...args],
      {
        env: { ...process.env, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('inventag cloudtrail scan', () => {
  let dir: string;
  let s3: S3rverHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-ct-cli-'));
    DEMO = join(dir, 'fixture');
    execFileSync(process.execPath, [GENERATOR, DEMO]);
    cpSync(DEMO, join(dir, 'demo'), { recursive: true });
    mkdirSync(join(dir, 'empty'));
    const corrupt: TrailFile = {
      key: trailKey({ region: 'us-east-1', time: new Date('2024-05-02T01:00:00Z'), uniq: 'broken' }),
      raw: gzipSync('{"Records": [').subarray(0, 12),
    };
    writeFileSync(join(dir, 'demo', ...corrupt.key.split('/')), corrupt.raw!);
    s3 = await startS3rver(join(dir, 's3rver'));
    const { readdirSync, readFileSync } = await import('node:fs');
    const files: TrailFile[] = [];
    for (const entry of readdirSync(DEMO, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = join(entry.parentPath, entry.name);
      files.push({
        key: `trails/${full
          .slice(DEMO.length + 1)
          .split('\\')
          .join('/')}`,
        raw: readFileSync(full),
      });
    }
    await s3.upload('evidence-bucket', files);
  });
  afterAll(async () => {
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('finds the three planted writes in a local directory and exits 1; a corrupt file is named on stderr', async () => {
    const run = await cli(['scan', join(dir, 'demo'), '--principal', PRINCIPAL, '--json']);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.analysis.writes.map((w: { eventName: string }) => w.eventName)).toEqual(PLANTED);
    expect(out.analysis.findings[0]).toMatchObject({ severity: 'CRITICAL', title: 'read-only guarantee broken' });
    expect(out.summary).toMatchObject({ filesRead: 16, filesCorrupt: 1 });
    expect(out.summary.corrupt[0].file).toMatch(/_broken\.json\.gz$/);
    expect(out.summary.corrupt[0].problem).toMatch(/cut short \(unexpected end of file\)/);
  });

  test('reads the same evidence from S3 and exits 0 for a window without writes', async () => {
    const env = {
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    };
    const all = await cli(
      ['scan', 's3://evidence-bucket/trails', '--path-style', '--principal', PRINCIPAL, '--json'],
      env,
    );
    expect(all.code).toBe(1);
    expect(JSON.parse(all.stdout).analysis.writes.map((w: { eventName: string }) => w.eventName)).toEqual(PLANTED);
    const clean = await cli(
      [
        'scan',
        's3://evidence-bucket/trails',
        '--path-style',
        '--principal',
        PRINCIPAL,
        '--start',
        '2024-05-01T11:00:00Z',
        '--end',
        '2024-05-02T12:00:00Z',
      ],
      env,
    );
    expect(clean.stdout).toMatch(/Result: no write by the principal in the window/);
    expect(clean.code).toBe(0);
    const missing = await cli(['scan', 's3://no-such-evidence/trails', '--path-style'], env);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/bucket no-such-evidence does not exist/);
  });

  test('without --principal, lists writes per principal', async () => {
    const run = await cli(['scan', DEMO]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Writes by principal/);
    expect(run.stdout).toContain(PRINCIPAL);
    expect(run.stdout).toContain(IDENTITIES.deploy.arn);
  });

  test('bad input gets exit 2 and a message naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['scan', DEMO, '--since', 'yesterday'], /--since: "yesterday" is not a duration/],
      [
        ['scan', DEMO, '--start', '2024-05-03T00:00:00Z', '--end', '2024-05-01T00:00:00Z'],
        /the end 2024-05-01T00:00:00.000Z is before the start 2024-05-03/,
      ],
      [['scan', DEMO, '--start', '05/01/2024'], /--start "05\/01\/2024" is not an ISO 8601 time/],
      [['scan', DEMO, '--principal', 'InventoryReadOnly'], /is not an IAM or STS ARN/],
      [['scan', join(dir, 'nowhere')], /trail directory .*nowhere does not exist/],
      [['scan', join(dir, 'empty')], /no trail log files under/],
      [['scan', 's3://Bad_Bucket/x'], /is not an S3 bucket name/],
      [['scan', DEMO, '--audit', join(dir, 'missing.jsonl')], /cannot read the audit file/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    for (const [i, run] of runs.entries()) {
      expect(run.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![1]);
      expect(run.code, cases[i]![0].join(' ')).toBe(2);
    }
  });
});

describe('inventag cloudtrail lookup', () => {
  let server: AwsTestServer;
  const now = Date.now();
  const write = makeRecord({
    time: new Date(now - 20 * 60_000),
    region: 'eu-west-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTags',
    readOnly: false,
  });
  const read = makeRecord({
    time: new Date(now - 10 * 60_000),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
  });
  const own = makeRecord({
    time: new Date(now - 5 * 60_000),
    region: 'us-east-1',
    identity: { type: 'IAMUser', arn: DEFAULT_IDENTITY.arn, accountId: DEFAULT_IDENTITY.account },
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
  });
  beforeAll(async () => {
    server = await startAwsServer({
      handlers: [
        cloudTrailHandler({
          events: { 'us-east-1': [read, own] as CloudTrailRecord[], 'eu-west-1': [write] as CloudTrailRecord[] },
        }),
      ],
    });
  });
  afterAll(() => server.close());
  const env = () => ({
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  });

  test('reads every region, reports the write by the principal and exits 1', async () => {
    const run = await cli(
      ['lookup', '--since', '1h', '--region', 'us-east-1', '--region', 'eu-west-1', '--principal', PRINCIPAL, '--json'],
      env(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out.events).toBe(3);
    expect(out.analysis.writes).toMatchObject([
      { eventId: write.eventID, eventName: 'CreateTags', awsRegion: 'eu-west-1' },
    ]);
    expect(out.regions.map((r: { region: string }) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  test('without --principal checks the caller found by STS, and shows progress when asked', async () => {
    const run = await cli(['lookup', '--since', '30m', '--progress'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Principal ${DEFAULT_IDENTITY.arn}`);
    expect(run.stdout).toMatch(/Result: no write by the principal/);
    expect(run.stderr).toMatch(
      /^inventag: reading LookupEvents in [a-z0-9-]+: \d+ events, 1 pages, 100%, in [0-9.]+ s$/m,
    );
    expect(server.count({ service: 'sts', operation: 'GetCallerIdentity' })).toBeGreaterThanOrEqual(1);
  });

  test('refuses windows LookupEvents cannot serve, bad rates and denied access', async () => {
    const old = await cli(['lookup', '--start', new Date(now - 120 * 86_400_000).toISOString()], env());
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/keeps 90 days.*inventag cloudtrail scan s3:\/\//);
    const rate = await cli(['lookup', '--rate', '10'], env());
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate must be a number above 0 and at most 2/);
    const attr = await cli(['lookup', '--attribute', 'Colour=red'], env());
    expect(attr.code).toBe(2);
    expect(attr.stderr).toMatch(/unknown lookup attribute "Colour"; allowed: eventId/);
    const fault = server.inject({ kind: 'error', status: 400, code: 'AccessDeniedException', service: 'cloudtrail' });
    const denied = await cli(['lookup', '--principal', PRINCIPAL], env());
    fault.clear();
    expect(denied.code).toBe(6);
    expect(denied.stderr).toMatch(/access denied: cloudtrail:LookupEvents in us-east-1/);
  });
});
