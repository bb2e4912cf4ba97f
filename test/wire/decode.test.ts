import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { decodeRequest, parseAuthorizationHeader, type WireRequest } from '../../src/wire/index.js';

const credentials = { accessKeyId: 'AKIDWIRE', secretAccessKey: 'wire-secret' };

/** A real SDK v3 client whose HTTP handler hands back the signed request instead of sending it. */
async function signedRequestOf(
  make: (config: object) => { send(command: unknown): Promise<unknown> },
  command: unknown,
): Promise<WireRequest> {
  let seen: WireRequest | undefined;
  const requestHandler = {
    handle: (request: WireRequest) => {
      seen = request;
      return Promise.reject(new Error('captured'));
    },
  };
  const client = make({ region: 'eu-west-1', credentials, requestHandler, maxAttempts: 1 });
  await client.send(command).catch(() => undefined);
  if (seen === undefined) throw new Error('the client sent nothing');
  return seen;
}

describe('decodeRequest with SDK v3 requests (smithy HttpRequest objects)', () => {
  const cases: [string, () => Promise<WireRequest>, string, string][] = [
    [
      'S3 GetObject, virtual-hosted',
      () => signedRequestOf((c) => new S3Client(c), new GetObjectCommand({ Bucket: 'my-bucket', Key: 'a/b.txt' })),
      's3',
      'GetObject',
    ],
    [
      'S3 GetObjectTagging',
      () => signedRequestOf((c) => new S3Client(c), new GetObjectTaggingCommand({ Bucket: 'b', Key: 'k' })),
      's3',
      'GetObjectTagging',
    ],
    [
      'S3 ListObjectsV2',
      () => signedRequestOf((c) => new S3Client(c), new ListObjectsV2Command({ Bucket: 'b' })),
      's3',
      'ListObjectsV2',
    ],
    [
      'S3 PutObject',
      () =>
        signedRequestOf(
          (c) => new S3Client({ ...c, forcePathStyle: true }),
          new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }),
        ),
      's3',
      'PutObject',
    ],
    [
      'EC2 DescribeInstances',
      () => signedRequestOf((c) => new EC2Client(c), new DescribeInstancesCommand({})),
      'ec2',
      'DescribeInstances',
    ],
    [
      'EC2 RunInstances',
      () => signedRequestOf((c) => new EC2Client(c), new RunInstancesCommand({ MinCount: 1, MaxCount: 1 })),
      'ec2',
      'RunInstances',
    ],
    ['IAM ListUsers', () => signedRequestOf((c) => new IAMClient(c), new ListUsersCommand({})), 'iam', 'ListUsers'],
    [
      'STS GetCallerIdentity',
      () => signedRequestOf((c) => new STSClient(c), new GetCallerIdentityCommand({})),
      'sts',
      'GetCallerIdentity',
    ],
    [
      'DynamoDB GetItem',
      () =>
        signedRequestOf((c) => new DynamoDBClient(c), new GetItemCommand({ TableName: 't', Key: { id: { S: '1' } } })),
      'dynamodb',
      'GetItem',
    ],
    [
      'DynamoDB PutItem',
      () =>
        signedRequestOf((c) => new DynamoDBClient(c), new PutItemCommand({ TableName: 't', Item: { id: { S: '1' } } })),
      'dynamodb',
      'PutItem',
    ],
    [
      'Lambda ListFunctions',
      () => signedRequestOf((c) => new LambdaClient(c), new ListFunctionsCommand({})),
      'lambda',
      'ListFunctions',
    ],
    [
      'Lambda Invoke',
      () => signedRequestOf((c) => new LambdaClient(c), new InvokeCommand({ FunctionName: 'f' })),
      'lambda',
      'Invoke',
    ],
    [
      'CloudTrail LookupEvents',
      () => signedRequestOf((c) => new CloudTrailClient(c), new LookupEventsCommand({})),
      'cloudtrail',
      'LookupEvents',
    ],
  ];
  for (const [name, make, signingName, operation] of cases) {
    it(name, async () => {
      const request = await make();
      const decision = decodeRequest(request);
      expect(decision).toMatchObject({
        ok: true,
        signingName,
        operation,
        region: signingName === 'iam' ? 'us-east-1' : 'eu-west-1',
        known: true,
      });
    });
  }

  it('names the bucket of a virtual-hosted S3 request', async () => {
    const request = await signedRequestOf(
      (c) => new S3Client(c),
      new GetObjectCommand({ Bucket: 'my.bucket', Key: 'k' }),
    );
    expect(decodeRequest(request)).toMatchObject({ ok: true, bucket: 'my.bucket', operation: 'GetObject' });
  });
});

