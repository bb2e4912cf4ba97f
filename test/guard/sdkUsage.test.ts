import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client, paginateDescribeInstances, waitUntilInstanceTerminated } from '@aws-sdk/client-ec2';
import { paginateListObjectsV2, S3Client, waitUntilBucketExists } from '@aws-sdk/client-s3';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getInventagPlugin, guardClient, isGuardInstallError } from '../../src/guard/index.js';
import {
  clientConfig,
  ec2Handler,
  makeInstances,
  s3Handler,
  startAwsServer,
  type AwsTestServer,
} from '../support/awsServer.js';
import { blocked, MemoryAudit } from './helpers.js';

describe('the guard with the SDK as people use it', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `logs/${String(i).padStart(3, '0')}.json.gz`);
    const instances = makeInstances(17);
    instances[16] = { ...instances[16]!, state: 'terminated' };
    server = await startAwsServer({
      handlers: [ec2Handler({ instances }), s3Handler({ buckets: { 'inventag-logs': keys } })],
    });
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('audits each page of a paginator', async () => {
    const audit = new MemoryAudit();
    const s3 = guardClient(new S3Client({ ...clientConfig(server), forcePathStyle: true }), { audit });
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 10 }, { Bucket: 'inventag-logs' }))
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
    expect(keys).toHaveLength(25);
    expect(server.count({ operation: 'ListObjectsV2' })).toBe(3);
    expect(audit.entries.map((e) => [e.operation, e.iamAction, e.decision, e.outcome?.success])).toEqual(
      Array(3).fill(['ListObjectsV2', 's3:ListBucket', 'allowed', true]),
    );

    const ec2 = guardClient(new EC2Client(clientConfig(server)), { audit });
    let instances = 0;
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {}))
      instances += (page.Reservations ?? []).length;
    expect(instances).toBe(17);
    expect(server.count({ operation: 'DescribeInstances' })).toBe(4);
    expect(audit.entries).toHaveLength(7);
  });

  it('guards each poll of a waiter', async () => {
    const audit = new MemoryAudit();
    const s3 = guardClient(new S3Client({ ...clientConfig(server), forcePathStyle: true }), { audit });
    const result = await waitUntilBucketExists({ client: s3, maxWaitTime: 10 }, { Bucket: 'inventag-logs' });
    expect(result.state).toBe('SUCCESS');
    expect(audit.entries.map((e) => [e.iamAction, e.decision])).toEqual([['s3:ListBucket', 'allowed']]);
    expect(server.count({ operation: 'HeadBucket' })).toBe(1);

    // A waiter polls with a read (DescribeInstances): allowed, even though it waits for a terminate.
    const ec2 = guardClient(new EC2Client(clientConfig(server)), { audit });
    const waited = await waitUntilInstanceTerminated(
      { client: ec2, maxWaitTime: 30 },
      { InstanceIds: ['i-00000000000000017'] },
    );
    expect(waited.state).toBe('SUCCESS');
    expect(server.requests.at(-1)?.params['InstanceId.1']).toBe('i-00000000000000017');
    expect(audit.entries.at(-1)).toMatchObject({
      iamAction: 'ec2:DescribeInstances',
      decision: 'allowed',
      outcome: { success: true },
    });
  });

  it('sees the underlying GetItem / PutItem of a lib-dynamodb document client', async () => {
    const audit = new MemoryAudit();
    const base = guardClient(new DynamoDBClient(clientConfig(server)), { audit });
    const doc = DynamoDBDocumentClient.from(base);

    const got = await doc.send(new GetCommand({ TableName: 'inventory', Key: { id: 'i-1' } }));
    expect(got.Item).toEqual({ id: 'i-1', owner: 'ops', cores: 2 });
    expect(server.requests.at(-1)).toMatchObject({ service: 'dynamodb', operation: 'GetItem' });

    const put = await blocked(doc.send(new PutCommand({ TableName: 'inventory', Item: { id: 'i-2', secret: 'x' } })));
    expect(put.verdict.iamAction).toBe('dynamodb:PutItem');
    expect(put.call).toMatchObject({
      clientName: 'DynamoDBClient',
      commandName: 'PutItemCommand',
      operation: 'PutItem',
    });
    await blocked(doc.send(new DeleteCommand({ TableName: 'inventory', Key: { id: 'i-1' } })));
    expect(server.count()).toBe(1);
    expect(audit.entries.map((e) => [e.iamAction, e.decision])).toEqual([
      ['dynamodb:GetItem', 'allowed'],
      ['dynamodb:PutItem', 'blocked'],
      ['dynamodb:DeleteItem', 'blocked'],
    ]);
    // The document client shares its base client's stack, so it is already guarded.
    let error: unknown;
    try {
      guardClient(doc);
    } catch (e) {
      error = e;
    }
    expect(isGuardInstallError(error)).toBe(true);
  });

  it('guards a document client made from an unguarded base client', async () => {
    const doc = guardClient(DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(server))), getInventagPlugin());
    await blocked(doc.send(new PutCommand({ TableName: 'inventory', Item: { id: 'i-3' } })));
    expect(server.count()).toBe(0);
  });
});
