/**
 * The guard's credential and transport layers, through real SDK clients and
 * the loopback server: what is sent is what was admitted.
 */
import {
  DescribeInstancesCommand,
  EC2Client,
  TerminateInstancesCommand,
  type TerminateInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { GetObjectCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { guardClient, isGuardInstalled, isOperationBlockedError } from '../../src/guard/index.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { MemoryAudit, rejection } from './helpers.js';

let server: AwsTestServer;
beforeAll(async () => {
  server = await startAwsServer();
});
afterAll(() => server.close());

const s3Client = (audit: MemoryAudit) =>
  guardClient(new S3Client({ ...clientConfig(server), forcePathStyle: true }), { audit });
const ec2Client = (audit: MemoryAudit) =>
  guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), { audit });

describe('credentials only inside an admitted command', () => {
  test('createPresignedPost fails closed and is audited as blocked', async () => {
    server.reset();
    const audit = new MemoryAudit();
    const s3 = s3Client(audit);
    const error = await rejection(createPresignedPost(s3, { Bucket: 'b', Key: 'k' }));
    expect(isOperationBlockedError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'no-admitted-command' });
    expect(audit.blocked).toHaveLength(1);
    expect(server.count()).toBe(0);
  });

  test('getSignedUrl for a read fails closed (not-sent), for a write is blocked by the verdict', async () => {
    server.reset();
    const audit = new MemoryAudit();
    const s3 = s3Client(audit);
    const read = await rejection(getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' })));
    expect(read).toMatchObject({ reason: 'not-sent' });
    expect(audit.blocked.map((e) => e.iamAction)).toEqual(['s3:GetObject']);
    expect(server.count()).toBe(0);
  });

  test('client.config.credentials() outside a command fails; an admitted call still works', async () => {
    server.reset();
    const audit = new MemoryAudit();
    const s3 = s3Client(audit);
    const error = await rejection((s3.config.credentials as () => Promise<unknown>)());
    expect(isOperationBlockedError(error)).toBe(true);
    const out = await s3.send(new ListBucketsCommand({}));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(server.count()).toBe(1);
    expect(isGuardInstalled(s3)).toBe(true);
  });
});

describe('the transport check: what is sent is what was admitted', () => {
  const terminate = (): TerminateInstancesCommand => new TerminateInstancesCommand({ InstanceIds: ['i-1'] });

  test.each([
    ['remove by name', (c: EC2Client) => c.middlewareStack.remove('inventagGuardMiddleware')],
    ['removeByTag', (c: EC2Client) => c.middlewareStack.removeByTag('INVENTAG')],
    [
      'same-name override:true',
      (c: EC2Client) =>
        c.middlewareStack.add((next) => (args) => next(args), {
          name: 'inventagGuardMiddleware',
          step: 'initialize',
          priority: 'high',
          override: true,
        }),
    ],
  ])('%s: TerminateInstances sends 0 requests and is audited as blocked', async (_name, attack) => {
    server.reset();
    const audit = new MemoryAudit();
    const ec2 = ec2Client(audit);
    attack(ec2);
    expect(isGuardInstalled(ec2)).toBe(false);
    const error = await rejection(ec2.send(terminate()));
    expect(isOperationBlockedError(error)).toBe(true);
    expect(server.count()).toBe(0);
    expect(audit.blocked.length).toBeGreaterThan(0);
  });

  test('a later middleware that rewrites Action= after the verdict: 0 requests, blocked as TerminateInstances', async () => {
    server.reset();
    const audit = new MemoryAudit();
    const ec2 = ec2Client(audit);
    ec2.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: string };
        request.body = String(request.body).replace(
          'Action=DescribeInstances',
          'Action=TerminateInstances&InstanceId.1=i-1',
        );
        return next(args);
      },
      { step: 'build', name: 'rewriteAction' },
    );
    const error = await rejection(ec2.send(new DescribeInstancesCommand({})));
    expect(error).toMatchObject({ reason: 'transport-mismatch' });
    expect(server.count()).toBe(0);
    expect(audit.blocked.map((e) => e.iamAction)).toEqual(['ec2:TerminateInstances']);
  });

  test('a middleware that renames commandName before the guard: 0 requests, blocked as TerminateInstances', async () => {
    server.reset();
    const audit = new MemoryAudit();
    const ec2 = ec2Client(audit);
    ec2.middlewareStack.addRelativeTo(
      ((next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
        context.commandName = 'DescribeInstancesCommand';
        const smithy = (context as Record<string, { operation?: string }>).__smithy_context;
        if (smithy) smithy.operation = 'DescribeInstances';
        return next(args);
      }) as never,
      { relation: 'before', toMiddleware: 'inventagGuardMiddleware', name: 'rename' },
    );
    const error = await rejection(ec2.send(terminate()));
    expect(error).toMatchObject({ reason: 'transport-mismatch' });
    expect(server.count()).toBe(0);
    expect(audit.blocked.map((e) => e.iamAction)).toEqual(['ec2:TerminateInstances']);
  });

  test('a Command subclass reporting read names while serializing TerminateInstances: 0 requests, blocked', async () => {
    server.reset();
    const audit = new MemoryAudit();
    const ec2 = ec2Client(audit);
    class Disguised extends TerminateInstancesCommand {
      constructor(input: TerminateInstancesCommandInput) {
        super(input);
        this.middlewareStack.add(
          (next, context) => (args) => {
            context.commandName = 'DescribeInstancesCommand';
            const smithy = (context as Record<string, { operation?: string }>).__smithy_context;
            if (smithy) smithy.operation = 'DescribeInstances';
            return next(args);
          },
          { step: 'initialize', priority: 'high', name: 'disguise' },
        );
      }
    }
    const error = await rejection(ec2.send(new Disguised({ InstanceIds: ['i-1'] })));
    expect(isOperationBlockedError(error)).toBe(true);
    expect(server.count()).toBe(0);
    expect(audit.blocked.map((e) => e.iamAction)).toContain('ec2:TerminateInstances');
  });
});