const auth = (service: string, region = 'us-east-1') =>
  `AWS4-HMAC-SHA256 Credential=AKIDX/20260101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;

describe('decodeRequest on raw requests', () => {
  it('reads Action from the query string and from a form body', () => {
    expect(
      decodeRequest({
        method: 'GET',
        path: '/?Action=ListUsers&Version=2010-05-08',
        headers: { authorization: auth('iam') },
      }),
    ).toMatchObject({ ok: true, operation: 'ListUsers', protocol: 'query', source: 'action' });
    expect(
      decodeRequest({
        method: 'POST',
        path: '/',
        headers: { Authorization: auth('ec2'), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new TextEncoder().encode('Action=TerminateInstances&Version=2016-11-15'),
      }),
    ).toMatchObject({ ok: true, operation: 'TerminateInstances', protocol: 'ec2' });
  });

  it('reads X-Amz-Target, JSON 1.0 and 1.1, long and short prefixes', () => {
    expect(
      decodeRequest({
        method: 'POST',
        path: '/',
        headers: {
          authorization: auth('dynamodb'),
          'x-amz-target': 'DynamoDB_20120810.Scan',
          'content-type': 'application/x-amz-json-1.0',
        },
      }),
    ).toMatchObject({ ok: true, operation: 'Scan', protocol: 'json', service: { id: 'DynamoDB' } });
    expect(
      decodeRequest({
        method: 'POST',
        path: '/',
        headers: { authorization: auth('dynamodb'), 'x-amz-target': 'DynamoDBStreams_20120810.GetRecords' },
      }),
    ).toMatchObject({ ok: true, operation: 'GetRecords', service: { id: 'DynamoDB Streams' } });
    expect(
      decodeRequest({
        method: 'POST',
        path: '/',
        headers: {
          authorization: auth('cloudtrail'),
          'x-amz-target': 'CloudTrail_20131101.LookupEvents',
          'content-type': 'application/x-amz-json-1.1',
        },
      }),
    ).toMatchObject({ ok: true, operation: 'LookupEvents' });
  });

  it('marks an operation named on the wire but absent from the table as not known', () => {
    expect(
      decodeRequest({
        method: 'POST',
        path: '/',
        headers: { authorization: auth('dynamodb'), 'x-amz-target': 'DynamoDB_20120810.SomeFutureRead' },
      }),
    ).toMatchObject({ ok: true, operation: 'SomeFutureRead', known: false });
  });

  it('reads the RPC v2 CBOR path', () => {
    expect(
      decodeRequest({
        method: 'POST',
        path: '/service/GraniteServiceVersion20100801/operation/GetMetricData',
        headers: { authorization: auth('monitoring'), 'smithy-protocol': 'rpc-v2-cbor' },
      }),
    ).toMatchObject({ ok: true, operation: 'GetMetricData', protocol: 'smithy-rpc-v2-cbor' });
  });

  it('flags presigned URLs and streaming payloads', () => {
    const presigned = decodeRequest({
      method: 'GET',
      path: `/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDX%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=${'b'.repeat(64)}`,
      headers: {},
    });
    expect(presigned).toMatchObject({ ok: true, operation: 'GetObject', presigned: true });
    expect(
      decodeRequest({
        method: 'PUT',
        path: '/b/k',
        headers: { authorization: auth('s3'), 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' },
      }),
    ).toMatchObject({ ok: true, operation: 'PutObject', streamingPayload: true });
  });

  it('fails closed on what it cannot identify', () => {
    const cases: [WireRequest, string][] = [
      [{ method: 'GET', path: '/', headers: {} }, 'unsigned'],
      [
        { method: 'GET', path: '/', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=nope' } },
        'malformed-signature',
      ],
      [{ method: 'GET', path: '/', headers: { authorization: 'AWS AKID:sig' } }, 'malformed-signature'],
      [{ method: 'GET', path: '/', headers: { authorization: auth('no-such-service') } }, 'unknown-service'],
      [{ method: 'PATCH', path: '/b/k', headers: { authorization: auth('s3') } }, 'unknown-operation'],
      [{ method: 'POST', path: '/', headers: { authorization: auth('iam') } }, 'body-required'],
      [
        { method: 'POST', path: '/', headers: { authorization: auth('iam') }, body: 'Version=2010-05-08' },
        'unknown-operation',
      ],
      [
        { method: 'GET', path: '/?Action=List%3CUsers%3E', headers: { authorization: auth('iam') } },
        'unknown-operation',
      ],
      [
        { method: 'POST', path: '/', headers: { authorization: auth('dynamodb'), 'x-amz-target': 'NoDot' } },
        'unknown-operation',
      ],
      [
        { method: 'POST', path: '/', headers: { authorization: auth('dynamodb'), 'x-amz-target': 'Other_2020.Scan' } },
        'unknown-service',
      ],
    ];
    for (const [request, reason] of cases)
      expect(decodeRequest(request), JSON.stringify(request)).toMatchObject({ ok: false, reason });
  });

  it('parses the Authorization header strictly', () => {
    expect(parseAuthorizationHeader(auth('s3'))).toMatchObject({
      ok: true,
      authorization: { accessKeyId: 'AKIDX', service: 's3', signedHeaders: ['host', 'x-amz-date'] },
    });
    expect(parseAuthorizationHeader(`${auth('s3')}, Signature=${'c'.repeat(64)}`)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(parseAuthorizationHeader(auth('s3').replace('a'.repeat(64), 'zz'))).toMatchObject({ ok: false });
  });
});
