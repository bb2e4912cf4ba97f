import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITIES, makeRecord } from '../../scripts/trailFixtures.mjs';
import { cloudTrailHandler, type CloudTrailRecord } from '../support/aws/cloudtrail.js';
import { describeRegionsHandler } from '../support/aws/ec2.js';
import { iamHandler } from '../support/aws/iam.js';
import { startAwsServer, stsHandler, type AwsTestServer } from '../support/awsServer.js';
import { awsCliEnv, escapeRe, runCli, runOnTerminal } from '../support/cli.js';

// Progress of IAM policy collection (`permissions`, and `check` when it collects the principal's policies) and of
// LookupEvents pages, against the loopback AWS server: on a pseudo-terminal one line per step redrawn with
// done/total, share and time left; plain lines through pipes (CI); nothing with --quiet or --json.
const ESC = '\u001b';
const MANAGED = 4;
const INLINE = 6;
const TOTAL = MANAGED + INLINE;
const principal = IDENTITIES.inventory;
const dir = mkdtempSync(join(tmpdir(), 'inventag-progress-aws-'));
const read = (action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
});
let server: AwsTestServer;

beforeAll(async () => {
  const policies = Object.fromEntries(
    Array.from({ length: MANAGED }, (_, i) => [
      `arn:aws:iam::123456789012:policy/Read${i}`,
      { document: read('ec2:Describe*') },
    ]),
  );
  const inline = Object.fromEntries(Array.from({ length: INLINE }, (_, i) => [`inline-${i}`, read('s3:List*')]));
  const now = Date.now();
  const events: CloudTrailRecord[] = Array.from({ length: 120 }, (_, i) =>
    makeRecord({
      time: new Date(now - 3_000_000 + i * 20_000),
      region: 'us-east-1',
      identity: principal,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
    }),
  );
  server = await startAwsServer({
    handlers: [
      stsHandler({ account: '123456789012', arn: String(principal.arn), userId: String(principal.principalId) }),
      iamHandler({ policies, roles: { InventoryReadOnly: { attached: Object.keys(policies), inline } } }),
      describeRegionsHandler('us-east-1'),
      cloudTrailHandler({ events: { 'us-east-1': events } }),
    ],
  });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({
  ...awsCliEnv(server.url, dir),
  HOME: dir,
  AWS_EC2_METADATA_DISABLED: 'true',
  INVENTAG_DATA_DIRECTORY: join(dir, 'data'),
});
/** Each policy document read takes 150 ms, longer than the 100 ms between redraws: every count is drawn with its ETA. */
const slowPolicyReads = () => {
  server.clearFaults();
  server.inject({ kind: 'slow', service: 'iam', operation: 'GetRolePolicy', delayMs: 150 });
  server.inject({ kind: 'slow', service: 'iam', operation: 'GetPolicyVersion', delayMs: 150 });
};
const PERMISSIONS = ['permissions', '--probe', 'sts:get_caller_identity'];
const reading = 'inventag: reading IAM policies of role/InventoryReadOnly';
const listing = 'inventag: listing IAM policies of role/InventoryReadOnly';

describe('progress of IAM policy collection', () => {
  it('permissions on a terminal: the policies found, then done/total, share and ETA redrawn in place', async () => {
    slowPolicyReads();
    const r = await runOnTerminal(PERMISSIONS, { cwd: dir, env: env() });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${escapeRe(listing)}: ${TOTAL} policies found, in [0-9.]+ s\\r?\\n`));
    expect(r.stdout).toContain(`\r${ESC}[2K${reading}: 0/${TOTAL} policies, 0%`);
    expect(r.stdout).toMatch(
      new RegExp(`\\r${ESC}\\[2K${escapeRe(reading)}: [1-9]/${TOTAL} policies, \\d+%, ETA \\d+s`),
    );
    expect(r.stdout).toMatch(new RegExp(`${escapeRe(reading)}: ${TOTAL}/${TOTAL} policies, 100%, in [0-9.]+ s\\r?\\n`));
    // Redrawn, not one line per policy; then the result on stdout.
    expect(r.stdout.split(/\r?\n/).filter((l) => l.includes(reading)).length).toBe(1);
    expect(r.stdout).toContain('Policies of the caller:');
    expect(server.count({ operation: 'GetRolePolicy' })).toBe(INLINE);
  });

  it('permissions in CI (pipes): the step when it starts and its totals when it ends, plain', async () => {
    server.clearFaults();
    const r = await runCli(PERMISSIONS, { cwd: dir, env: { ...env(), NO_COLOR: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(ESC);
    const lines = r.stderr.trimEnd().split('\n');
    const steps = lines.filter((l) => l.startsWith(reading));
    expect(steps[0]).toBe(reading);
    expect(steps.at(-1)).toMatch(new RegExp(`: ${TOTAL}/${TOTAL} policies, 100%, in [0-9.]+ s$`));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${escapeRe(listing)}: ${TOTAL} policies found`)));
  });

  it('--quiet, --json and --query: nothing, even on a terminal', async () => {
    server.clearFaults();
    const quiet = await runOnTerminal([...PERMISSIONS, '--quiet'], { cwd: dir, env: env() });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('inventag: ');
    const json = await runCli([...PERMISSIONS, '--json'], { cwd: dir, env: env() });
    expect(json.stderr).toBe('');
    expect((JSON.parse(json.stdout) as { policies: unknown[] }).policies).toHaveLength(TOTAL);
    const query = await runOnTerminal([...PERMISSIONS, '--query', 'length(policies)'], { cwd: dir, env: env() });
    expect(query.stdout.trim()).toBe(String(TOTAL));
  });

  it('check on a terminal: the policy collection and the LookupEvents pages, each with its counts', async () => {
    slowPolicyReads();
    const r = await runOnTerminal(['check', '--since', '2h', '--out', join(dir, 'reports'), '--format', 'json'], {
      cwd: dir,
      env: env(),
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`\\r${ESC}\\[2K${escapeRe(reading)}: [1-9]/${TOTAL} policies, \\d+%, ETA \\d+s`),
    );
    expect(r.stdout).toMatch(new RegExp(`${escapeRe(reading)}: ${TOTAL}/${TOTAL} policies, 100%, in [0-9.]+ s\\r?\\n`));
    expect(r.stdout).toMatch(
      /inventag: reading CloudTrail LookupEvents in us-east-1 \([^)]*\): \d+ pages, 100%, in [0-9.]+ s\r?\n/,
    );
  });
});
