import { describe, expect, it } from 'vitest';
import { loadCatalogData } from '../../src/catalog/data.js';
import { sensitiveRead } from '../../src/catalog/sensitiveReads.js';
import {
  DangerRank,
  analyzePolicies,
  isSideEffectRead,
  parsePolicyDocument,
  type PolicyAnalysisReport,
} from '../../src/policy/analysis/index.js';

type Statement = Record<string, unknown>;
const policy = (...statements: Statement[]) =>
  parsePolicyDocument({ Version: '2012-10-17', Statement: statements }, 'test.json');
const allow = (action: string | string[], extra: Statement = {}): Statement => ({
  Effect: 'Allow',
  Action: action,
  Resource: '*',
  ...extra,
});
const deny = (action: string | string[], extra: Statement = {}): Statement => ({
  Effect: 'Deny',
  Action: action,
  Resource: '*',
  ...extra,
});

const writeActions = (report: PolicyAnalysisReport, which: 'writes' | 'conditionalWrites' = 'writes') =>
  report[which].flatMap((g) => g.actions.map((a) => a.action));
const catalog = loadCatalogData();
const levelOf = (iamAction: string) => {
  const [prefix, name] = iamAction.split(':') as [string, string];
  return catalog.services.get(prefix)?.actions.get(name.toLowerCase())?.accessLevel;
};
const serviceActions = (prefix: string) => [...(catalog.services.get(prefix)?.actions.values() ?? [])];

