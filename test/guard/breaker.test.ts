import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { CircuitState } from 'cockatiel';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { guardClient, isCircuitOpenError, isOperationBlockedError } from '../../src/guard/index.js';
import { clientConfig, errorResponse, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { MemoryAudit, RecordingMonitor, rejection as failure } from './helpers.js';

describe('circuit breaker per service:operation', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterEach(() => {
    server.reset();
    vi.useRealTimers();
  });
  afterAll(() => server.close());

  it('opens after an outage (503s), fails fast while open, half-opens after the timeout and closes on success', async () => {
    // cockatiel reads the clock through Date.now(); only Date is faked so the HTTP stack keeps real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const audit = new MemoryAudit();
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), {
      audit,
      breaker: { threshold: 3, halfOpenAfterMs: 10_000 },
    });
    server.inject({ kind: 'error', status: 503, service: 'ec2', operation: 'DescribeInstances' });

    for (let i = 0; i < 3; i += 1)
      expect(await failure(ec2.send(new DescribeInstancesCommand({})))).toMatchObject({ name: 'ServiceUnavailable' });
    expect(server.count()).toBe(3);

    const open = await failure(ec2.send(new DescribeInstancesCommand({})));
    expect(isCircuitOpenError(open)).toBe(true);
    expect(open).toMatchObject({ service: 'ec2', operation: 'DescribeInstances' });
    expect(server.count()).toBe(3);
    expect(audit.entries.at(-1)?.outcome).toMatchObject({ success: false, errorCode: 'CircuitOpenError' });

    // Still open just before the timeout.
    vi.setSystemTime(new Date('2026-01-01T00:00:09.900Z'));
    expect(isCircuitOpenError(await failure(ec2.send(new DescribeInstancesCommand({}))))).toBe(true);
    expect(server.count()).toBe(3);

    // Half-open: one trial goes through; the storm is over, so it succeeds and closes the circuit.
    server.clearFaults();
    vi.setSystemTime(new Date('2026-01-01T00:00:10.100Z'));
    const trial = await ec2.send(new DescribeInstancesCommand({}));
    expect(trial.Reservations).toHaveLength(3);
    for (let i = 0; i < 3; i += 1) await ec2.send(new DescribeInstancesCommand({}));
    expect(server.count()).toBe(7);
    expect(audit.entries.filter((e) => e.outcome?.success === true)).toHaveLength(4);
  });

  it('a throttling storm never opens the breaker: every throttled call is sent, and the next one succeeds', async () => {
    const audit = new MemoryAudit();
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), {
      audit,
      breaker: { threshold: 3, halfOpenAfterMs: 60_000 },
    });
    const storm = server.inject({ kind: 'throttle', service: 'ec2', operation: 'DescribeInstances', times: 10 });
    for (let i = 0; i < 10; i += 1)
      expect(await failure(ec2.send(new DescribeInstancesCommand({})))).toMatchObject({ name: 'ThrottlingException' });
    expect(storm.hits).toBe(10);
    const after = await ec2.send(new DescribeInstancesCommand({}));
    expect(after.Reservations).toHaveLength(3);
    expect(server.count()).toBe(11);
    expect(audit.entries.map((e) => e.outcome?.errorCode ?? 'ok')).toEqual([
      ...Array<string>(10).fill('ThrottlingException'),
      'ok',
    ]);
  });

  it('reopens when the half-open trial fails', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const monitor = new RecordingMonitor(2, 5_000);
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), { monitor });
    server.inject({ kind: 'error', status: 503 });
    await failure(ec2.send(new DescribeInstancesCommand({})));
    await failure(ec2.send(new DescribeInstancesCommand({})));
    const breaker = monitor.breakers.get('ec2:DescribeInstances');
    expect(breaker?.state).toBe(CircuitState.Open);
    vi.setSystemTime(new Date('2026-01-01T00:00:06Z'));
    expect(await failure(ec2.send(new DescribeInstancesCommand({})))).toMatchObject({ name: 'ServiceUnavailable' });
    expect(breaker?.state).toBe(CircuitState.Open);
    expect(isCircuitOpenError(await failure(ec2.send(new DescribeInstancesCommand({}))))).toBe(true);
    expect(server.count()).toBe(3);
    expect(monitor.operations.map((o) => o.success)).toEqual([false, false, false, false]);
    expect(monitor.errors.at(-1)?.error).toSatisfy(isCircuitOpenError);
  });

  it('does not count access denied, validation errors or guard blocks against the breaker', async () => {
    const monitor = new RecordingMonitor(2, 60_000);
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), { monitor });
    server.addHandler({
      name: 'deny-describe',
      matches: (req) => req.operation === 'DescribeInstances' && req.params.DryRun === 'true',
      handle: (req) =>
        errorResponse(req, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.'),
    });
    for (let i = 0; i < 4; i += 1)
      expect(await failure(ec2.send(new DescribeInstancesCommand({ DryRun: true })))).toMatchObject({
        name: 'UnauthorizedOperation',
      });
    for (let i = 0; i < 4; i += 1)
      expect(
        await failure(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: 'forged' }))),
      ).toMatchObject({ name: 'InvalidParameterValue' });
    for (let i = 0; i < 4; i += 1)
      expect(
        isOperationBlockedError(await failure(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] })))),
      ).toBe(true);

    expect(monitor.breakers.get('ec2:DescribeInstances')?.state).toBe(CircuitState.Closed);
    expect(monitor.breakers.has('ec2:TerminateInstances')).toBe(false);
    expect(server.count()).toBe(8);
    // The errors were still handled and timed as failures.
    expect(monitor.errors).toHaveLength(8);
    expect(monitor.operations.filter((o) => !o.success)).toHaveLength(8);
  });

  it('counts dropped connections and keeps breakers apart per operation', async () => {
    const monitor = new RecordingMonitor(2, 60_000);
    const ec2 = guardClient(new EC2Client(clientConfig(server, { maxAttempts: 1 })), { monitor });
    server.inject({ kind: 'drop', operation: 'DescribeInstances' });
    await failure(ec2.send(new DescribeInstancesCommand({})));
    await failure(ec2.send(new DescribeInstancesCommand({})));
    expect(monitor.breakers.get('ec2:DescribeInstances')?.state).toBe(CircuitState.Open);
    const { DescribeRegionsCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(new DescribeRegionsCommand({}));
    expect(monitor.breakers.get('ec2:DescribeRegions')?.state).toBe(CircuitState.Closed);
  });
});
