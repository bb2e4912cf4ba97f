import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProductionSafetyMonitor, type ErrorThresholdAlert, type MonitorLogger } from '../../src/monitor/index.js';

const throttle = (): Error =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const denied = (): Error =>
  Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });

function recordingLogger(): MonitorLogger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
  const lines: Array<{ level: string; obj: object; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    void lines.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('error threshold alerts over a sliding window', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fire at exactly the threshold inside the window, with the top error kinds, logged to metrics', () => {
    const metrics = recordingLogger();
    const monitor = new ProductionSafetyMonitor({ errorThreshold: 4, errorWindowSeconds: 60, loggers: { metrics } });
    const alerts: ErrorThresholdAlert[] = [];
    monitor.on('errorThresholdExceeded', (alert) => alerts.push(alert));

    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    vi.advanceTimersByTime(20_000);
    monitor.handleError(denied(), { service: 's3', operation: 'ListBuckets' });
    vi.advanceTimersByTime(20_000);
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    expect(alerts).toHaveLength(0);
    expect(monitor.getMonitoringSummary().errorsInWindow).toBe(3);
    vi.advanceTimersByTime(20_000);
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeRegions' });

    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      errorCount: 4,
      threshold: 4,
      windowSeconds: 60,
      firstErrorAt: '2026-03-02T10:00:00.000Z',
      lastErrorAt: '2026-03-02T10:01:00.000Z',
      topErrorKinds: [
        { kind: 'throttling', count: 3 },
        { kind: 'access_denied', count: 1 },
      ],
      errorsBySeverity: { MEDIUM: 3, HIGH: 1 },
    });
    const logged = metrics.lines.filter((l) => l.level === 'warn');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.obj).toMatchObject({ event: 'error_threshold_exceeded', errorCount: 4 });
  });

  it('do not fire when the same errors are spread wider than the window', () => {
    const monitor = new ProductionSafetyMonitor({ errorThreshold: 4, errorWindowSeconds: 60 });
    const alerts: ErrorThresholdAlert[] = [];
    monitor.on('errorThresholdExceeded', (alert) => alerts.push(alert));
    for (let i = 0; i < 12; i++) {
      monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
      vi.advanceTimersByTime(20_001);
    }
    expect(alerts).toHaveLength(0);
    expect(monitor.getMonitoringSummary().totalErrors).toBe(12);
  });

  it('measure the window in real durations: a window longer than a day still counts errors a day apart', () => {
    // timedelta.seconds wraps every day; a window of 2 days must not.
    const monitor = new ProductionSafetyMonitor({ errorThreshold: 2, errorWindowSeconds: 2 * 86_400 });
    const alerts: ErrorThresholdAlert[] = [];
    monitor.on('errorThresholdExceeded', (alert) => alerts.push(alert));
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    vi.advanceTimersByTime(86_400_000 + 60_000);
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    expect(alerts).toHaveLength(1);

    const short = new ProductionSafetyMonitor({ errorThreshold: 2, errorWindowSeconds: 300 });
    const shortAlerts: ErrorThresholdAlert[] = [];
    short.on('errorThresholdExceeded', (alert) => shortAlerts.push(alert));
    short.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    // One day and 60 seconds later: timedelta.seconds would say 60 s, inside a 300 s window.
    vi.advanceTimersByTime(86_400_000 + 60_000);
    short.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    expect(shortAlerts).toHaveLength(0);
  });

  it('fire once per threshold errors in a storm, not once per error', () => {
    const monitor = new ProductionSafetyMonitor({ errorThreshold: 5, errorWindowSeconds: 300 });
    let alerts = 0;
    monitor.on('errorThresholdExceeded', () => alerts++);
    for (let i = 0; i < 23; i++) monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    expect(alerts).toBe(4);
  });

  it('the default window is 5 minutes', () => {
    const monitor = new ProductionSafetyMonitor({ errorThreshold: 2 });
    let alerts = 0;
    monitor.on('errorThresholdExceeded', () => alerts++);
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    vi.advanceTimersByTime(300_001);
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    expect(alerts).toBe(0);
    vi.advanceTimersByTime(299_999);
    monitor.handleError(throttle(), { service: 'ec2', operation: 'DescribeInstances' });
    expect(alerts).toBe(1);
    expect(monitor.options.errorWindowSeconds).toBe(300);
  });
});
