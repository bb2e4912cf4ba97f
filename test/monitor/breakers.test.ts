import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isBrokenCircuitError } from 'cockatiel';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitState } from '../../src/constants.js';
import {
  ProductionSafetyMonitor,
  countsAsBreakerFailure,
  isMonitorError,
  type CircuitStateChange,
} from '../../src/monitor/index.js';
import { clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';

const serverFault = (): Error =>
  Object.assign(new Error('service unavailable'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
const accessDenied = (): Error =>
  Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });

async function fail(monitor: ProductionSafetyMonitor, error: Error, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await expect(monitor.breakerFor('ec2', 'DescribeInstances').execute(() => Promise.reject(error))).rejects.toBe(
      error,
    );
  }
}

const state = (monitor: ProductionSafetyMonitor, key = 'ec2:DescribeInstances') =>
  monitor.getMonitoringSummary().circuitBreakerStates[key]?.state;

describe('circuit breakers per service:operation', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('go CLOSED -> OPEN -> HALF_OPEN -> CLOSED, and an open breaker blocks calls', async () => {
    const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 3, circuitBreakerTimeout: 60 });
    const changes: string[] = [];
    monitor.on('circuitStateChange', (c: CircuitStateChange) =>
      changes.push(`${c.key} ${c.from}->${c.to}${c.reason ? ` (${c.reason})` : ''}`),
    );
    const breaker = monitor.breakerFor('ec2', 'DescribeInstances');

    await fail(monitor, serverFault(), 2);
    expect(state(monitor)).toBe(CircuitState.CLOSED);
    expect(monitor.getMonitoringSummary().circuitBreakerStates['ec2:DescribeInstances']?.consecutiveFailures).toBe(2);
    await fail(monitor, serverFault());
    expect(state(monitor)).toBe(CircuitState.OPEN);
    expect(monitor.getMonitoringSummary().circuitBreakerStates['ec2:DescribeInstances']).toMatchObject({
      openedAt: '2026-03-02T10:00:00.000Z',
      retryAt: '2026-03-02T10:01:00.000Z',
    });

    const call = vi.fn(() => 'reached AWS');
    const refused = await breaker.execute(call).catch((e: unknown) => e);
    expect(isBrokenCircuitError(refused)).toBe(true);
    expect(call).not.toHaveBeenCalled();

    vi.advanceTimersByTime(59_999);
    await expect(breaker.execute(call)).rejects.toSatisfy(isBrokenCircuitError);
    vi.advanceTimersByTime(1);

    let finishTrial!: (value: string) => void;
    const trial = breaker.execute(() => new Promise<string>((done) => (finishTrial = done)));
    expect(state(monitor)).toBe(CircuitState.HALF_OPEN);
    finishTrial('ok');
    await expect(trial).resolves.toBe('ok');
    expect(state(monitor)).toBe(CircuitState.CLOSED);
    await expect(breaker.execute(call)).resolves.toBe('reached AWS');

    expect(changes).toEqual([
      'ec2:DescribeInstances CLOSED->OPEN (ServiceUnavailable)',
      'ec2:DescribeInstances OPEN->HALF_OPEN',
      'ec2:DescribeInstances HALF_OPEN->CLOSED',
    ]);
  });

  it('go HALF_OPEN -> OPEN when the trial call fails, and wait a full timeout again', async () => {
    const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 2, circuitBreakerTimeout: 30 });
    const breaker = monitor.breakerFor('ec2', 'DescribeInstances');
    await fail(monitor, serverFault(), 2);
    vi.advanceTimersByTime(30_000);

    let failTrial!: (error: Error) => void;
    const trial = breaker.execute(() => new Promise<string>((_done, reject) => (failTrial = reject)));
    expect(state(monitor)).toBe(CircuitState.HALF_OPEN);
    failTrial(serverFault());
    await expect(trial).rejects.toThrow('service unavailable');
    expect(state(monitor)).toBe(CircuitState.OPEN);

    vi.advanceTimersByTime(29_000);
    await expect(breaker.execute(() => 'x')).rejects.toSatisfy(isBrokenCircuitError);
    vi.advanceTimersByTime(1_000);
    await expect(breaker.execute(() => 'x')).resolves.toBe('x');
    expect(state(monitor)).toBe(CircuitState.CLOSED);
  });

  it('refusals a healthy service gives (access denied, validation, guard block, 404) never open a breaker', async () => {
    const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 2 });
    await fail(monitor, accessDenied(), 5);
    expect(state(monitor)).toBe(CircuitState.CLOSED);
    expect(countsAsBreakerFailure(accessDenied())).toBe(false);
    expect(
      countsAsBreakerFailure(
        Object.assign(new Error('x'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe(false);
    expect(
      countsAsBreakerFailure(
        Object.assign(new Error('x'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }),
      ),
    ).toBe(false);
    expect(
      countsAsBreakerFailure(
        Object.assign(new Error('blocked'), { name: 'OperationBlockedError', isOperationBlockedError: true }),
      ),
    ).toBe(false);
    expect(
      countsAsBreakerFailure(
        Object.assign(new Error('x'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }),
      ),
    ).toBe(false);
    expect(countsAsBreakerFailure(Object.assign(new Error('x'), { name: 'CredentialsProviderError' }))).toBe(false);
    // Throttling (a 400 on query protocols, 429 elsewhere) says the service is busy, not down: backoff answers it.
    expect(
      countsAsBreakerFailure(Object.assign(new Error('x'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })),
    ).toBe(false);
    expect(
      countsAsBreakerFailure(Object.assign(new Error('x'), { name: 'X', $metadata: { httpStatusCode: 429 } })),
    ).toBe(false);
    expect(
      countsAsBreakerFailure(
        Object.assign(new Error('x'), { name: 'RequestTimeout', $metadata: { httpStatusCode: 408 } }),
      ),
    ).toBe(true);
    expect(
      countsAsBreakerFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(countsAsBreakerFailure(serverFault())).toBe(true);
  });

  it('one breaker per service:operation whatever the spelling of the name', async () => {
    const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 1 });
    expect(monitor.breakerFor('EC2', 'describe_instances')).toBe(monitor.breakerFor('ec2', 'DescribeInstancesCommand'));
    expect(monitor.breakerFor('ec2', 'describeInstances')).toBe(monitor.breakerFor('ec2', 'DescribeInstances'));
    await fail(monitor, serverFault());
    expect(state(monitor)).toBe(CircuitState.OPEN);
    expect(monitor.breakerFor('ec2', 'DescribeRegions')).not.toBe(monitor.breakerFor('ec2', 'DescribeInstances'));
    expect(state(monitor, 'ec2:DescribeRegions')).toBe(CircuitState.CLOSED);
  });
});

