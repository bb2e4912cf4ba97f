import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import {
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  paginateListObjectsV2,
  S3Client,
  waitUntilBucketExists,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clientConfig,
  ec2Handler,
  jsonResult,
  makeInstances,
  startAwsServer,
  type AwsTestServer,
} from './awsServer.js';

describe('loopback AWS server', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer({ handlers: [ec2Handler({ instances: makeInstances(12) })] });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('answers STS GetCallerIdentity in the query protocol', async () => {
    const sts = new STSClient(clientConfig(server));
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('123456789012');
    expect(identity.Arn).toBe('arn:aws:iam::123456789012:user/inventag-reader');
    const [req] = server.requests;
    expect(req).toMatchObject({
      service: 'sts',
      operation: 'GetCallerIdentity',
      protocol: 'query',
      region: 'us-east-1',
      method: 'POST',
    });
  });

  it('pages EC2 DescribeInstances with NextToken', async () => {
    const ec2 = new EC2Client(clientConfig(server));
    const ids: string[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      for (const reservation of page.Reservations ?? [])
        for (const instance of reservation.Instances ?? []) ids.push(instance.InstanceId ?? '');
    }
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(server.count({ service: 'ec2', operation: 'DescribeInstances' })).toBe(3);
    expect(server.requests[1]?.params.NextToken).toBeTruthy();
  });

  it('refuses a forged page token with a typed error', async () => {
    const ec2 = new EC2Client(clientConfig(server));
    await expect(ec2.send(new DescribeInstancesCommand({ NextToken: 'bogus', MaxResults: 5 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('answers S3 ListBuckets, pages ListObjectsV2 and satisfies the bucket-exists waiter', async () => {
    const s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['inventag-logs']);
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 2 },
      { Bucket: 'inventag-logs', Prefix: 'AWSLogs/' },
    )) {
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
    }
    expect(keys).toEqual(['AWSLogs/a.json.gz', 'AWSLogs/b.json.gz', 'AWSLogs/c.json.gz']);
    expect(server.count({ service: 's3', operation: 'ListObjectsV2' })).toBe(2);
    const waited = await waitUntilBucketExists({ client: s3, maxWaitTime: 10 }, { Bucket: 'inventag-logs' });
    expect(waited.state).toBe('SUCCESS');
    const object = await s3.send(new GetObjectCommand({ Bucket: 'inventag-logs', Key: 'AWSLogs/a.json.gz' }));
    expect(await object.Body?.transformToString()).toBe('content of AWSLogs/a.json.gz');
    await expect(s3.send(new GetObjectCommand({ Bucket: 'inventag-logs', Key: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'missing' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('pages Lambda ListFunctions and answers DynamoDB GetItem', async () => {
    const lambda = new LambdaClient(clientConfig(server));
    const names: string[] = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 2 }, {}))
      names.push(...(page.Functions ?? []).map((f) => f.FunctionName ?? ''));
    expect(names).toEqual(['fn-1', 'fn-2', 'fn-3']);
    expect(server.count({ service: 'lambda', operation: 'ListFunctions' })).toBe(2);

    const ddb = new DynamoDBClient(clientConfig(server));
    const found = await ddb.send(new GetItemCommand({ TableName: 'inventory', Key: { id: { S: 'i-1' } } }));
    expect(found.Item?.owner).toEqual({ S: 'ops' });
    const missing = await ddb.send(new GetItemCommand({ TableName: 'inventory', Key: { id: { S: 'nope' } } }));
    expect(missing.Item).toBeUndefined();
    await expect(ddb.send(new GetItemCommand({ TableName: 'other', Key: { id: { S: 'x' } } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(server.requests.at(-1)).toMatchObject({ service: 'dynamodb', operation: 'GetItem', protocol: 'json' });
  });

  it('answers operations without a handler with an empty success', async () => {
    const iam = new IAMClient(clientConfig(server));
    const users = await iam.send(new ListUsersCommand({}));
    expect(users.Users ?? []).toEqual([]);
    const trail = new CloudTrailClient(clientConfig(server));
    const events = await trail.send(new LookupEventsCommand({}));
    expect(events.Events ?? []).toEqual([]);
    expect(server.requests.map((r) => `${r.service}:${r.operation}`)).toEqual([
      'iam:ListUsers',
      'cloudtrail:LookupEvents',
    ]);
  });

  it('lets a handler added later take precedence', async () => {
    server.addHandler({
      name: 'trail-events',
      matches: (req) => req.operation === 'LookupEvents',
      handle: (req) => jsonResult(req, { Events: [{ EventId: 'e-1', EventName: 'DescribeInstances' }] }),
    });
    const trail = new CloudTrailClient(clientConfig(server));
    const events = await trail.send(new LookupEventsCommand({}));
    expect(events.Events?.[0]?.EventName).toBe('DescribeInstances');
  });
});

describe('loopback AWS server faults', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('throttles in each protocol shape so the SDK sees ThrottlingException', async () => {
    server.inject({ kind: 'throttle' });
    const once = { maxAttempts: 1 };
    await expect(
      new EC2Client(clientConfig(server, once)).send(new DescribeInstancesCommand({})),
    ).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    await expect(
      new STSClient(clientConfig(server, once)).send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(
      new DynamoDBClient(clientConfig(server, once)).send(new GetItemCommand({ TableName: 't', Key: {} })),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(
      new S3Client({ ...clientConfig(server, once), forcePathStyle: true }).send(new ListBucketsCommand({})),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(server.count((r) => r.fault === 'throttle')).toBe(4);
  });

  it('applies a fault a limited number of times to one operation, so SDK retries recover', async () => {
    const fault = server.inject({
      kind: 'error',
      status: 503,
      service: 'ec2',
      operation: 'DescribeInstances',
      times: 2,
    });
    const ec2 = new EC2Client(clientConfig(server));
    const sts = new STSClient(clientConfig(server));
    await sts.send(new GetCallerIdentityCommand({}));
    const result = await ec2.send(new DescribeInstancesCommand({}));
    expect(result.Reservations).toHaveLength(3);
    expect(result.$metadata.attempts).toBe(3);
    expect(fault.hits).toBe(2);
    expect(fault.remaining).toBe(0);
    expect(server.count({ service: 'ec2' })).toBe(3);
  });

  it('answers 500 InternalError', async () => {
    server.inject({ kind: 'error' });
    const ec2 = new EC2Client(clientConfig(server, { maxAttempts: 1 }));
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('drops connections', async () => {
    server.inject({ kind: 'drop', times: 1 });
    const ec2 = new EC2Client(clientConfig(server, { maxAttempts: 1 }));
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toThrow();
    const retried = await new EC2Client(clientConfig(server)).send(new DescribeInstancesCommand({}));
    expect(retried.Reservations).toHaveLength(3);
    expect(server.count((r) => r.fault === 'drop')).toBe(1);
  });

  it('answers slowly, and a client timeout gives up while the server still holds the request', async () => {
    server.inject({ kind: 'slow', delayMs: 30_000, times: 1 });
    const ec2 = new EC2Client({
      ...clientConfig(server, { maxAttempts: 1 }),
      requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true },
    });
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'TimeoutError' });
    server.inject({ kind: 'slow', delayMs: 20, times: 1 });
    const slow = await new EC2Client(clientConfig(server)).send(new DescribeInstancesCommand({}));
    expect(slow.Reservations).toHaveLength(3);
    expect(server.count((r) => r.fault === 'slow')).toBe(2);
  });
});