describe('policy analysis', () => {
  it('finds no writes in a Read/List-only policy', () => {
    const report = analyzePolicies([
      policy(
        allow(['ec2:Describe*', 's3:ListAllMyBuckets', 's3:GetBucketLocation', 'cloudtrail:LookupEvents', 'iam:List*']),
      ),
    ]);
    expect(report.readOnly).toBe(true);
    expect(report.counts.writeLike).toBe(0);
    expect(report.writes).toEqual([]);
    const describeCount = serviceActions('ec2').filter((a) => a.name.startsWith('Describe')).length;
    expect(report.counts.total).toBe(
      describeCount + 3 + serviceActions('iam').filter((a) => a.name.startsWith('List')).length,
    );
  });

  it('lists every ec2 Write action for "ec2:*"', () => {
    const report = analyzePolicies([policy(allow('ec2:*'))]);
    const expected = serviceActions('ec2')
      .filter((a) => a.accessLevel === 'Write')
      .map((a) => a.iamAction)
      .sort();
    const listedWrites = report.writes
      .filter(
        (g) =>
          g.service === 'ec2' &&
          g.rank !== DangerRank.TAGGING &&
          g.rank !== DangerRank.PERMISSIONS_MANAGEMENT &&
          g.rank !== DangerRank.SIDE_EFFECT_READ,
      )
      .flatMap((g) => g.actions.map((a) => a.action))
      .sort();
    expect(expected.length).toBeGreaterThan(300);
    expect(listedWrites).toEqual(expected);
    expect(report.counts.Write).toBe(expected.length);
    expect(report.readOnly).toBe(false);
    expect(writeActions(report)).toContain('ec2:TerminateInstances');
    expect(writeActions(report).every((a) => a.startsWith('ec2:'))).toBe(true);
  });

  it('drops iam entirely for "*" with a Deny on iam:*', () => {
    const report = analyzePolicies([policy(allow('*'), deny('iam:*'))]);
    const all = writeActions(report);
    expect(all.some((a) => a.startsWith('iam:'))).toBe(false);
    expect(all).toContain('s3:DeleteBucket');
    expect(report.counts.total).toBe(catalog.actionCount - serviceActions('iam').length);
  });

  it('catches the NotAction trick with its writes', () => {
    const report = analyzePolicies([policy({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' })]);
    expect(report.readOnly).toBe(false);
    const all = writeActions(report);
    expect(all).toContain('sts:AssumeRole');
    expect(all).toContain('organizations:LeaveOrganization');
    expect(all.some((a) => a.startsWith('iam:'))).toBe(false);
    expect(report.writes[0]?.rank).toBe(DangerRank.PERMISSIONS_MANAGEMENT);
  });

  it('applies NotAction in a Deny: everything outside it is denied', () => {
    const report = analyzePolicies([
      policy(allow('*'), { Effect: 'Deny', NotAction: ['s3:Get*', 's3:List*'], Resource: '*' }),
    ]);
    expect(report.readOnly).toBe(true);
    expect(report.counts.total).toBe(serviceActions('s3').filter((a) => /^(get|list)/i.test(a.name)).length);
    expect(report.sensitiveReads.map((r) => r.action)).toContain('s3:GetObject');
  });

  it('lists an Allow with a Condition apart', () => {
    const report = analyzePolicies([
      policy(
        allow('s3:ListAllMyBuckets'),
        allow(['s3:PutObject', 's3:GetObject'], {
          Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        }),
      ),
    ]);
    expect(report.counts.writeLike).toBe(0);
    expect(report.writes).toEqual([]);
    expect(writeActions(report, 'conditionalWrites')).toEqual(['s3:PutObject']);
    expect(report.conditionalCounts.Write).toBe(1);
    expect(report.readOnly).toBe(false);
    const getObject = report.sensitiveReads.find((r) => r.action === 's3:GetObject');
    expect(getObject).toMatchObject({ category: 'data', conditional: true });
  });

  it('keeps an action allowed when a Deny applies only under a condition, and marks it', () => {
    const report = analyzePolicies([
      policy(
        allow('s3:DeleteBucket'),
        deny('s3:DeleteBucket', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }),
      ),
    ]);
    expect(report.writes[0]?.actions[0]).toMatchObject({ action: 's3:DeleteBucket', partiallyDenied: true });
  });

  it('expands wildcards in the middle, case-insensitively', () => {
    const report = analyzePolicies([policy(allow('EC2:*instances'))]);
    const expected = serviceActions('ec2')
      .filter((a) => a.name.endsWith('Instances'))
      .map((a) => a.iamAction)
      .sort();
    const got = writeActions(report);
    expect(report.counts.total).toBe(expected.length);
    expect(got).toEqual(expect.arrayContaining(['ec2:RunInstances', 'ec2:TerminateInstances', 'ec2:StartInstances']));
    expect(got).not.toContain('ec2:DescribeInstanceStatus');
    const q = analyzePolicies([policy(allow('s3:GetObjec?'))]);
    expect(q.counts.total).toBe(1);
  });

  it('ranks permissions management, then credential minting, then other writes', () => {
    const report = analyzePolicies([
      policy(
        allow(['s3:PutObject', 'sts:AssumeRole', 'iam:CreateAccessKey', 'iam:AttachRolePolicy', 'ec2:CreateTags']),
      ),
    ]);
    expect(report.writes.map((g) => [g.rank, g.service])).toEqual([
      [DangerRank.PERMISSIONS_MANAGEMENT, 'iam'],
      [DangerRank.CREDENTIAL_MINTING, 'iam'],
      [DangerRank.CREDENTIAL_MINTING, 'sts'],
      [DangerRank.WRITE, 's3'],
      [DangerRank.TAGGING, 'ec2'],
    ]);
    expect(report.counts['Permissions management']).toBe(1);
    expect(report.counts.Tagging).toBe(1);
    expect(report.counts.Write).toBe(3);
  });

  it('reports sensitive reads of the managed ReadOnlyAccess kind', () => {
    const report = analyzePolicies([
      policy(allow(['s3:Get*', 'dynamodb:GetItem', 'secretsmanager:GetSecretValue', 'ec2:Describe*'])),
    ]);
    expect(report.readOnly).toBe(true);
    const byAction = new Map(report.sensitiveReads.map((r) => [r.action, r.category]));
    expect(byAction.get('s3:GetObject')).toBe('data');
    expect(byAction.get('dynamodb:GetItem')).toBe('data');
    expect(byAction.get('secretsmanager:GetSecretValue')).toBe('secret');
    expect(report.sensitiveReads.every((r) => levelOf(r.action) === 'Read' || levelOf(r.action) === 'List')).toBe(true);
  });

  it('counts the reads that change state (the guard blocks them) as writes: never read-only', () => {
    const report = analyzePolicies([policy(allow(['sqs:Get*', 'sqs:ReceiveMessage', 's3-object-lambda:Get*']))]);
    expect(report.readOnly).toBe(false);
    const sideEffects = report.writes.filter((g) => g.rank === DangerRank.SIDE_EFFECT_READ);
    expect(sideEffects.flatMap((g) => g.actions.map((a) => a.action)).sort()).toEqual([
      's3-object-lambda:GetObject',
      's3-object-lambda:GetObjectVersion',
      'sqs:ReceiveMessage',
    ]);
    expect(report.counts).toMatchObject({ sideEffectReads: 3, writeLike: 3, Write: 0 });
    expect(report.sensitiveReads.map((r) => r.action)).not.toContain('sqs:ReceiveMessage');
  });

  it('does not prove read-only when an allowed pattern matches no known action', () => {
    const report = analyzePolicies([
      policy(allow(['s3:ListAllMyBuckets', 'nosuchservice:GetThing', 's3:GetNothingAtAll'])),
    ]);
    expect(report.readOnly).toBe(false);
    expect(report.unrecognised.map((u) => [u.pattern, u.reason])).toEqual([
      ['nosuchservice:GetThing', 'unknown-service'],
      ['s3:GetNothingAtAll', 'no-matching-action'],
    ]);
  });

  it('names the statements that allow an action and whether resources are scoped', () => {
    const report = analyzePolicies([
      policy({ Sid: 'Scoped', Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bucket/*' }),
    ]);
    expect(report.writes[0]?.actions[0]).toMatchObject({
      action: 's3:PutObject',
      allowedBy: ['test.json Statement[0] (Scoped)'],
      resourceScoped: true,
    });
    expect(report.notEvaluated.join(' ')).toMatch(/permission boundaries.*service control policies/);
  });

  it('finds the same sensitive reads as the catalog table, action by action', () => {
    const report = analyzePolicies([policy(allow('*'))]);
    const expected = [...catalog.services.values()]
      .flatMap((svc) => [...svc.actions.values()])
      .filter(
        (a) =>
          (a.accessLevel === 'Read' || a.accessLevel === 'List') &&
          !isSideEffectRead(a.iamAction) &&
          sensitiveRead(a.iamAction) !== undefined,
      )
      .map((a) => `${a.iamAction} ${sensitiveRead(a.iamAction)?.category}`)
      .sort();
    expect(expected.length).toBeGreaterThan(20);
    expect(report.sensitiveReads.map((r) => `${r.action} ${r.category}`).sort()).toEqual(expected);
    expect(report.counts.total).toBe(catalog.actionCount);
  });

  it('finds exactly the non-read actions that verb wildcards catch in a ReadOnlyAccess-shaped policy', () => {
    const all = [...catalog.services.values()].flatMap((svc) => [...svc.actions.values()]);
    const verb = /^(Get|List|Describe)/;
    const patterns = [
      ...new Set(
        all
          .filter((a) => a.accessLevel === 'Read' || a.accessLevel === 'List')
          .map((a) => (verb.test(a.name) ? `${a.service}:${verb.exec(a.name)?.[0]}*` : a.iamAction)),
      ),
    ];
    expect(patterns.length).toBeGreaterThan(1000);
    const report = analyzePolicies([policy(allow(patterns))]);
    // IAM matches case-insensitively: `managedblockchain:Get*` covers `managedblockchain:GET`.
    const covered = (a: (typeof all)[number]) =>
      ['Get', 'List', 'Describe'].some(
        (v) => a.name.toLowerCase().startsWith(v.toLowerCase()) && patterns.includes(`${a.service}:${v}*`),
      );
    const caught = all.filter((a) => a.accessLevel !== 'Read' && a.accessLevel !== 'List' && covered(a));
    expect(caught.map((a) => a.iamAction)).toContain('managedblockchain:GET');
    // Every Read and List action is allowed, so the reads that change state are among the writes too.
    const sideEffects = all.filter(
      (a) => (a.accessLevel === 'Read' || a.accessLevel === 'List') && isSideEffectRead(a.iamAction),
    );
    expect(sideEffects.length).toBeGreaterThan(20);
    expect(writeActions(report).sort()).toEqual([...caught, ...sideEffects].map((a) => a.iamAction).sort());
    expect(caught.length).toBeGreaterThan(10);
    expect(report.counts.Read + report.counts.List).toBe(
      all.filter((a) => a.accessLevel === 'Read' || a.accessLevel === 'List').length,
    );
  });
});
