import { describe, expect, test } from 'vitest';
import { IDENTITIES, makeRecord } from '../../scripts/trailFixtures.mjs';
import {
  EventClassifier,
  findWritesByPrincipal,
  parseDuration,
  principalMatcher,
  resolveWindow,
  toCloudTrailEvent,
  type CloudTrailEvent,
} from '../../src/cloudtrail/index.js';

const classifier = new EventClassifier();
const T0 = Date.parse('2024-05-01T10:00:00Z');

function event(
  minute: number,
  identity: Record<string, unknown>,
  source: string,
  name: string,
  extra: Record<string, unknown> = {},
): CloudTrailEvent {
  const e = toCloudTrailEvent(
    makeRecord({
      time: new Date(T0 + minute * 60_000),
      region: 'us-east-1',
      identity,
      eventSource: source,
      eventName: name,
      ...extra,
    }),
    classifier,
  );
  if (typeof e === 'string') throw new Error(e);
  return e;
}

const inv = IDENTITIES.inventory;
const otherSession = {
  ...inv,
  arn: 'arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/other-run',
  accessKeyId: 'ASIAEXAMPLEOTHERRUN0',
};

describe('principal forms', () => {
  const events = [
    event(1, inv, 'ec2.amazonaws.com', 'CreateTags'),
    event(2, otherSession, 'ec2.amazonaws.com', 'StopInstances'),
    event(3, IDENTITIES.alice, 'iam.amazonaws.com', 'AttachRolePolicy'),
    event(4, IDENTITIES.deploy, 'ec2.amazonaws.com', 'RunInstances'),
  ];
  test.each([
    [inv.arn, 'assumed-role-session', ['CreateTags']],
    ['arn:aws:sts::123456789012:assumed-role/InventoryReadOnly', 'assumed-role', ['CreateTags', 'StopInstances']],
    ['arn:aws:iam::123456789012:role/InventoryReadOnly', 'role', ['CreateTags', 'StopInstances']],
    ['arn:aws:iam::123456789012:role/service/InventoryReadOnly', 'role', ['CreateTags', 'StopInstances']],
    [inv.accessKeyId, 'access-key', ['CreateTags']],
    [IDENTITIES.alice.arn, 'user', ['AttachRolePolicy']],
  ])('%s matches its own events only', (principal, kind, names) => {
    const a = findWritesByPrincipal(events, principal);
    expect(a.principalKind).toBe(kind);
    expect(a.writes.map((w) => w.eventName)).toEqual(names);
  });

  test('a string that is no principal is refused with the accepted forms', () => {
    expect(principalMatcher('InventoryReadOnly')).toMatch(/is not an IAM or STS ARN .* or an access key id/);
    expect(() => findWritesByPrincipal([], 'arn:aws:s3:::bucket')).toThrow(TypeError);
  });
});

describe('verdicts and findings', () => {
  test('a write CloudTrail calls read-only is still a write, and the disagreement is reported', () => {
    const decrypt = event(1, inv, 'kms.amazonaws.com', 'Decrypt', { readOnly: true });
    expect(decrypt.verdict).toMatchObject({
      iamAction: 'kms:Decrypt',
      operationType: 'mutating',
      agreement: 'disagree',
      isWrite: true,
    });
    const a = findWritesByPrincipal(
      [decrypt, event(2, IDENTITIES.alice, 'kms.amazonaws.com', 'Decrypt', { readOnly: true })],
      inv.arn,
    );
    expect(a.writes.map((w) => w.iamAction)).toEqual(['kms:Decrypt']);
    expect(a.disagreements).toEqual([
      {
        eventSource: 'kms.amazonaws.com',
        eventName: 'Decrypt',
        iamAction: 'kms:Decrypt',
        cloudTrailReadOnly: true,
        operationType: 'mutating',
        count: 2,
      },
    ]);
    expect(a.findings.map((f) => f.severity)).toEqual(['CRITICAL', 'LOW']);
  });

  test('event sources and names map to IAM actions', () => {
    expect(event(0, inv, 'monitoring.amazonaws.com', 'GetMetricData').verdict.iamAction).toBe(
      'cloudwatch:GetMetricData',
    );
    expect(event(0, inv, 'lambda.amazonaws.com', 'ListFunctions20150331').verdict).toMatchObject({
      iamAction: 'lambda:ListFunctions',
      operationType: 'read_only',
    });
    expect(event(0, inv, 'lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2').verdict.isWrite).toBe(true);
    expect(event(0, inv, 's3.amazonaws.com', 'HeadObject').verdict.iamAction).toBe('s3:GetObject');
    expect(event(0, inv, 'tagging.amazonaws.com', 'GetResources').verdict.iamAction).toBe('tag:GetResources');
  });

  test('only reads by the principal: the guarantee holds and nothing is CRITICAL', () => {
    const a = findWritesByPrincipal(
      [
        event(1, inv, 'ec2.amazonaws.com', 'DescribeInstances'),
        event(2, IDENTITIES.deploy, 'ec2.amazonaws.com', 'RunInstances'),
      ],
      inv.arn,
    );
    expect(a.readOnlyGuaranteeHeld).toBe(true);
    expect(a.findings).toEqual([]);
  });
});

