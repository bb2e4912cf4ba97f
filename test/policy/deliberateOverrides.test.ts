/**
 * Reads with side effects: every row of the deliberate-overrides table is an
 * action IAM calls Read or List, is blocked by the verdict engine with its
 * reason, and (through a real SDK client) never reaches the server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { packageRoot } from '../../src/catalog/data.js';
import { OperationType } from '../../src/constants.js';
import { DELIBERATE_OVERRIDES } from '../../src/policy/deliberateOverrides.js';
import { VerdictEngine } from '../../src/policy/VerdictEngine.js';

const engine = new VerdictEngine();
const levelOf = (iamAction: string): string | undefined => {
  const [prefix, name] = iamAction.split(':') as [string, string];
  const actions = JSON.parse(readFileSync(join(packageRoot(), 'data', 'iam', `${prefix}.json`), 'utf8')) as Record<
    string,
    string
  >;
  return actions[name];
};

describe('the deliberate-overrides table', () => {
  test.each(Object.entries(DELIBERATE_OVERRIDES))('%s: IAM says Read/List, the guard blocks it', (iamAction, row) => {
    // The row corrects the IAM data; an action IAM already calls a write needs no row.
    expect(['R', 'L']).toContain(levelOf(iamAction));
    expect(row.reason.length).toBeGreaterThan(20);
    const [prefix, name] = iamAction.split(':') as [string, string];
    const verdict = engine.decide(prefix, name);
    expect(verdict).toMatchObject({
      isValid: false,
      operationType: OperationType.MUTATING,
      evidence: 'override',
      iamAction,
    });
    expect(verdict.complianceNotes.join('\n')).toContain(`${iamAction} ${row.reason}`);
  });

  test.each([
    'sqs:ReceiveMessage',
    's3-object-lambda:GetObject',
    'logs:StartQuery',
    'sagemaker:InvokeEndpoint',
    'bedrock:InvokeAgent',
    'config:DeliverConfigSnapshot',
  ])('%s is in the table', (iamAction) => {
    expect(DELIBERATE_OVERRIDES[iamAction]).toBeDefined();
  });

  test.each([
    ['athena', 'StartQueryExecution'],
    ['cloudtrail', 'StartQuery'],
    ['kms', 'Decrypt'],
    ['glacier', 'InitiateJob'],
  ])('%s:%s starts a job or changes state and IAM already calls it a write: blocked without a row', (svc, op) => {
    expect(DELIBERATE_OVERRIDES[`${svc}:${op}`]).toBeUndefined();
    expect(engine.decide(svc, op)).toMatchObject({ isValid: false, operationType: OperationType.MUTATING });
  });

  test.each([
    ['kinesis', 'GetRecords'],
    ['kinesis', 'GetShardIterator'],
    ['athena', 'GetQueryResults'],
    ['iam', 'GenerateCredentialReport'],
  ])('%s:%s was reviewed and stays a read', (svc, op) => {
    expect(engine.decide(svc, op)).toMatchObject({ isValid: true, operationType: OperationType.READ_ONLY });
  });
});

describe('operations unknown to the IAM data', () => {
  test.each([
    ['ec2', 'GetAndTerminateInstances', 'Terminate'],
    ['ec2', 'DescribeThenDeleteVolumes', 'Delete'],
    ['s3', 'ListAndPurgeObjects', 'Purge'],
    ['ec2', 'get_and_terminate_instances', 'Terminate'],
  ])('%s:%s starts like a read but contains %s: blocked as mutating', (svc, op, verb) => {
    const verdict = engine.decide(svc, op);
    expect(verdict).toMatchObject({
      isValid: false,
      operationType: OperationType.MUTATING,
      evidence: 'mutating-pattern',
    });
    expect(verdict.complianceNotes.join('\n')).toContain(`contains the mutating verb ${verb}`);
  });

  test.each([
    ['ec2', 'DescribeStartupSettings'],
    ['ec2', 'GetAddressesOfTags'],
    ['ec2', 'ListWidgetSets'],
  ])('%s:%s has no mutating verb as a word of its own: still a read by its name', (svc, op) => {
    expect(engine.decide(svc, op)).toMatchObject({ isValid: true, evidence: 'read-pattern' });
  });
});

describe('through a real S3 client', () => {
  test('GetObject and HeadObject on an Object Lambda access point are blocked before any request; on a bucket they run', async () => {
    const { GetObjectCommand, HeadObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
    const { guardClient, isOperationBlockedError } = await import('../../src/guard/index.js');
    const { MemoryAudit } = await import('../guard/helpers.js');
    const { clientConfig, startAwsServer } = await import('../support/awsServer.js');
    const server = await startAwsServer();
    try {
      const audit = new MemoryAudit();
      const s3 = guardClient(new S3Client({ ...clientConfig(server), forcePathStyle: true }), { audit });
      const accessPoint = 'arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/redact';
      for (const command of [
        new GetObjectCommand({ Bucket: accessPoint, Key: 'k' }),
        new HeadObjectCommand({ Bucket: accessPoint, Key: 'k' }),
      ]) {
        const error = await s3.send(command as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isOperationBlockedError(error)).toBe(true);
      }
      expect(server.count()).toBe(0);
      expect(audit.blocked.map((e) => e.iamAction)).toEqual([
        's3-object-lambda:GetObject',
        's3-object-lambda:GetObject',
      ]);
      await s3.send(new HeadObjectCommand({ Bucket: 'plain-bucket', Key: 'k' })).catch(() => undefined);
      expect(server.count()).toBe(1);
      expect(audit.allowed.map((e) => e.iamAction)).toEqual(['s3:GetObject']);
    } finally {
      await server.close();
    }
  });
});
