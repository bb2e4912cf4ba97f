import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OperationType, RiskLevel } from '../../src/constants.js';
import type { Verdict, VerdictSource } from '../../src/contracts.js';
import {
  getInventagPlugin,
  guardClient,
  INVENTAG_GUARD_MIDDLEWARE_NAME,
  inventagGuardMiddleware,
  isGuardError,
  isGuardInstalled,
  isGuardInstallError,
  isOperationBlockedError,
  OperationBlockedError,
  OperationGuard,
} from '../../src/guard/index.js';
import { VerdictEngine } from '../../src/policy/VerdictEngine.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { blocked, MemoryAudit, RecordingMonitor, rejection } from './helpers.js';

describe('guard inside real SDK clients', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('lets reads through and blocks writes before any byte, credential or endpoint is resolved', async () => {
    const credentials = vi.fn(async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }));
    const ec2 = guardClient(new EC2Client({ ...clientConfig(server), credentials }));

    const read = await ec2.send(new DescribeInstancesCommand({}));
    expect(read.Reservations).toHaveLength(3);
    expect(server.count({ operation: 'DescribeInstances' })).toBe(1);
    const resolvedForRead = credentials.mock.calls.length;
    expect(resolvedForRead).toBeGreaterThan(0);

    const error = await blocked(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-00000000000000001'] })));
    expect(error.verdict.isValid).toBe(false);
    expect(error.verdict.iamAction).toBe('ec2:TerminateInstances');
    expect(error.verdict.operationType).toBe(OperationType.MUTATING);
    expect(error.reason).toBe('verdict');
    expect(error.call).toMatchObject({
      clientName: 'EC2Client',
      commandName: 'TerminateInstancesCommand',
      operation: 'TerminateInstances',
    });
    expect(error).toBeInstanceOf(OperationBlockedError);
    expect(server.count()).toBe(1);
    expect(credentials.mock.calls.length).toBe(resolvedForRead);
  });

  it('records every attempt and outcome in the audit trail, with the SDK sensitive-field filter applied', async () => {
    const audit = new MemoryAudit();
    const s3 = guardClient(new S3Client({ ...clientConfig(server), forcePathStyle: true }), {
      audit,
      standard: 'soc2',
      identity: { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/reader' },
    });

    await s3.send(new ListBucketsCommand({}));
    await expect(
      s3.send(
        new GetObjectCommand({ Bucket: 'missing-bucket', Key: 'k', SSECustomerKey: 'super-secret-key-material' }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await blocked(
      s3.send(
        new PutObjectCommand({
          Bucket: 'inventag-logs',
          Key: 'x',
          Body: Buffer.from('payload'),
          SSECustomerKey: 'super-secret-key-material',
        }),
      ),
    );

    expect(audit.entries.map((e) => [e.operation, e.decision, e.iamAction])).toEqual([
      ['ListBuckets', 'allowed', 's3:ListAllMyBuckets'],
      ['GetObject', 'allowed', 's3:GetObject'],
      ['PutObject', 'blocked', 's3:PutObject'],
    ]);
    const [list, get, put] = audit.entries;
    expect(list?.outcome).toMatchObject({ success: true });
    expect(list?.outcome?.durationMs).toBeGreaterThan(0);
    expect(get?.outcome).toMatchObject({ success: false, errorCode: 'NoSuchBucket' });
    expect(put?.outcome).toBeUndefined();
    expect(put?.complianceStandard).toBe('soc2');
    expect(put?.identity?.account).toBe('123456789012');
    expect(put?.requestParameters).toMatchObject({ Bucket: 'inventag-logs', Key: 'x', Body: '[body omitted]' });
    expect(JSON.stringify(audit.entries)).not.toContain('super-secret-key-material');
    expect(server.count({ operation: 'PutObject' })).toBe(0);
  });

  it('reports to the monitor: timings, errors and blocked calls as security events', async () => {
    const monitor = new RecordingMonitor();
    const onBlocked = vi.fn();
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), { monitor, onBlocked });
    await ec2.send(new DescribeInstancesCommand({}));
    server.inject({ kind: 'error', status: 500, times: 1 });
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toMatchObject({ name: 'InternalError' });
    await blocked(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] })));

    expect(monitor.operations.map((o) => [o.service, o.operation, o.success])).toEqual([
      ['ec2', 'DescribeInstances', true],
      ['ec2', 'DescribeInstances', false],
    ]);
    expect(monitor.errors).toHaveLength(1);
    expect(monitor.securityEvents).toEqual([
      expect.objectContaining({
        kind: 'operation_blocked',
        service: 'ec2',
        operation: 'TerminateInstances',
        riskLevel: RiskLevel.HIGH,
      }),
    ]);
    expect(onBlocked).toHaveBeenCalledTimes(1);
    expect(onBlocked.mock.calls[0]?.[0]).toMatchObject({
      reason: 'verdict',
      call: { operation: 'TerminateInstances' },
    });
  });

  it('fails closed: a verdict source that throws or answers nonsense blocks, and the server sees nothing', async () => {
    const throwing: VerdictSource = {
      decide: () => {
        throw new Error('policy file unreadable');
      },
    };
    const audit = new MemoryAudit();
    const ec2 = guardClient(new EC2Client(clientConfig(server)), { verdicts: throwing, audit });
    const error = await blocked(ec2.send(new DescribeInstancesCommand({})));
    expect(error.reason).toBe('fail-closed');
    expect(error.verdict.validationMessage).toContain('policy file unreadable');
    expect((error.cause as Error).message).toBe('policy file unreadable');
    expect(audit.blocked).toHaveLength(1);

    const nonsense = { decide: () => ({ isValid: 'yes' }) as unknown as Verdict };
    const sts = guardClient(new STSClient(clientConfig(server)), { verdicts: nonsense });
    expect((await blocked(sts.send(new GetCallerIdentityCommand({})))).reason).toBe('fail-closed');
    expect(server.count()).toBe(0);
  });

  it('does not send a call whose circuit breaker cannot be had, and records the failure', async () => {
    const monitor = new RecordingMonitor();
    monitor.breakerFor = () => {
      throw new Error('breaker state file unreadable');
    };
    const audit = new MemoryAudit();
    const ec2 = guardClient(new EC2Client(clientConfig(server)), { monitor, audit });
    const error = await rejection(ec2.send(new DescribeInstancesCommand({})));
    expect(isGuardError(error)).toBe(true);
    expect((error as Error).message).toContain('breaker state file unreadable');
    expect(audit.entries[0]?.outcome).toMatchObject({ success: false, errorCode: 'GuardError' });
    expect(server.count()).toBe(0);
  });

  it('blocks an allowed call whose attempt the audit trail cannot record', async () => {
    const audit = new MemoryAudit();
    audit.recordAttempt = () => {
      throw new Error('disk full');
    };
    const ec2 = guardClient(new EC2Client(clientConfig(server)), { audit });
    const error = await blocked(ec2.send(new DescribeInstancesCommand({})));
    expect(error.reason).toBe('audit-unavailable');
    expect(error.verdict.validationMessage).toContain('disk full');
    expect(server.count()).toBe(0);
  });

  it('shares one guard across clients made before and after the plugin', async () => {
    const early = new EC2Client(clientConfig(server));
    const audit = new MemoryAudit();
    const plugin = getInventagPlugin({ audit });
    const late = new S3Client({ ...clientConfig(server), forcePathStyle: true });
    early.middlewareStack.use(plugin);
    late.middlewareStack.use(plugin);
    await guardClient(new STSClient(clientConfig(server)), plugin).send(new GetCallerIdentityCommand({}));
    await early.send(new DescribeInstancesCommand({}));
    await late.send(new ListBucketsCommand({}));
    await blocked(early.send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] })));
    await vi.waitFor(() => expect(audit.entries).toHaveLength(4));
    expect(new Set(audit.entries.map((e) => e.iamAction))).toEqual(
      new Set(['sts:GetCallerIdentity', 'ec2:DescribeInstances', 's3:ListAllMyBuckets', 'ec2:TerminateInstances']),
    );
  });
});