describe('saved breaker state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'inventag-monitor-state-'));
    vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a later process resumes an open breaker and its retry time', async () => {
    const first = new ProductionSafetyMonitor({ circuitBreakerThreshold: 2, circuitBreakerTimeout: 120 });
    await fail(first, serverFault(), 2);
    await expect(first.breakerFor('sts', 'GetCallerIdentity').execute(() => 'fine')).resolves.toBe('fine');
    const path = join(dir, 'state', 'monitor.json');
    await first.saveState(path);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved).toMatchObject({
      format: 'inventag-monitor-state',
      version: 1,
      breakers: { 'ec2:DescribeInstances': { state: 'OPEN', consecutiveFailures: 2 } },
    });

    vi.advanceTimersByTime(60_000);
    const second = new ProductionSafetyMonitor({ circuitBreakerThreshold: 2, circuitBreakerTimeout: 120 });
    await expect(second.loadState(path)).resolves.toBe(2);
    expect(second.getMonitoringSummary().circuitBreakerStates).toMatchObject({
      'ec2:DescribeInstances': { state: 'OPEN', retryAt: '2026-03-02T10:02:00.000Z' },
      'sts:GetCallerIdentity': { state: 'CLOSED', consecutiveFailures: 0 },
    });
    const call = vi.fn(() => 'x');
    await expect(second.breakerFor('ec2', 'DescribeInstances').execute(call)).rejects.toSatisfy(isBrokenCircuitError);
    expect(call).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    await expect(second.breakerFor('ec2', 'DescribeInstances').execute(call)).resolves.toBe('x');
  });

  it('a malformed state file is refused with the file and field named', async () => {
    const monitor = new ProductionSafetyMonitor();
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({
        format: 'inventag-monitor-state',
        version: 1,
        breakers: {
          'ec2:DescribeInstances': {
            service: 'ec2',
            operation: 'DescribeInstances',
            state: 'AJAR',
            consecutiveFailures: 0,
          },
        },
      }),
    );
    const error = await monitor.loadState(path).catch((e: unknown) => e);
    expect(isMonitorError(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('breakers.ec2:DescribeInstances.state');

    writeFileSync(path, '{ not json');
    await expect(monitor.loadState(path)).rejects.toThrow(/not valid JSON/);
    writeFileSync(path, JSON.stringify({ format: 'something-else', version: 1, breakers: {} }));
    await expect(monitor.loadState(path)).rejects.toThrow(/format: must be "inventag-monitor-state"/);
    writeFileSync(
      path,
      JSON.stringify({
        format: 'inventag-monitor-state',
        version: 1,
        breakers: {
          's3:ListBuckets': { service: 'ec2', operation: 'DescribeInstances', state: 'CLOSED', consecutiveFailures: 0 },
        },
      }),
    );
    await expect(monitor.loadState(path)).rejects.toThrow(/key does not match/);
    await expect(monitor.loadState(join(dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});

describe('a breaker in front of a real SDK client', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('after repeated 503s the open breaker stops requests from reaching the service', async () => {
    const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 3, circuitBreakerTimeout: 300 });
    const sts = new STSClient(clientConfig(server, { maxAttempts: 1 }));
    server.inject({ kind: 'error', status: 503, service: 'sts' });
    for (let i = 0; i < 3; i++) {
      await expect(
        monitor.run('sts', 'GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({}))),
      ).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    }
    expect(server.count({ service: 'sts' })).toBe(3);
    await expect(
      monitor.run('sts', 'GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({}))),
    ).rejects.toSatisfy(isBrokenCircuitError);
    expect(server.count({ service: 'sts' })).toBe(3);
    const summary = monitor.getMonitoringSummary();
    expect(summary).toMatchObject({
      totalOperations: 4,
      failedOperations: 4,
      totalErrors: 4,
      errorsByCategory: { server_error: 3, circuit_open: 1 },
    });
    expect(summary.circuitBreakerStates['sts:GetCallerIdentity']?.state).toBe('OPEN');
  });
});
