import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  ComplianceMetrics,
  MetricName,
  emptySnapshot,
  isMetricsError,
  operationLabels,
} from '../../src/metrics/index.js';
import { family, knownSnapshot, parsePrometheus, valueOf } from './fixtures.js';

describe('ComplianceMetrics from a snapshot', () => {
  it('exposes the seed metrics with the values of a known history', async () => {
    const metrics = new ComplianceMetrics();
    metrics.update(knownSnapshot());
    const families = parsePrometheus(await metrics.render());

    expect(valueOf(families, 'inventag_compliance_score')).toBe(87.5);
    expect(valueOf(families, 'inventag_risk_score')).toBe(42);
    expect(valueOf(families, 'inventag_total_operations')).toBe(40);
    expect(valueOf(families, 'inventag_error_rate')).toBe(10);
    expect(valueOf(families, 'inventag_success_rate')).toBe(80);
    expect(valueOf(families, 'inventag_blocked_operations')).toBe(4);
  });

  it('counts operations by bounded service, operation, decision and outcome', async () => {
    const metrics = new ComplianceMetrics();
    metrics.update(knownSnapshot());
    const families = parsePrometheus(await metrics.render());
    const ops = family(families, MetricName.OPERATIONS);

    expect(ops.type).toBe('COUNTER');
    expect(
      valueOf(families, MetricName.OPERATIONS, {
        service: 'ec2',
        operation: 'DescribeInstances',
        decision: 'allowed',
        outcome: 'success',
      }),
    ).toBe(30);
    // snake_case and SDK command names resolve to the one IAM action they need.
    expect(
      valueOf(families, MetricName.OPERATIONS, { service: 's3', operation: 'ListAllMyBuckets', outcome: 'success' }),
    ).toBe(2);
    expect(
      valueOf(families, MetricName.OPERATIONS, { service: 's3', operation: 'ListAllMyBuckets', outcome: 'failure' }),
    ).toBe(4);
    expect(
      valueOf(families, MetricName.OPERATIONS, { service: 'other', operation: 'other', decision: 'blocked' }),
    ).toBe(1);
    const labelValues = ops.metrics.flatMap((m) => Object.values(m.labels ?? {}));
    expect(labelValues.some((v) => v.includes('arn:') || v.includes(' '))).toBe(false);
    expect(ops.metrics.reduce((sum, m) => sum + Number(m.value), 0)).toBe(40);
  });

  it('exposes durations, breakers, resources, audit and CloudTrail figures', async () => {
    const metrics = new ComplianceMetrics();
    metrics.update(knownSnapshot());
    const text = await metrics.render();
    const families = parsePrometheus(text);

    // The parser folds labelled histograms together, so the series are read as lines.
    expect(family(families, MetricName.OPERATION_DURATION).type).toBe('HISTOGRAM');
    expect(text).toContain(
      'inventag_operation_duration_seconds_count{service="ec2",operation="DescribeInstances"} 4\n',
    );
    expect(
      Number(
        /^inventag_operation_duration_seconds_sum\{service="ec2",operation="DescribeInstances"\} (\S+)$/m.exec(
          text,
        )?.[1],
      ),
    ).toBeCloseTo(1.86);
    expect(text).toContain(
      'inventag_operation_duration_seconds_bucket{le="0.25",service="ec2",operation="DescribeInstances"} 2\n',
    );
    expect(text).toContain('inventag_operation_duration_seconds_count{service="s3",operation="ListAllMyBuckets"} 1\n');
    expect(
      valueOf(families, MetricName.CIRCUIT_BREAKER_STATE, {
        service: 's3',
        operation: 'ListAllMyBuckets',
        state: 'OPEN',
      }),
    ).toBe(1);
    expect(
      valueOf(families, MetricName.CIRCUIT_BREAKER_STATE, {
        service: 's3',
        operation: 'ListAllMyBuckets',
        state: 'CLOSED',
      }),
    ).toBe(0);
    expect(valueOf(families, MetricName.CIRCUIT_BREAKER_STATE, { service: 'ec2', state: 'CLOSED' })).toBe(1);
    expect(valueOf(families, MetricName.RESOURCE_USAGE, { resource: 'cpu' })).toBe(91.5);
    expect(valueOf(families, MetricName.RESOURCE_THRESHOLD, { resource: 'disk' })).toBe(90);
    expect(valueOf(families, MetricName.ERRORS, { severity: 'HIGH' })).toBe(3);
    expect(valueOf(families, MetricName.ERRORS, { severity: 'CRITICAL' })).toBe(0);
    expect(valueOf(families, MetricName.AUDIT_CHAIN_LENGTH)).toBe(40);
    expect(valueOf(families, MetricName.AUDIT_CHAIN_VERIFICATION, { result: 'passed' })).toBe(1);
    expect(valueOf(families, MetricName.CLOUDTRAIL_EVENTS_READ)).toBe(120);
    expect(valueOf(families, MetricName.CLOUDTRAIL_WRITES_FOUND, { principal: 'automation' })).toBe(1);
    expect(valueOf(families, MetricName.CLOUDTRAIL_WRITES_FOUND, { principal: 'other' })).toBe(2);
    expect(valueOf(families, MetricName.INFO, { standard: 'soc2' })).toBe(1);
    expect(valueOf(families, MetricName.SNAPSHOT_TIMESTAMP)).toBe(Date.parse('2026-03-01T12:00:00Z') / 1000);
  });

  it('follows the history: a later snapshot replaces series that are gone', async () => {
    const metrics = new ComplianceMetrics();
    metrics.update(knownSnapshot());
    metrics.update(emptySnapshot());
    const families = parsePrometheus(await metrics.render());

    expect(valueOf(families, 'inventag_total_operations')).toBe(0);
    expect(family(families, MetricName.OPERATIONS).metrics).toHaveLength(0);
    expect(family(families, MetricName.CIRCUIT_BREAKER_STATE).metrics).toHaveLength(0);
    expect(family(families, MetricName.RESOURCE_USAGE).metrics).toHaveLength(0);
    expect(valueOf(families, MetricName.AUDIT_CHAIN_VERIFICATION, { result: 'not_run' })).toBe(1);
  });

  it('keeps its metrics off the global prom-client registry', async () => {
    const a = new ComplianceMetrics();
    const b = new ComplianceMetrics();
    a.update(knownSnapshot());
    b.update(emptySnapshot());

    expect(await globalRegistry.metrics()).not.toContain('inventag_');
    expect(valueOf(parsePrometheus(await a.render()), 'inventag_total_operations')).toBe(40);
    expect(valueOf(parsePrometheus(await b.render()), 'inventag_total_operations')).toBe(0);
  });
});