describe('installing the guard', () => {
  it('installs once at the front of the initialize step and refuses a second install', () => {
    const ec2 = guardClient(new EC2Client({ region: 'us-east-1' }));
    expect(isGuardInstalled(ec2)).toBe(true);
    expect(ec2.middlewareStack.identify()[0]).toBe(`${INVENTAG_GUARD_MIDDLEWARE_NAME} - initialize`);
    let error: unknown;
    try {
      guardClient(ec2);
    } catch (e) {
      error = e;
    }
    expect(isGuardInstallError(error)).toBe(true);
    expect((error as Error).message).toContain('already has an inventag guard');
  });

  it('fails loudly for something that is not an SDK client or whose stack refuses the guard', () => {
    expect(() => guardClient({} as unknown as EC2Client)).toThrow(/needs an AWS SDK v3 client/);
    const client = new EC2Client({ region: 'us-east-1' });
    client.middlewareStack.add = () => {
      throw new Error('stack is frozen');
    };
    expect(() => guardClient(client)).toThrow(/refused the guard: stack is frozen/);
    const silent = new EC2Client({ region: 'us-east-1' });
    silent.middlewareStack.add = () => undefined;
    expect(() => guardClient(silent)).toThrow(/does not list it; the client is not guarded/);
  });

  it('refuses bad options when the plugin is created, naming the field', () => {
    expect(() => getInventagPlugin({ standard: 'pci' as never })).toThrow(/standard: .*\(got "pci"\)/);
    expect(() => getInventagPlugin({ breaker: { threshold: -1 } })).toThrow(/breaker\.threshold: .*>=1.*\(got -1\)/);
    expect(() => getInventagPlugin({ breaker: { halfOpenAfterMs: -5 } })).toThrow(/breaker\.halfOpenAfterMs/);
    expect(() => getInventagPlugin({ overrides: { allow: ['not an action'] } })).toThrow(/overrides\.allow\[0\]/);
    expect(() => getInventagPlugin({ audit: {} as never })).toThrow(
      /audit: expected an object with recordAttempt\(\), recordOutcome\(\)/,
    );
    expect(() => getInventagPlugin({ verdicts: new VerdictEngine(), standard: 'soc2' })).toThrow(
      /standard: cannot be combined with verdicts/,
    );
    expect(() => getInventagPlugin({ treshold: 3 } as never)).toThrow(/treshold/);
  });
});

