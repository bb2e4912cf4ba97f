/**
 * The gateway in-process, with real SDK v3 clients in front and the loopback
 * AWS server behind it: reads pass re-signed with the real key, writes and
 * bad requests are refused in the service's protocol, nothing refused reaches
 * the upstream, and every refusal is on the audit trail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { GatewayServer } from '../../src/gateway/index.js';
import { OperationGuard } from '../../src/guard/index.js';
import { parseAuthorizationHeader } from '../../src/wire/index.js';
import { startAwsServer, type AwsRequest, type AwsTestServer } from '../support/awsServer.js';
import { smithySigner } from './smithySigner.js';

const REAL = { accessKeyId: 'AKIDREALGATEWAYTEST1', secretAccessKey: 'real-secret-never-shown' };

let upstream: AwsTestServer;
let gateway: GatewayServer;
let store: AuditStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-gateway-'));
  upstream = await startAwsServer();
  store = AuditStore.open({ path: join(dir, 'audit.db') });
  gateway = new GatewayServer({
    upstream: new URL(upstream.url),
    credentials: () => Promise.resolve(REAL),
    guard: new OperationGuard({ audit: store, recordParameters: true }),
    maxBodyBytes: 64 * 1024,
    headersTimeoutMs: 500,
    requestTimeoutMs: 1000,
  });
  await gateway.listen();
});
afterEach(() => upstream.reset());
afterAll(async () => {
  await gateway.close();
  await upstream.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const attempts = (decision: 'allowed' | 'blocked') =>
  store.tail(10_000).filter((e) => e.kind === 'attempt' && e.decision === decision);

const config = (extra: object = {}) => ({
  endpoint: gateway.url,
  region: 'us-east-1',
  credentials: { ...gateway.session },
  maxAttempts: 1,
  ...extra,
});

/**
 * The upstream saw the gateway's real key, with a signature that an independent signer
 * (`@smithy/signature-v4`, what the SDK signs with) computes under the real secret.
 */
async function expectResigned(req: AwsRequest): Promise<void> {
  const parsed = parseAuthorizationHeader(req.headers.authorization ?? '');
  expect(parsed.ok && parsed.authorization.accessKeyId).toBe(REAL.accessKeyId);
  if (!parsed.ok) return;
  const auth = parsed.authorization;
  const amz = req.headers['x-amz-date'] ?? '';
  const signingDate = new Date(
    `${amz.slice(0, 4)}-${amz.slice(4, 6)}-${amz.slice(6, 8)}T${amz.slice(9, 11)}:${amz.slice(11, 13)}:${amz.slice(13, 15)}Z`,
  );
  const signer = smithySigner(REAL, { region: auth.region, service: auth.service });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: req.headers.host ?? '',
      path: req.path,
      query: { ...req.query },
      headers: Object.fromEntries(auth.signedHeaders.map((h) => [h, req.headers[h] ?? ''])),
      ...(req.body === '' ? {} : { body: req.body }),
    },
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  expect(/Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1]).toBe(auth.signature);
}

function rawRequest(
  options: { method?: string; path?: string; headers?: Record<string, string> },
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('reads pass through, re-signed', () => {
  it('EC2 DescribeInstances (EC2 protocol) returns the upstream data', async () => {
    const ec2 = new EC2Client(config());
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([
      'i-00000000000000001',
      'i-00000000000000002',
      'i-00000000000000003',
    ]);
    expect(upstream.count({ operation: 'DescribeInstances' })).toBe(1);
    await expectResigned(upstream.requests[0]!);
    // The outcome carries the upstream's HTTP status.
    expect(attempts('allowed').find((e) => e.operation === 'DescribeInstances')?.outcome).toMatchObject({
      success: true,
      httpStatus: 200,
    });
  });

  it('IAM (query), DynamoDB (JSON 1.0), CloudTrail (JSON 1.1) and S3 path-style reads', async () => {
    await new IAMClient(config()).send(new ListUsersCommand({}));
    const item = await new DynamoDBClient(config()).send(
      new GetItemCommand({ TableName: 'inventory', Key: { id: { S: 'i-1' } } }),
    );
    expect(item.Item?.owner).toEqual({ S: 'ops' });
    await new CloudTrailClient(config()).send(new LookupEventsCommand({}));
    const s3 = new S3Client(config({ forcePathStyle: true }));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'inventag-logs' }));
    expect(list.Contents?.length).toBe(3);
    const key = list.Contents![0]!.Key!;
    const object = await s3.send(new GetObjectCommand({ Bucket: 'inventag-logs', Key: key }));
    expect(await object.Body?.transformToString()).toBe(`content of ${key}`);
    expect(upstream.requests.map((r) => r.operation)).toEqual(
      expect.arrayContaining(['ListUsers', 'GetItem', 'LookupEvents', 'ListObjectsV2', 'GetObject']),
    );
    for (const req of upstream.requests.filter((r) => r.headers.authorization !== undefined)) await expectResigned(req);
  });
});