describe('ComplianceMetrics fed live', () => {
  it('counts observed operations and durations, and keeps them across snapshot updates', async () => {
    const metrics = new ComplianceMetrics({ operationsFrom: 'live' });
    metrics.observeOperation({
      service: 'ec2',
      operation: 'DescribeInstancesCommand',
      decision: 'allowed',
      outcome: 'success',
      durationSeconds: 0.2,
    });
    metrics.observeOperation({
      service: 'ec2',
      operation: 'describe_instances',
      decision: 'allowed',
      outcome: 'success',
      durationSeconds: 0.4,
    });
    metrics.observeOperation({ service: 'iam', operation: 'CreateUser', decision: 'blocked', outcome: 'not_run' });
    metrics.observeError('HIGH');
    metrics.update(knownSnapshot());
    const text = await metrics.render();
    const families = parsePrometheus(text);

    expect(valueOf(families, MetricName.OPERATIONS, { service: 'ec2', operation: 'DescribeInstances' })).toBe(2);
    expect(
      valueOf(families, MetricName.OPERATIONS, {
        service: 'iam',
        operation: 'CreateUser',
        decision: 'blocked',
        outcome: 'not_run',
      }),
    ).toBe(1);
    expect(family(families, MetricName.OPERATIONS).metrics).toHaveLength(2);
    expect(text).toContain(
      'inventag_operation_duration_seconds_count{service="ec2",operation="DescribeInstances"} 2\n',
    );
    expect(valueOf(families, MetricName.ERRORS, { severity: 'HIGH' })).toBe(1);
    expect(valueOf(families, 'inventag_compliance_score')).toBe(87.5);
  });

  it('refuses live observations on a registry that takes history from snapshots', () => {
    const metrics = new ComplianceMetrics();
    let caught: unknown;
    try {
      metrics.observeOperation({
        service: 'ec2',
        operation: 'DescribeInstances',
        decision: 'allowed',
        outcome: 'success',
      });
    } catch (err) {
      caught = err;
    }
    expect(isMetricsError(caught) && caught.code).toBe('WRONG_MODE');
  });
});

describe('operationLabels', () => {
  it('keeps label values to IAM names or "other"', () => {
    expect(operationLabels('EC2', 'describe-instances')).toEqual({ service: 'ec2', operation: 'DescribeInstances' });
    expect(operationLabels('whatever', 'x', 'sts:GetCallerIdentity')).toEqual({
      service: 'sts',
      operation: 'GetCallerIdentity',
    });
    expect(operationLabels('S3Client', 'ListBucketsCommand')).toEqual({ service: 's3', operation: 'ListAllMyBuckets' });
    expect(operationLabels('ec2', 'i-0123456789abcdef0')).toEqual({ service: 'ec2', operation: 'other' });
    expect(operationLabels('<script>', 'DescribeInstances')).toEqual({ service: 'other', operation: 'other' });
  });
});