describe('guard middleware with a fake next', () => {
  const context = {
    clientName: 'EC2Client',
    commandName: 'RebootInstancesCommand',
    __smithy_context: { service: 'AmazonEC2', operation: 'RebootInstances' },
  };

  it('does not call next for a blocked command', async () => {
    const next = vi.fn(async () => ({ output: { $metadata: {} }, response: {} }));
    const handler = inventagGuardMiddleware(new OperationGuard())(next, context);
    await expect(handler({ input: { InstanceIds: ['i-1'] } })).rejects.toSatisfy(isOperationBlockedError);
    expect(next).not.toHaveBeenCalled();
  });

  it('calls next once for an allowed command and returns its output', async () => {
    const output = { output: { $metadata: {}, Reservations: [] }, response: {} };
    const next = vi.fn(async () => output);
    const handler = inventagGuardMiddleware(new OperationGuard())(next, {
      ...context,
      commandName: 'DescribeInstancesCommand',
      __smithy_context: { operation: 'DescribeInstances' },
    });
    await expect(handler({ input: {} })).resolves.toBe(output);
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('blocks when the context cannot be read', async () => {
    const hostile = Object.defineProperty({}, 'clientName', {
      get() {
        throw new Error('boom');
      },
    });
    const next = vi.fn(async () => ({ output: { $metadata: {} }, response: {} }));
    const error = await rejection(inventagGuardMiddleware(new OperationGuard())(next, hostile)({ input: {} }));
    expect(isOperationBlockedError(error)).toBe(true);
    expect(next).not.toHaveBeenCalled();
  });

  it('names the operation from the command name when the smithy context is missing', async () => {
    const seen: string[] = [];
    const verdicts = new VerdictEngine();
    const recording: VerdictSource = { decide: (s, o) => (seen.push(`${s}/${o}`), verdicts.decide(s, o)) };
    const next = vi.fn(async () => ({ output: { $metadata: {} }, response: {} }));
    await inventagGuardMiddleware(new OperationGuard({ verdicts: recording }))(next, {
      clientName: 'SSMClient',
      commandName: 'SendCommandCommand',
    })({ input: {} }).catch(() => undefined);
    expect(seen).toEqual(['SSMClient/SendCommand']);
    expect(next).not.toHaveBeenCalled();
  });
});
