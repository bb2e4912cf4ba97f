import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorSeverity } from '../../src/constants.js';
import { guardClient, isCircuitOpenError, OperationGuard, validateAndMonitorOperation } from '../../src/guard/index.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { MemoryAudit, RecordingMonitor } from './helpers.js';

describe('validateAndMonitorOperation', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('runs an allowed operation timed, audited and monitored, and returns the seed result', async () => {
    const audit = new MemoryAudit();
    const monitor = new RecordingMonitor();
    const ec2 = new EC2Client(clientConfig(server));
    const result = await validateAndMonitorOperation(
      { audit, monitor, standard: 'iso27001' },
      {
        service: 'ec2',
        operation: 'describe_instances',
        resourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/*',
        operationFunc: () => ec2.send(new DescribeInstancesCommand({})),
      },
    );
    expect(result.validationPassed).toBe(true);
    expect(result.operationSuccessful).toBe(true);
    expect(result.result?.Reservations).toHaveLength(3);
    expect(result.duration).toBeGreaterThan(0);
    expect(result.errorContext).toBeUndefined();
    expect(result.verdict).toMatchObject({ iamAction: 'ec2:DescribeInstances', standard: 'iso27001' });
    expect(audit.entries).toEqual([
      expect.objectContaining({
        service: 'ec2',
        operation: 'describe_instances',
        resourceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/*',
        decision: 'allowed',
        outcome: expect.objectContaining({ success: true }),
      }),
    ]);
    expect(result.auditId).toBe(audit.entries[0]?.auditId);
    expect(monitor.operations).toEqual([
      expect.objectContaining({ service: 'ec2', operation: 'describe_instances', success: true }),
    ]);
    expect(server.count()).toBe(1);
  });

  it('does not run a blocked operation', async () => {
    const operationFunc = vi.fn(async () => 'ran');
    const audit = new MemoryAudit();
    const result = await validateAndMonitorOperation(
      { audit },
      { service: 'ec2', operation: 'terminate_instances', operationFunc },
    );
    expect(operationFunc).not.toHaveBeenCalled();
    expect(result).toMatchObject({
      validationPassed: false,
      operationSuccessful: false,
      duration: 0,
      result: undefined,
      errorContext: undefined,
    });
    expect(result.verdict.validationMessage).toMatch(/ec2:TerminateInstances is mutating/);
    expect(audit.blocked).toHaveLength(1);
    expect(result.auditId).toBe(audit.blocked[0]?.auditId);
  });

  it('classifies a failure: with the monitor when given, otherwise with a plain ErrorContext', async () => {
    const monitor = new RecordingMonitor();
    const failing = () =>
      Promise.reject(
        Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
      );
    const withMonitor = await validateAndMonitorOperation(
      { monitor },
      { service: 'ec2', operation: 'DescribeInstances', operationFunc: failing },
    );
    expect(withMonitor).toMatchObject({ validationPassed: true, operationSuccessful: false, result: undefined });
    expect(withMonitor.errorContext?.recoveryAction).toBe('recorded by the test monitor');

    const denied = () => {
      throw Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      });
    };
    const plain = await validateAndMonitorOperation(
      {},
      { service: 's3', operation: 'ListBuckets', resourceArn: 'arn:aws:s3:::*', operationFunc: denied },
    );
    expect(plain.errorContext).toMatchObject({
      errorType: 'AccessDeniedException',
      errorMessage: 'not authorized',
      service: 's3',
      operation: 'ListBuckets',
      resourceArn: 'arn:aws:s3:::*',
      retryable: false,
      severity: ErrorSeverity.HIGH,
    });
    const throttled = await validateAndMonitorOperation(
      {},
      { service: 'ec2', operation: 'DescribeInstances', operationFunc: failing },
    );
    expect(throttled.errorContext).toMatchObject({ errorType: 'ThrottlingException', retryable: true });
  });

  it('validates only when there is no operationFunc', async () => {
    expect(await validateAndMonitorOperation({}, { service: 'ec2', operation: 'describe_instances' })).toMatchObject({
      validationPassed: true,
      operationSuccessful: false,
      duration: 0,
    });
    expect(await validateAndMonitorOperation({}, { service: 'iam', operation: 'create_user' })).toMatchObject({
      validationPassed: false,
    });
  });

  it('shares breakers with guarded clients when given the same guard', async () => {
    const guard = new OperationGuard({ breaker: { threshold: 2, halfOpenAfterMs: 60_000 } });
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), guard);
    server.inject({ kind: 'error', status: 503 });
    for (let i = 0; i < 2; i += 1) await ec2.send(new DescribeInstancesCommand({})).catch(() => undefined);
    const operationFunc = vi.fn(async () => 'ran');
    const result = await validateAndMonitorOperation(guard, {
      service: 'ec2',
      operation: 'describe_instances',
      operationFunc,
    });
    expect(operationFunc).not.toHaveBeenCalled();
    expect(result).toMatchObject({ validationPassed: true, operationSuccessful: false });
    expect(result.errorContext?.errorType).toBe('CircuitOpenError');
    await expect(ec2.send(new DescribeInstancesCommand({}))).rejects.toSatisfy(isCircuitOpenError);
    expect(server.count()).toBe(2);
  });
});