describe('writes are refused in the service protocol and never forwarded', () => {
  it('EC2, IAM, DynamoDB and S3 writes', async () => {
    const errors = await Promise.all([
      new EC2Client(config()).send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] })).catch((e: unknown) => e),
      new IAMClient(config()).send(new CreateUserCommand({ UserName: 'x' })).catch((e: unknown) => e),
      new DynamoDBClient(config())
        .send(new PutItemCommand({ TableName: 't', Item: { id: { S: '1' } } }))
        .catch((e: unknown) => e),
      new S3Client(config({ forcePathStyle: true }))
        .send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'data' }))
        .catch((e: unknown) => e),
    ]);
    const shapes = errors.map((e) => {
      const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: err.name, status: err.$metadata?.httpStatusCode, inventag: /InvenTag blocked/.test(err.message) };
    });
    expect(shapes).toEqual([
      { name: 'UnauthorizedOperation', status: 403, inventag: true },
      { name: 'AccessDenied', status: 403, inventag: true },
      { name: 'AccessDeniedException', status: 403, inventag: true },
      { name: 'AccessDenied', status: 403, inventag: true },
    ]);
    expect((errors[0] as Error).message).toContain('ec2:TerminateInstances');
    expect(upstream.requests).toHaveLength(0);
    const blocked = attempts('blocked').map((e) => e.iamAction);
    expect(blocked).toEqual(
      expect.arrayContaining(['ec2:TerminateInstances', 'iam:CreateUser', 'dynamodb:PutItem', 's3:PutObject']),
    );
  });
});

describe('requests the gateway refuses', () => {
  it('another key, or a bad signature: 403 and on the audit trail', async () => {
    const other = new EC2Client(config({ credentials: { accessKeyId: 'AKIDSOMEONEELSE00000', secretAccessKey: 'x' } }));
    await expect(other.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'AuthFailure',
      $metadata: { httpStatusCode: 403 },
    });
    const forged = new EC2Client(
      config({ credentials: { accessKeyId: gateway.session.accessKeyId, secretAccessKey: 'guessed' } }),
    );
    await expect(forged.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    expect(upstream.requests).toHaveLength(0);
    const refused = attempts('blocked').filter((e) => e.operation === 'DescribeInstances');
    expect(refused.map((e) => e.outcome?.errorCode)).toEqual(
      expect.arrayContaining(['AuthFailure', 'SignatureDoesNotMatch']),
    );
    expect(new Set(refused.map((e) => e.outcome?.httpStatus))).toEqual(new Set([403]));
  });

  it('bad input gets a protocol error and nothing is forwarded', async () => {
    const host = new URL(gateway.url).host;
    const auth = (service: string) =>
      `AWS4-HMAC-SHA256 Credential=${gateway.session.accessKeyId}/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;
    const cases: [Parameters<typeof rawRequest>[0], string | undefined, number, string][] = [
      [{ headers: { host: 'evil.example:80' } }, undefined, 400, 'InvalidHostHeader'],
      [{ headers: { host } }, undefined, 403, 'MissingAuthenticationToken'],
      [
        { headers: { host, authorization: 'AWS4-HMAC-SHA256 Credential=broken' } },
        undefined,
        400,
        'IncompleteSignature',
      ],
      [
        { headers: { host, authorization: auth('no-such-service'), 'x-amz-date': '20260101T000000Z' } },
        undefined,
        403,
        'AccessDenied',
      ],
      [
        {
          method: 'PATCH',
          path: '/b/k',
          headers: { host, authorization: auth('s3'), 'x-amz-date': '20260101T000000Z' },
        },
        undefined,
        403,
        'AccessDenied',
      ],
      [
        {
          method: 'POST',
          headers: { host, authorization: auth('iam'), 'content-type': 'application/x-www-form-urlencoded' },
        },
        `Action=ListUsers&Pad=${'x'.repeat(70 * 1024)}`,
        413,
        'RequestEntityTooLarge',
      ],
      [
        {
          path: `/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${gateway.session.accessKeyId}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=${'b'.repeat(64)}`,
          headers: { host },
        },
        undefined,
        403,
        'AccessDenied',
      ],
      [
        { method: 'POST', path: '/b', headers: { host, 'content-type': 'multipart/form-data; boundary=x' } },
        '--x--',
        403,
        'AccessDenied',
      ],
      [
        {
          method: 'PUT',
          path: '/b/k',
          headers: {
            host,
            authorization: auth('s3'),
            'x-amz-date': '20260101T000000Z',
            'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
            'content-length': '5',
          },
        },
        '12345',
        403,
        'AccessDenied',
      ],
    ];
    for (const [options, body, status, code] of cases) {
      const res = await rawRequest(options, body);
      expect(
        { status: res.status, code: /<Code>([^<]+)<\/Code>|"__type":"([^"]+)"/.exec(res.body)?.slice(1).find(Boolean) },
        JSON.stringify(options).slice(0, 200),
      ).toEqual({ status, code });
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it('closes a connection that never finishes its headers, and keeps serving', async () => {
    const url = new URL(gateway.url);
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(true));
    });
    expect(closed).toBe(true);
    await new EC2Client(config()).send(new DescribeInstancesCommand({}));
    expect(upstream.count({ operation: 'DescribeInstances' })).toBe(1);
  });
});
