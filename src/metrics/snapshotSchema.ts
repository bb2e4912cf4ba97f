/**
 * The snapshot's shape as a runtime schema, for snapshots that arrive as JSON
 * (a file passed with `--snapshot`, or what `/api/snapshot` served earlier).
 */
import { z } from 'zod';
import { CircuitState, ComplianceStandard, RiskLevel } from '../constants.js';
import { SnapshotError } from './errors.js';
import { OperationDecision, OperationOutcome } from './snapshot.js';
import type { ComplianceSnapshot } from './snapshot.js';

const count = z.number().int().nonnegative();
const percent = z.number().min(0).max(100);
const time = z.string().min(1);

const resources = z.object({ cpuPercent: percent, memoryPercent: percent, diskPercent: percent });

export const complianceSnapshotSchema = z.object({
  generatedAt: time,
  standard: z.enum(ComplianceStandard),
  dashboard: z.object({
    overallStatus: z.string(),
    complianceScore: percent,
    riskScore: percent,
    metrics: z.object({ successRate: percent, totalOperations: count, errorRate: percent, blockedOperations: count }),
    statusIndicators: z.object({
      securityValidation: z.string(),
      productionMonitoring: z.string(),
      cloudtrailIntegration: z.string(),
    }),
    timestamp: z.string().optional(),
    minComplianceScore: percent.optional(),
    findingsBySeverity: z.partialRecord(z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']), count).optional(),
    keyFindings: z.array(z.string()).optional(),
    immediateActions: z.array(z.string()).optional(),
    recommendations: z.array(z.string()).optional(),
    inconclusiveReasons: z.array(z.string()).optional(),
    recentActivity: z
      .array(
        z.object({
          time: z.string(),
          service: z.string(),
          operation: z.string(),
          decision: z.enum(OperationDecision),
        }),
      )
      .optional(),
  }),
  operations: z.array(
    z.object({
      service: z.string(),
      operation: z.string(),
      iamAction: z.string().optional(),
      decision: z.enum(OperationDecision),
      outcome: z.enum(OperationOutcome),
      count,
    }),
  ),
  durations: z.array(
    z.object({
      service: z.string(),
      operation: z.string(),
      iamAction: z.string().optional(),
      seconds: z.array(z.number().nonnegative()),
    }),
  ),
  timeline: z.array(z.object({ start: time, allowed: count, blocked: count, failed: count })),
  // Keys beyond the five severities are tolerated (and ignored by the exporters), so a newer producer's file still loads.
  errorsBySeverity: z.record(z.string(), count),
  breakers: z.array(
    z.object({
      service: z.string(),
      operation: z.string(),
      iamAction: z.string().optional(),
      state: z.enum(CircuitState),
      failures: count.optional(),
    }),
  ),
  resources: z.object({ latest: resources.extend({ time }).optional(), thresholds: resources }),
  audit: z.object({
    length: count,
    head: z.string().optional(),
    verified: z.boolean().optional(),
    checked: count.optional(),
    problem: z.string().optional(),
  }),
  recentBlocked: z.array(
    z.object({
      time,
      service: z.string(),
      operation: z.string(),
      iamAction: z.string().optional(),
      riskLevel: z.enum(RiskLevel),
      message: z.string(),
    }),
  ),
  cloudtrail: z.object({
    eventsRead: count,
    writesFound: count,
    writesByAutomation: count,
    findings: z.array(
      z.object({
        time,
        eventName: z.string(),
        eventSource: z.string(),
        userAgent: z.string().optional(),
        sourceIpAddress: z.string().optional(),
        principal: z.string().optional(),
        readOnly: z.boolean().optional(),
        errorCode: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
  }),
  controls: z
    .array(z.object({ id: z.string().max(64), status: z.enum(['PASS', 'FAIL', 'NOT_EVALUATED']) }))
    .max(500)
    .optional(),
  accounts: z
    .array(
      z.object({
        accountId: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit account id' }),
        verdict: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_EVALUATED']),
        complianceScore: percent.nullable(),
        writesFound: count.nullable(),
        findings: z.partialRecord(z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']), count),
      }),
    )
    .max(10_000)
    .optional(),
}) satisfies z.ZodType<ComplianceSnapshot>;

/**
 * Checks a parsed JSON value against the snapshot schema.
 * @param origin names the input in error messages (a file path)
 * @throws {SnapshotError} listing each bad field as `path.to.field: expected ...`
 */
export function parseSnapshot(value: unknown, origin: string): ComplianceSnapshot {
  const result = complianceSnapshotSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw new SnapshotError(`${origin} is not a compliance snapshot: ${problems.join('; ')}${more}`, origin);
}
