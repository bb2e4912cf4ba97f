import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ProductionSafetyMonitor,
  isMonitorError,
  type ProductionSafetyMonitorOptions,
} from '../../src/monitor/index.js';

const expiredToken = () =>
  Object.assign(new Error('The security token included in the request is expired'), {
    name: 'ExpiredToken',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const accessDenied = () =>
  Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
const unavailable = () =>
  Object.assign(new Error('unavailable'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });
const blocked = () =>
  Object.assign(new Error('inventag guard blocked EC2Client TerminateInstancesCommand'), {
    name: 'OperationBlockedError',
    isOperationBlockedError: true,
    verdict: { riskLevel: 'HIGH' },
  });

const at = (iso: string) => vi.setSystemTime(new Date(iso));

/**
 * A day of history, 2026-03-01 (Sunday) to 2026-03-02 (Monday), with business
 * hours Monday-Friday 08:00-18:00 UTC. Returns the monitor with the clock at
 * Monday 23:00 UTC, the end of the report period.
 */
async function constructedHistory(options: ProductionSafetyMonitorOptions = {}): Promise<ProductionSafetyMonitor> {
  const monitor = new ProductionSafetyMonitor({ circuitBreakerThreshold: 1, ...options });
  at('2026-03-01T20:00:00Z'); // before the 24-hour period: not counted
  monitor.recordOperation('DescribeInstances', 'ec2', 0.2, true);
  at('2026-03-01T23:30:00Z'); // Sunday: outside business hours
  monitor.recordOperation('DescribeInstances', 'ec2', 0.2, true);
  at('2026-03-02T10:00:00Z'); // Monday, inside business hours
  for (let i = 0; i < 6; i++) monitor.recordOperation('DescribeInstances', 'ec2', 0.3, true);
  for (let i = 0; i < 2; i++) {
    monitor.recordOperation('ListBuckets', 's3', 0.1, false);
    monitor.handleError(accessDenied(), { service: 's3', operation: 'ListBuckets' });
  }
  monitor.recordOperation('GetCallerIdentity', 'sts', 0.1, false);
  monitor.handleError(expiredToken(), { service: 'sts', operation: 'GetCallerIdentity' });
  // The guard reports the block, then the caller hands the same error to handleError: one blocked operation.
  monitor.recordSecurityEvent({
    kind: 'operation_blocked',
    service: 'ec2',
    operation: 'TerminateInstances',
    message: 'mutating',
    riskLevel: 'HIGH',
  });
  monitor.handleError(blocked(), { service: 'ec2', operation: 'TerminateInstances' });
  await monitor.run('lambda', 'ListFunctions', () => Promise.reject(unavailable())).catch(() => undefined);
  at('2026-03-02T21:00:00Z'); // Monday evening: outside business hours
  monitor.recordOperation('DescribeRegions', 'ec2', 0.1, true);
  monitor.recordOperation('DescribeRegions', 'ec2', 0.1, true);
  at('2026-03-02T23:00:00Z');
  return monitor;
}

describe('security validation report', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'inventag-monitor-report-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the period and computes the risk score by the formula written in the report', async () => {
    const monitor = await constructedHistory();
    const report = monitor.generateSecurityValidationReport({ validationPeriodHours: 24 });

    expect(report).toMatchObject({
      periodStart: '2026-03-01T23:00:00.000Z',
      periodEnd: '2026-03-02T23:00:00.000Z',
      validationPeriodHours: 24,
      totalOperations: 14,
      successfulOperations: 9,
      failedOperations: 4,
      blockedOperations: 1,
      operationsOutsideBusinessHours: 3,
      errorsBySeverity: { CRITICAL: 1, HIGH: 3, MEDIUM: 1, LOW: 0, INFO: 0 },
    });

    // The formula, as the report writes it out.
    expect(report.riskScoreFormula).toContain(
      'min(30, 10 × blockedOperations) + 25 × failedOperations / max(1, totalOperations) + min(20, 10 × criticalErrors) + min(10, 2 × highErrors) + 10 × operationsOutsideBusinessHours / max(1, totalOperations) + min(5, 5 × openCircuits)',
    );
    // Computed here from the history above: 1 blocked, 4 failed of 14, 1 critical, 2 high (the block is
    // counted once, as blocked), 3 outside business hours, 1 open breaker (lambda:ListFunctions).
    const expected =
      Math.round(
        (Math.min(30, 10 * 1) +
          (25 * 4) / 14 +
          Math.min(20, 10 * 1) +
          Math.min(10, 2 * 2) +
          (10 * 3) / 14 +
          Math.min(5, 5 * 1)) *
          10,
      ) / 10;
    expect(expected).toBe(38.3);
    expect(report.riskScore).toBe(expected);
    expect(report.riskScoreBreakdown.map((t) => [t.name, t.points])).toEqual([
      ['blockedOperations', 10],
      ['failureRate', 7.1],
      ['criticalErrors', 10],
      ['highErrors', 4],
      ['outsideBusinessHours', 2.1],
      ['openCircuits', 5],
    ]);
  });

  it('lists findings, compliance violations and recommendations', async () => {
    const report = (await constructedHistory()).generateSecurityValidationReport();
    expect(report.securityFindings.map((f) => [f.severity, f.title])).toEqual([
      ['CRITICAL', 'Critical errors: credentials missing, expired or rejected'],
      ['HIGH', 'Mutating operations were attempted'],
      ['MEDIUM', 'Access denied by AWS'],
      ['MEDIUM', 'High failure rate'],
      ['MEDIUM', 'Circuit breakers open'],
      ['LOW', 'Operations outside business hours'],
    ]);
    for (const finding of report.securityFindings) {
      expect(finding.description.length).toBeGreaterThan(10);
      expect(finding.recommendation.length).toBeGreaterThan(10);
    }
    expect(report.complianceViolations).toEqual([
      expect.objectContaining({
        type: 'mutating_operation_attempted',
        severity: 'HIGH',
        service: 'ec2',
        operation: 'TerminateInstances',
        count: 1,
      }),
      expect.objectContaining({
        type: 'outside_business_hours',
        service: 'ec2',
        operation: 'DescribeRegions',
        count: 2,
        firstSeen: '2026-03-02T21:00:00.000Z',
      }),
      expect.objectContaining({
        type: 'outside_business_hours',
        service: 'ec2',
        operation: 'DescribeInstances',
        count: 1,
        firstSeen: '2026-03-01T23:30:00.000Z',
      }),
    ]);
    expect(report.recommendations).toHaveLength(6);
  });

  it('business hours follow their time zone, and can be switched off', async () => {
    // 10:00 UTC is 05:00 in New York: everything on Monday morning is outside 09-17 there.
    const newYork = (
      await constructedHistory({
        businessHours: { startHour: 9, endHour: 17, days: [1, 2, 3, 4, 5], timeZone: 'America/New_York' },
      })
    ).generateSecurityValidationReport();
    // Monday 21:00 UTC is 16:00 in New York, inside; Sunday 23:30 UTC is Sunday 18:30 there, outside.
    expect(newYork.operationsOutsideBusinessHours).toBe(1 + 6 + 2 + 1 + 1 + 1);
    const off = (await constructedHistory({ businessHours: false })).generateSecurityValidationReport();
    expect(off.operationsOutsideBusinessHours).toBe(0);
    expect(off.complianceViolations.map((v) => v.type)).toEqual(['mutating_operation_attempted']);
    expect(off.riskScore).toBe(Math.round((10 + (25 * 4) / 14 + 10 + 4 + 0 + 5) * 10) / 10);
  });

  it('a quiet period scores 0 and says so', () => {
    at('2026-03-02T10:00:00Z');
    const monitor = new ProductionSafetyMonitor();
    monitor.recordOperation('DescribeInstances', 'ec2', 0.1, true);
    const report = monitor.generateSecurityValidationReport({ validationPeriodHours: 1 });
    expect(report).toMatchObject({ riskScore: 0, securityFindings: [], complianceViolations: [], totalOperations: 1 });
    expect(report.recommendations[0]).toMatch(/No security findings/);
  });

  it('saveSecurityReport writes the report as JSON, creating directories', async () => {
    const monitor = await constructedHistory();
    const report = monitor.generateSecurityValidationReport();
    const written = await monitor.saveSecurityReport(report, join(dir, 'reports', 'security.json'));
    expect(JSON.parse(readFileSync(written, 'utf8'))).toEqual(report);
  });

  it('refuses a period that is not a positive number of hours', async () => {
    const monitor = new ProductionSafetyMonitor();
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '24' as unknown as number]) {
      let error: unknown;
      try {
        monitor.generateSecurityValidationReport({ validationPeriodHours: bad });
      } catch (e) {
        error = e;
      }
      expect(isMonitorError(error)).toBe(true);
      expect((error as Error).message).toMatch(/validationPeriodHours: must be a positive number of hours/);
    }
  });
});
