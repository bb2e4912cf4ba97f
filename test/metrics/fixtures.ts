/** A known compliance history as a snapshot, and helpers to read Prometheus text in tests. */
import { createRequire } from 'node:module';
import type { ComplianceSnapshot, SnapshotSource } from '../../src/metrics/index.js';

export const HOSTILE_USER_AGENT = '<img src=x onerror=alert(1)>';

/** 40 operations: 32 succeeded, 4 failed, 4 blocked; one breaker open; one hostile CloudTrail field. */
export function knownSnapshot(): ComplianceSnapshot {
  return {
    generatedAt: '2026-03-01T12:00:00.000Z',
    standard: 'soc2',
    dashboard: {
      overallStatus: 'NON_COMPLIANT',
      complianceScore: 87.5,
      riskScore: 42,
      metrics: { successRate: 80, totalOperations: 40, errorRate: 10, blockedOperations: 4 },
      statusIndicators: {
        securityValidation: 'active',
        productionMonitoring: 'active',
        cloudtrailIntegration: 'active',
      },
      timestamp: '2026-03-01T12:00:00.000Z',
    },
    operations: [
      {
        service: 'ec2',
        operation: 'DescribeInstances',
        iamAction: 'ec2:DescribeInstances',
        decision: 'allowed',
        outcome: 'success',
        count: 30,
      },
      { service: 's3', operation: 'list_buckets', decision: 'allowed', outcome: 'success', count: 2 },
      { service: 'S3Client', operation: 'ListBucketsCommand', decision: 'allowed', outcome: 'failure', count: 4 },
      {
        service: 's3',
        operation: 'DeleteBucket',
        iamAction: 's3:DeleteBucket',
        decision: 'blocked',
        outcome: 'not_run',
        count: 3,
      },
      // Free text where a name belongs must not become a label value.
      {
        service: 'arn:aws:s3:::customer-bucket',
        operation: 'PutObject for customer 1234',
        decision: 'blocked',
        outcome: 'not_run',
        count: 1,
      },
    ],
    durations: [
      { service: 'ec2', operation: 'DescribeInstances', seconds: [0.02, 0.04, 0.3, 1.5] },
      { service: 's3', operation: 'ListBuckets', seconds: [0.01] },
    ],
    timeline: [
      { start: '2026-03-01T11:00:00.000Z', allowed: 10, blocked: 1, failed: 0 },
      { start: '2026-03-01T11:15:00.000Z', allowed: 12, blocked: 2, failed: 3 },
      { start: '2026-03-01T11:30:00.000Z', allowed: 8, blocked: 0, failed: 1 },
      { start: '2026-03-01T11:45:00.000Z', allowed: 6, blocked: 1, failed: 0 },
    ],
    errorsBySeverity: { HIGH: 3, MEDIUM: 1 },
    breakers: [
      { service: 's3', operation: 'ListBuckets', state: 'OPEN', failures: 5 },
      { service: 'ec2', operation: 'DescribeInstances', state: 'CLOSED', failures: 0 },
    ],
    resources: {
      latest: { time: '2026-03-01T12:00:00.000Z', cpuPercent: 91.5, memoryPercent: 40, diskPercent: 55 },
      thresholds: { cpuPercent: 80, memoryPercent: 80, diskPercent: 90 },
    },
    audit: { length: 40, head: 'a3f1c2d4e5b6a7980112233445566778', verified: true },
    recentBlocked: [
      {
        time: '2026-03-01T11:50:00.000Z',
        service: 's3',
        operation: 'DeleteBucket',
        iamAction: 's3:DeleteBucket',
        riskLevel: 'HIGH',
        message: 'mutating operation blocked',
      },
    ],
    cloudtrail: {
      eventsRead: 120,
      writesFound: 3,
      writesByAutomation: 1,
      findings: [
        {
          time: '2026-03-01T11:40:00.000Z',
          eventName: 'PutBucketPolicy',
          eventSource: 's3.amazonaws.com',
          userAgent: HOSTILE_USER_AGENT,
          sourceIpAddress: '198.51.100.7',
          principal: 'arn:aws:iam::123456789012:role/inventory-automation',
          readOnly: false,
          reason: 'write by the automation principal',
        },
      ],
    },
  };
}

/** A source whose snapshot a test can change between reads. */
export class MutableSource implements SnapshotSource {
  reads = 0;
  constructor(public snapshot: ComplianceSnapshot) {}
  async getSnapshot(): Promise<ComplianceSnapshot> {
    this.reads++;
    return structuredClone(this.snapshot);
  }
}

export interface PromSample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
export interface PromFamily {
  name: string;
  help: string;
  type: string;
  metrics: PromSample[];
}

const require = createRequire(import.meta.url);
export const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => PromFamily[];

/** The samples of one metric family, failing the caller's expectation readably when absent. */
export function family(families: PromFamily[], name: string): PromFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`metric ${name} is missing; have ${families.map((f) => f.name).join(', ')}`);
  return found;
}

/** The value of the sample whose labels include `labels`, as a number. */
export function valueOf(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const sample = family(families, name).metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
  );
  if (!sample?.value) throw new Error(`metric ${name} has no sample with labels ${JSON.stringify(labels)}`);
  return Number(sample.value);
}