describe('correlation with our audit trail', () => {
  const recorded = event(1, inv, 'ec2.amazonaws.com', 'DescribeInstances', { requestId: 'req-1' });
  const byTime = event(5, inv, 's3.amazonaws.com', 'ListBuckets');
  const unguarded = event(30, inv, 'iam.amazonaws.com', 'ListRoles');
  const viaService = event(
    31,
    { ...inv, invokedBy: 'cloudformation.amazonaws.com' },
    'ec2.amazonaws.com',
    'DescribeVpcs',
  );
  const audit = [
    {
      timestamp: new Date(T0 + 60_000 + 400).toISOString(),
      service: 'EC2',
      operation: 'DescribeInstancesCommand',
      requestId: 'req-1',
    },
    {
      timestamp: new Date(T0 + 5 * 60_000 - 2_000).toISOString(),
      service: 'S3Client',
      operation: 'ListBucketsCommand',
      iamAction: 's3:ListAllMyBuckets',
    },
    {
      timestamp: new Date(T0 + 30 * 60_000).toISOString(),
      service: 'iam',
      operation: 'DeleteRole',
      decision: 'blocked' as const,
    },
  ];

  test('calls AWS saw that the audit never recorded are a HIGH finding', () => {
    const a = findWritesByPrincipal([recorded, byTime, unguarded, viaService], inv.arn, { audit });
    expect(a.correlation).toMatchObject({ matched: 2, matchedByRequestId: 1, skippedServiceEvents: 1 });
    expect(a.correlation!.unrecorded.map((e) => e.eventName)).toEqual(['ListRoles']);
    expect(a.findings.map((f) => [f.severity, f.title])).toEqual([
      ['HIGH', 'calls missing from the audit trail (unguarded path)'],
    ]);
  });

  test('a record far from the event in time does not account for it', () => {
    const a = findWritesByPrincipal([byTime], inv.arn, {
      audit: [{ ...audit[1]!, timestamp: new Date(T0 + 60 * 60_000).toISOString() }],
    });
    expect(a.correlation!.unrecorded).toHaveLength(1);
  });
});

describe('time windows', () => {
  const now = new Date('2024-05-10T12:00:00Z');
  test('durations and ISO times', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('soon')).toMatch(/not a duration; use a number and a unit/);
    expect(resolveWindow({ since: '1h' }, now)).toEqual({ start: new Date('2024-05-10T11:00:00Z'), end: now });
    expect(resolveWindow({ start: '2024-05-01' }, now)).toEqual({ start: new Date('2024-05-01T00:00:00Z'), end: now });
    expect(resolveWindow({ start: '2024-05-01T00:00:00' }, now)).toMatch(/not an ISO 8601 time with a zone/);
    expect(resolveWindow({ since: '1h', start: '2024-05-01' }, now)).toMatch(/either --since or --start/);
    expect(resolveWindow({ start: '2024-05-11T00:00:00Z' }, now)).toMatch(/is before the start/);
  });
});
