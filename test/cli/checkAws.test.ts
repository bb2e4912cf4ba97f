import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITIES, makeRecord } from '../../scripts/trailFixtures.mjs';
import { cloudTrailHandler, type CloudTrailRecord } from '../support/aws/cloudtrail.js';
import { describeRegionsHandler } from '../support/aws/ec2.js';
import { iamHandler } from '../support/aws/iam.js';
import { startAwsServer, stsHandler, type AwsTestServer } from '../support/awsServer.js';
import { awsCliEnv, runCli } from '../support/cli.js';

// `inventag check` against AWS, as a user runs it, with every AWS answer from the loopback server.
const principal = IDENTITIES.inventory;
const readOnly = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['ec2:Describe*', 's3:List*', 'cloudtrail:LookupEvents', 'iam:Get*', 'iam:List*'],
      Resource: '*',
    },
  ],
};
const stray = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Stray', Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: '*' }],
};
const describeRegions = describeRegionsHandler('us-east-1');
const READS = new Set([
  'GetCallerIdentity',
  'DescribeRegions',
  'ListBuckets',
  'ListAttachedRolePolicies',
  'GetPolicy',
  'GetPolicyVersion',
  'ListRolePolicies',
  'GetRolePolicy',
  'LookupEvents',
]);

let server: AwsTestServer;
const dir = mkdtempSync(join(tmpdir(), 'inventag-check-aws-'));
beforeAll(async () => {
  const now = Date.now();
  const events: CloudTrailRecord[] = [];
  for (let i = 0; i < 30; i++)
    events.push(
      makeRecord({
        time: new Date(now - 3_000_000 + i * 60_000),
        region: 'us-east-1',
        identity: principal,
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeInstances',
      }),
    );
  events.push(
    makeRecord({
      time: new Date(now - 1_200_000),
      region: 'us-east-1',
      identity: principal,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateTags',
      readOnly: false,
    }),
  );
  events.push(
    makeRecord({
      time: new Date(now - 1_100_000),
      region: 'us-east-1',
      identity: IDENTITIES.deploy,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'StopInstances',
      readOnly: false,
    }),
  );
  server = await startAwsServer({
    handlers: [
      stsHandler({ account: '123456789012', arn: String(principal.arn), userId: String(principal.principalId) }),
      iamHandler({
        policies: { 'arn:aws:iam::aws:policy/ReadOnlyLike': { document: readOnly } },
        roles: { InventoryReadOnly: { attached: ['arn:aws:iam::aws:policy/ReadOnlyLike'], inline: { stray } } },
      }),
      describeRegions,
      cloudTrailHandler({ events: { 'us-east-1': events } }),
    ],
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inventag check against an AWS endpoint', () => {
  it('collects identity, probes, policies and CloudTrail through its guard, names the write and exits 1', async () => {
    // Act
    const r = await runCli(['check', '--since', '2h', '--out', join(dir, 'reports'), '--standard', 'soc2', '--quiet'], {
      cwd: dir,
      env: {
        ...awsCliEnv(server.url, dir),
        INVENTAG_DATA_DIRECTORY: join(dir, 'data'),
      },
    });
    // Assess
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/read-only guarantee broken: ec2:CreateTags/);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'inventag-report.json'), 'utf8'));
    expect(report.subject).toMatchObject({ mode: 'aws', account: '123456789012', principal: principal.arn });
    expect(report.sections.identity.facts).toMatchObject({
      type: 'ASSUMED_ROLE',
      roleName: 'InventoryReadOnly',
      credentialKind: 'temporary',
    });
    expect(report.sections.permissions.status).toBe('FAIL');
    expect(report.sections.permissions.facts.write + report.sections.permissions.facts.tagging).toBeGreaterThan(0);
    expect(report.sections.cloudtrail.facts).toMatchObject({ writesByPrincipal: 1, eventsRead: 32 });
    expect(report.controls.find((c: { id: string }) => c.id === 'CC6.1').status).toBe('FAIL');
    // Everything it sent was a read, and it did read CloudTrail.
    const operations = server.requests.map((q) => q.operation);
    expect(operations).toContain('LookupEvents');
    expect(operations.filter((op) => !READS.has(op ?? ''))).toEqual([]);
    // The last report is kept for `status`, the dashboard and metrics.
    const status = await runCli(['status', '--json'], {
      cwd: dir,
      env: { INVENTAG_DATA_DIRECTORY: join(dir, 'data') },
    });
    const state = JSON.parse(status.stdout);
    expect(state.lastCheck).toMatchObject({ isCompliant: false, standard: 'soc2' });
    // Its own calls went through its guard into its audit trail, LookupEvents included.
    expect(state.audit).toMatchObject({ intact: true });
    expect(state.audit.entries).toBeGreaterThanOrEqual(server.requests.length);
    const tail = await runCli(['audit', 'export', '--format', 'jsonl'], {
      cwd: dir,
      env: { INVENTAG_DATA_DIRECTORY: join(dir, 'data') },
    });
    const actions = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).iamAction);
    expect(actions).toEqual(
      expect.arrayContaining(['sts:GetCallerIdentity', 'iam:ListAttachedRolePolicies', 'cloudtrail:LookupEvents']),
    );
  });

  it('says what to run when the credentials are rejected, with exit 6', async () => {
    const r = await runCli(['check', '--out', join(dir, 'r2'), '--quiet'], {
      cwd: dir,
      env: {
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: 'nosuchprofile',
        AWS_CONFIG_FILE: join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
        INVENTAG_DATA_DIRECTORY: join(dir, 'data2'),
      },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/aws (configure|sso login)/);
  });
});
