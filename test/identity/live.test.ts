import { IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditAttempt, AuditOutcome, AuditSink } from '../../src/contracts.js';
import {
  CredentialKind,
  IdentityType,
  OverallPermissionStatus,
  PermissionStatus,
  WriteVerdict,
  collectPrincipalPolicies,
  gatherPermissionEvidence,
  getIdentity,
  isCredentialsError,
  validateAwsPermissions,
  type AwsAccessOptions,
} from '../../src/identity/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePolicies, parsePolicyDocument, parsePolicyText } from '../../src/policy/analysis/index.js';
import { describeRegionsHandler } from '../support/aws/ec2.js';
import { iamHandler } from '../support/aws/iam.js';
import {
  errorResponse,
  startAwsServer,
  stsHandler,
  type AwsTestServer,
  type ServiceHandler,
} from '../support/awsServer.js';

const ACCOUNT = '123456789012';
const READ_ONLY_ARN = 'arn:aws:iam::aws:policy/ReadOnlyAccessLike';
const readOnly = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 's3:List*', 's3:GetObject'], Resource: '*' }],
};
const stray = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Stray', Effect: 'Allow', Action: ['s3:PutObject', 'iam:PassRole'], Resource: '*' }],
};

const describeRegions = describeRegionsHandler('eu-west-1');

const iam = iamHandler({
  pageSize: 1,
  policies: {
    [READ_ONLY_ARN]: { document: readOnly, defaultVersionId: 'v3' },
    'arn:aws:iam::123456789012:policy/team-write': { document: stray },
  },
  roles: {
    'inventag-reader': { attached: [READ_ONLY_ARN] },
    'stray-writer': { attached: [READ_ONLY_ARN], inline: { extra: stray } },
    AWSReservedSSO_ReadOnly_0123456789abcdef: { attached: [READ_ONLY_ARN], inline: { 'sso-inline': readOnly } },
  },
  users: { alice: { attached: [READ_ONLY_ARN], inline: { own: readOnly }, groups: ['devs', 'ops'] } },
  groups: {
    devs: { attached: [READ_ONLY_ARN, 'arn:aws:iam::123456789012:policy/team-write'] },
    ops: { inline: { 'ops-read': readOnly } },
  },
});

/** A real, if in-memory, audit trail: shows that every call went through the guard. */
class MemoryAudit implements AuditSink {
  readonly attempts: AuditAttempt[] = [];
  readonly outcomes: AuditOutcome[] = [];
  recordAttempt(attempt: AuditAttempt) {
    this.attempts.push(attempt);
    return { auditId: String(this.attempts.length) };
  }
  recordOutcome(_id: string, outcome: AuditOutcome) {
    this.outcomes.push(outcome);
  }
}

async function serverAs(arn: string, userId: string, extra: ServiceHandler[] = []): Promise<AwsTestServer> {
  return startAwsServer({ handlers: [...extra, stsHandler({ account: ACCOUNT, arn, userId }), describeRegions, iam] });
}

const access = (
  server: AwsTestServer,
  accessKeyId = 'ASIATESTTEMPORARY001',
  extra: AwsAccessOptions = {},
): AwsAccessOptions => ({
  endpoint: server.url,
  region: 'us-east-1',
  credentials: { accessKeyId, secretAccessKey: 'test', sessionToken: 'token' },
  maxAttempts: 1,
  ...extra,
});

