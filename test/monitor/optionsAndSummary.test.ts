import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MonitorConfigError,
  ProductionSafetyMonitor,
  isMonitorError,
  type ProductionSafetyMonitorOptions,
  type SlowOperationEvent,
} from '../../src/monitor/index.js';

function configError(options: unknown): MonitorConfigError {
  try {
    new ProductionSafetyMonitor(options as ProductionSafetyMonitorOptions);
  } catch (error) {
    expect(isMonitorError(error)).toBe(true);
    return error as MonitorConfigError;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('options', () => {
  it('default to the seed values', () => {
    const { options } = new ProductionSafetyMonitor();
    expect(options).toMatchObject({
      enableCloudtrail: false,
      enablePerformanceMonitoring: true,
      errorThreshold: 10,
      errorWindowSeconds: 300,
      performanceThresholdCpu: 80,
      performanceThresholdMemory: 80,
      performanceThresholdDisk: 90,
      performanceMonitoringInterval: 30,
      circuitBreakerThreshold: 5,
      circuitBreakerTimeout: 300,
      businessHours: { startHour: 8, endHour: 18, days: [1, 2, 3, 4, 5], timeZone: 'UTC' },
    });
  });

  it.each([
    [{ performanceThresholdCpu: 150 }, 'performanceThresholdCpu', /must be a number from 0 to 100 \(got 150\)/],
    [{ performanceThresholdMemory: -5 }, 'performanceThresholdMemory', /0 to 100 \(got -5\)/],
    [{ performanceThresholdDisk: Number.NaN }, 'performanceThresholdDisk', /0 to 100/],
    [{ performanceThresholdCpu: '80' }, 'performanceThresholdCpu', /0 to 100 \(got "80"\)/],
    [{ performanceMonitoringInterval: -1 }, 'performanceMonitoringInterval', /must be a positive number \(got -1\)/],
    [{ performanceMonitoringInterval: 0 }, 'performanceMonitoringInterval', /positive/],
    [{ errorWindowSeconds: -300 }, 'errorWindowSeconds', /positive/],
    [{ circuitBreakerTimeout: -1 }, 'circuitBreakerTimeout', /positive/],
    [{ errorThreshold: 0 }, 'errorThreshold', /whole number of at least 1/],
    [{ circuitBreakerThreshold: 2.5 }, 'circuitBreakerThreshold', /whole number/],
    [
      { businessHours: { startHour: 18, endHour: 8, days: [1], timeZone: 'UTC' } },
      'businessHours.endHour',
      /greater than startHour/,
    ],
    [
      { businessHours: { startHour: 8, endHour: 18, days: [1], timeZone: 'Mars/Olympus' } },
      'businessHours.timeZone',
      /IANA time zone/,
    ],
    [
      { businessHours: { startHour: 8, endHour: 18, days: [], timeZone: 'UTC' } },
      'businessHours.days',
      /at least one weekday/,
    ],
    [{ loggers: { metrics: { info: 'nope' } } }, 'loggers.metrics', /info, warn and error methods/],
  ])('refuses %j, naming %s', (options, field, message) => {
    const error = configError(options);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`Invalid monitor option ${field}:`);
    expect(error.message).toMatch(message);
  });

  it('refuses a misspelt option and lists the allowed ones', () => {
    const error = configError({ performanceThresholdCPU: 70 });
    expect(error.field).toBe('performanceThresholdCPU');
    expect(error.message).toMatch(/unknown option; allowed: .*performanceThresholdCpu/);
  });

  it('refuses options that are not an object', () => {
    expect(configError('fast').message).toMatch(/options: must be an object/);
  });
});

describe('recordOperation and getMonitoringSummary', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts operations by service, rates, errors by severity and slow operations', () => {
    const production: object[] = [];
    const monitor = new ProductionSafetyMonitor({
      slowOperationThresholdSeconds: 2,
      loggers: { production: { info: () => undefined, warn: (o) => void production.push(o), error: () => undefined } },
    });
    const slow: SlowOperationEvent[] = [];
    monitor.on('slowOperation', (e) => slow.push(e));
    monitor.recordOperation('DescribeInstances', 'ec2', 0.5, true);
    monitor.recordOperation('DescribeInstances', 'ec2', 3.5, true);
    monitor.recordOperation('ListBuckets', 's3', 1, false);
    monitor.handleError(
      Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      { service: 's3', operation: 'ListBuckets' },
    );
    monitor.recordOperation('ListBuckets', 's3', 1, true);

    const summary = monitor.getMonitoringSummary();
    expect(summary).toMatchObject({
      totalOperations: 4,
      successfulOperations: 3,
      failedOperations: 1,
      totalErrors: 1,
      errorRate: 25,
      successRate: 75,
      averageDurationSeconds: 1.5,
      slowOperations: 1,
      operationsByService: {
        ec2: { total: 2, successful: 2, failed: 0, averageDurationSeconds: 2, maxDurationSeconds: 3.5 },
        s3: { total: 2, successful: 1, failed: 1, averageDurationSeconds: 1, maxDurationSeconds: 1 },
      },
      errorsBySeverity: { CRITICAL: 0, HIGH: 1, MEDIUM: 0, LOW: 0, INFO: 0 },
      errorsByCategory: { access_denied: 1 },
      performanceThresholds: { cpu: 80, memory: 80, disk: 90 },
      latestResourceSample: null,
      circuitBreakerStates: {},
    });
    expect(slow).toEqual([
      {
        timestamp: '2026-03-02T10:00:00.000Z',
        service: 'ec2',
        operation: 'DescribeInstances',
        durationSeconds: 3.5,
        thresholdSeconds: 2,
        success: true,
      },
    ]);
    expect(production[0]).toMatchObject({ event: 'slow_operation', durationSeconds: 3.5 });
  });

  it('before any operation: no errors, 100% success', () => {
    expect(new ProductionSafetyMonitor().getMonitoringSummary()).toMatchObject({
      totalOperations: 0,
      errorRate: 0,
      successRate: 100,
    });
  });

  it('bad arguments to recordOperation are recorded with a warning, never thrown', () => {
    const warnings: string[] = [];
    const monitor = new ProductionSafetyMonitor({
      loggers: {
        production: { info: () => undefined, warn: (_o, msg) => void warnings.push(msg ?? ''), error: () => undefined },
      },
    });
    expect(() => monitor.recordOperation('DescribeInstances', 'ec2', Number.NaN, true)).not.toThrow();
    expect(() => monitor.recordOperation('DescribeInstances', 'ec2', -3, true)).not.toThrow();
    expect(() =>
      monitor.recordOperation(
        undefined as unknown as string,
        null as unknown as string,
        1,
        'yes' as unknown as boolean,
      ),
    ).not.toThrow();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/duration must be a finite number of seconds >= 0/);
    const summary = monitor.getMonitoringSummary();
    expect(summary.totalOperations).toBe(3);
    expect(summary.operationsByService.unknown).toMatchObject({ total: 1, failed: 1 });
  });

  it('bad security events are recorded with defaults, never thrown', () => {
    const monitor = new ProductionSafetyMonitor();
    expect(() => monitor.recordSecurityEvent(undefined as never)).not.toThrow();
    expect(() =>
      monitor.recordSecurityEvent({
        kind: 'policy_override',
        service: 'iam',
        operation: 'GetPolicy',
        message: 'x',
        riskLevel: 'SEVERE' as never,
      }),
    ).not.toThrow();
    expect(monitor.getMonitoringSummary()).toMatchObject({ securityEvents: 2, blockedOperations: 0 });
  });
});