describe('identity and permissions against the loopback AWS server', () => {
  const servers: AwsTestServer[] = [];
  const start = async (...args: Parameters<typeof serverAs>) => {
    const server = await serverAs(...args);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('reads an assumed role with temporary credentials', async () => {
    const server = await start('arn:aws:sts::123456789012:assumed-role/inventag-reader/ci-42', 'AROAEXAMPLE:ci-42');
    const me = await getIdentity(access(server));
    expect(me).toMatchObject({
      type: IdentityType.ASSUMED_ROLE,
      account: ACCOUNT,
      roleName: 'inventag-reader',
      sessionName: 'ci-42',
      userId: 'AROAEXAMPLE:ci-42',
    });
    expect(me.credentialKind).toBe(CredentialKind.TEMPORARY);
    expect(me.accessKeyId).toBe('ASIA…Y001');
    expect(me.findings).toEqual([]);
    expect(server.count({ service: 'sts', operation: 'GetCallerIdentity' })).toBe(1);
  });

  it('flags an IAM user with a long-term key', async () => {
    const server = await start('arn:aws:iam::123456789012:user/alice', 'AIDAEXAMPLE');
    const me = await getIdentity(access(server, 'AKIAIOSFODNN7EXAMPLE'));
    expect(me.type).toBe(IdentityType.IAM_USER);
    expect(me.credentialKind).toBe(CredentialKind.LONG_TERM);
    expect(me.findings.map((f) => `${f.severity} ${f.id}`)).toEqual(['MEDIUM identity.long-term-key']);
  });

  it('explains expired credentials with the command to run', async () => {
    const expired: ServiceHandler = {
      name: 'expired',
      matches: (req) => req.service === 'sts',
      handle: (req) => errorResponse(req, 403, 'ExpiredToken', 'The security token included in the request is expired'),
    };
    const server = await start('arn:aws:iam::123456789012:user/alice', 'AIDA', [expired]);
    const error = await getIdentity(access(server, 'ASIAEXPIRED', { profile: 'prod-ro' })).catch((e: unknown) => e);
    expect(isCredentialsError(error)).toBe(true);
    expect((error as Error).message).toMatch(/expired.*aws sso login --profile prod-ro/);
  });

  it('reports INVALID with the fix when the credentials have expired, and sends no other probe', async () => {
    const expired: ServiceHandler = {
      name: 'expired',
      matches: (req) => req.service === 'sts',
      handle: (req) => errorResponse(req, 403, 'ExpiredToken', 'The security token included in the request is expired'),
    };
    const server = await start('arn:aws:iam::123456789012:user/alice', 'AIDA', [expired]);
    const result = await validateAwsPermissions(undefined, access(server, 'ASIAEXPIRED', { profile: 'ops' }));
    expect(result.overallStatus).toBe(OverallPermissionStatus.INVALID);
    expect(result.userIdentity).toBeNull();
    expect(
      result.permissionChecks.every(
        (c) => c.status === PermissionStatus.ERROR && /aws sso login --profile ops/.test(c.message),
      ),
    ).toBe(true);
    expect(result.recommendations[0]).toMatch(/^Fix the credentials: /);
    expect(server.requests.map((r) => r.service)).toEqual(['sts']);
  });

  it('passes the seed default probes through the guard', async () => {
    const server = await start('arn:aws:sts::123456789012:assumed-role/inventag-reader/s', 'AROA:s');
    const audit = new MemoryAudit();
    const result = await validateAwsPermissions(undefined, access(server, undefined, { guard: { audit } }));
    expect(result.overallStatus).toBe(OverallPermissionStatus.VALID);
    expect(result.permissionChecks.map((c) => `${c.service}:${c.operation}=${c.status}`)).toEqual([
      'sts:get_caller_identity=PASSED',
      'ec2:describe_regions=PASSED',
      's3:list_buckets=PASSED',
    ]);
    expect(result.userIdentity?.roleName).toBe('inventag-reader');
    expect(Date.parse(result.timestamp)).not.toBeNaN();
    expect(audit.attempts.map((a) => `${a.iamAction}:${a.decision}`)).toEqual([
      'sts:GetCallerIdentity:allowed',
      'ec2:DescribeRegions:allowed',
      's3:ListAllMyBuckets:allowed',
    ]);
    expect(server.requests).toHaveLength(3);
    expect(result.recommendations.at(-1)).toMatch(/^Read access works/);
  });

  it('reports FAILED on AccessDenied, BLOCKED for a writing probe (never sent) and ERROR otherwise', async () => {
    const denyRegions: ServiceHandler = {
      name: 'deny-regions',
      matches: (req) => req.service === 'ec2' && req.operation === 'DescribeRegions',
      handle: (req) =>
        errorResponse(req, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.'),
    };
    const server = await start('arn:aws:sts::123456789012:assumed-role/inventag-reader/s', 'AROA:s', [denyRegions]);
    server.inject({ kind: 'error', service: 's3', operation: 'ListBuckets', status: 500 });
    const probes = [
      { service: 'sts', operation: 'get_caller_identity' },
      { service: 'ec2', operation: 'describe_regions' },
      { service: 's3', operation: 'create_bucket', input: { Bucket: 'evil' } },
      { service: 's3', operation: 'list_buckets' },
      { service: 'nosuchsvc', operation: 'describe_things' },
    ];
    const result = await validateAwsPermissions(probes, access(server));
    expect(result.permissionChecks.map((c) => c.status)).toEqual([
      PermissionStatus.PASSED,
      PermissionStatus.FAILED,
      PermissionStatus.BLOCKED,
      PermissionStatus.ERROR,
      PermissionStatus.ERROR,
    ]);
    expect(result.overallStatus).toBe(OverallPermissionStatus.PARTIAL);
    expect(result.permissionChecks[1]?.errorCode).toBe('UnauthorizedOperation');
    expect(result.permissionChecks[4]?.message).toMatch(/no AWS SDK v3 client is installed for "nosuchsvc"/);
    expect(server.count({ service: 's3', operation: 'CreateBucket' })).toBe(0);
    expect(result.recommendations.join('\n')).toMatch(/Remove the probe s3:create_bucket/);
    expect(result.recommendations.join('\n')).toMatch(/Grant the read permissions .*ec2:describe_regions/);
  });

  it("collects a role's managed (default version) and inline policies with paged IAM calls", async () => {
    const server = await start('arn:aws:sts::123456789012:assumed-role/stray-writer/s', 'AROA:s');
    const me = await getIdentity(access(server));
    const progress: string[] = [];
    const collected = await collectPrincipalPolicies(me, {
      ...access(server),
      onProgress: (label, counts) =>
        progress.push(
          counts
            ? `${label}: ${counts.done}${counts.total === undefined ? '' : `/${counts.total}`} ${counts.unit}`
            : label,
        ),
    });
    expect(collected.policies.map((p) => p.source)).toEqual([
      `managed:${READ_ONLY_ARN}@v3`,
      'inline:role/stray-writer/extra',
    ]);
    // Every policy name is listed first, so the reading has a total.
    const ops = server.requests.filter((r) => r.service === 'iam').map((r) => r.operation);
    expect(ops).toEqual([
      'ListAttachedRolePolicies',
      'ListRolePolicies',
      'GetPolicy',
      'GetPolicyVersion',
      'GetRolePolicy',
    ]);
    expect(progress.filter((p) => p.includes(': '))).toEqual([
      'listing IAM policies of role/stray-writer: 1 policies found',
      'listing IAM policies of role/stray-writer: 2 policies found',
      'reading IAM policies of role/stray-writer: 0/2 policies',
      'reading IAM policies of role/stray-writer: 1/2 policies',
      'reading IAM policies of role/stray-writer: 2/2 policies',
    ]);
    const report = analyzePolicies(collected.documents);
    expect(report.readOnly).toBe(false);
    expect(report.writes.flatMap((g) => g.actions.map((a) => a.action))).toEqual(['iam:PassRole', 's3:PutObject']);
    expect(report.writes[0]?.actions[0]?.allowedBy).toEqual(['inline:role/stray-writer/extra Statement[0] (Stray)']);
    expect(collected.notEvaluated).toContain('permission boundary');
  });

  it("collects a user's own and group policies, a shared managed policy once, following Marker pages", async () => {
    const server = await start('arn:aws:iam::123456789012:user/alice', 'AIDA');
    const me = await getIdentity(access(server));
    const collected = await collectPrincipalPolicies(me, {
      ...access(server),
      client: new IAMClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
      }),
    });
    expect(collected.policies.map((p) => `${p.group ?? '-'} ${p.source}`)).toEqual([
      `- managed:${READ_ONLY_ARN}@v3`,
      '- inline:user/alice/own',
      'devs managed:arn:aws:iam::123456789012:policy/team-write@v1',
      'ops inline:group/ops/ops-read',
    ]);
    // pageSize 1: devs has two attached policies, so two pages
    expect(server.count({ service: 'iam', operation: 'ListAttachedGroupPolicies' })).toBe(3);
    expect(server.count({ service: 'iam', operation: 'ListGroupsForUser' })).toBe(2);
  });

  it('says which IAM call was denied', async () => {
    const server = await startAwsServer({
      handlers: [
        stsHandler({ account: ACCOUNT, arn: 'arn:aws:sts::123456789012:assumed-role/stray-writer/s', userId: 'x' }),
        iamHandler({ roles: { 'stray-writer': { inline: { a: readOnly } } }, deny: ['GetRolePolicy'] }),
      ],
    });
    servers.push(server);
    const me = await getIdentity(access(server));
    await expect(collectPrincipalPolicies(me, access(server))).rejects.toMatchObject({
      name: 'PolicyCollectionError',
      message: expect.stringMatching(/IAM denied iam:GetRolePolicy.*policies\/inventag-readonly\.json/),
    });
  });

  it('gathers identity, probes and policy analysis for an SSO session', async () => {
    const server = await start(
      'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/alice@example.com',
      'AROA:alice@example.com',
    );
    const evidence = await gatherPermissionEvidence(access(server));
    expect(evidence.identity).toMatchObject({ type: IdentityType.SSO, permissionSet: 'ReadOnly' });
    expect(evidence.probes.overallStatus).toBe('VALID');
    expect(evidence.writeVerdict).toBe(WriteVerdict.READ_ONLY);
    expect(evidence.analysis?.sensitiveReads.map((r) => r.action)).toContain('s3:GetObject');
    expect(evidence.policies).toHaveLength(2);
    expect(evidence.recommendations.join('\n')).toMatch(/Sensitive reads are allowed/);
    expect(evidence.recommendations.join('\n')).not.toMatch(/Read access works|Remove the non-read actions/);
    // One GetCallerIdentity serves both the identity and the sts probe.
    expect(server.count({ service: 'sts' })).toBe(1);
  });

  it('treats the root user as allowed everything', async () => {
    const server = await start('arn:aws:iam::123456789012:root', ACCOUNT);
    const evidence = await gatherPermissionEvidence(access(server, 'AKIAROOTKEY000000001'));
    expect(evidence.identity?.findings.map((f) => f.severity)).toEqual(['HIGH', 'MEDIUM']);
    expect(evidence.writeVerdict).toBe(WriteVerdict.WRITES_ALLOWED);
    expect(evidence.analysis?.writes[0]?.rank).toBe('permissions-management');
    expect(evidence.recommendations.join('\n')).toMatch(/Remove the non-read actions/);
    expect(server.count({ service: 'iam' })).toBe(0);
  });

  it('needs nothing outside policies/inventag-readonly.json for probes and policy collection', async () => {
    const path = join(import.meta.dirname, '..', '..', 'policies', 'inventag-readonly.json');
    const own = parsePolicyText(readFileSync(path, 'utf8'), 'inventag-readonly.json');
    const audit = new MemoryAudit();
    for (const arn of [
      'arn:aws:iam::123456789012:user/alice',
      'arn:aws:sts::123456789012:assumed-role/stray-writer/s',
    ]) {
      const server = await start(arn, 'ID');
      const evidence = await gatherPermissionEvidence(access(server, undefined, { guard: { audit } }));
      expect(evidence.collectionError).toBeUndefined();
    }
    const used = [...new Set(audit.attempts.map((a) => a.iamAction ?? `${a.service}:${a.operation}`))].sort();
    expect(used).toEqual(
      expect.arrayContaining([
        'iam:GetGroupPolicy',
        'iam:GetPolicyVersion',
        'iam:GetRolePolicy',
        'iam:ListGroupsForUser',
        's3:ListAllMyBuckets',
        'sts:GetCallerIdentity',
      ]),
    );
    for (const action of used) {
      // Deny everything but this one action: it survives only if the policy allows it.
      const only = parsePolicyDocument(
        { Version: '2012-10-17', Statement: [{ Effect: 'Deny', NotAction: action, Resource: '*' }] },
        'only',
      );
      expect(analyzePolicies([own, only]).counts.total, action).toBe(1);
    }
  });
});
