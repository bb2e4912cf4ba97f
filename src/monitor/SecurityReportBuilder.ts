import { randomUUID } from 'node:crypto';
import { FindingCode } from '../report/findingCodes.js';
import { ErrorSeverity, RISK_ORDER, RiskLevel } from '../constants.js';
import type { BreakerStatus } from '../breaker/BreakerRegistry.js';
import { ErrorCategory } from './ErrorClassifier.js';
import type { BusinessHours } from './options.js';
import type { ErrorRecord, OperationRecord, PerformanceBreachRecord, SecurityEventRecord } from './records.js';

export interface SecurityFinding {
  /** What kind of finding: merged and capped by this, never by title. */
  code: FindingCode;
  severity: RiskLevel;
  title: string;
  description: string;
  recommendation: string;
  /** How many events the finding rests on. */
  count: number;
}

export interface ComplianceViolation {
  type: 'mutating_operation_attempted' | 'outside_business_hours';
  severity: RiskLevel;
  service: string;
  operation: string;
  description: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/** One term of the risk score, with the rule that produced its points. */
export interface RiskScoreComponent {
  name: string;
  /** The input the term is computed from (a count, or a ratio 0-1). */
  value: number;
  points: number;
  maxPoints: number;
  rule: string;
}

/** The seed's security validation report, with the risk score formula written into it. */
export interface SecurityValidationReport {
  reportId: string;
  /** The AWS account the operations ran in, when the monitor knows it. */
  accountId?: string;
  generatedAt: string;
  validationPeriodHours: number;
  periodStart: string;
  periodEnd: string;
  /** Operations that ran plus operations the guard blocked. */
  totalOperations: number;
  successfulOperations: number;
  failedOperations: number;
  blockedOperations: number;
  operationsOutsideBusinessHours: number;
  errorsBySeverity: Record<ErrorSeverity, number>;
  securityEvents: number;
  businessHours: BusinessHours | false;
  securityFindings: SecurityFinding[];
  complianceViolations: ComplianceViolation[];
  recommendations: string[];
  riskScore: number;
  riskScoreFormula: string;
  riskScoreBreakdown: RiskScoreComponent[];
}

/** What the report is computed from. Times are epoch milliseconds. */
export interface SecurityReportInput {
  periodStart: number;
  periodEnd: number;
  operations: readonly OperationRecord[];
  errors: readonly ErrorRecord[];
  securityEvents: readonly SecurityEventRecord[];
  breaches: readonly PerformanceBreachRecord[];
  slowOperations: readonly OperationRecord[];
  /** Breakers as they are now; OPEN and HALF_OPEN count as open. */
  breakers: readonly BreakerStatus[];
  businessHours: BusinessHours | false;
}

/** The counts the risk score is computed from. */
export interface RiskInputs {
  totalOperations: number;
  failedOperations: number;
  blockedOperations: number;
  criticalErrors: number;
  /** HIGH errors other than guard blocks (those are already counted as blocked operations). */
  highErrors: number;
  operationsOutsideBusinessHours: number;
  openCircuits: number;
}

export const RISK_SCORE_FORMULA =
  'riskScore = min(30, 10 × blockedOperations) + 25 × failedOperations / max(1, totalOperations) + min(20, 10 × criticalErrors) + min(10, 2 × highErrors) + 10 × operationsOutsideBusinessHours / max(1, totalOperations) + min(5, 5 × openCircuits), rounded to one decimal (0-100). highErrors excludes guard blocks, which blockedOperations already counts.';

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Compute the risk score and its terms exactly as {@link RISK_SCORE_FORMULA} says. */
export function computeRiskScore(inputs: RiskInputs): { riskScore: number; breakdown: RiskScoreComponent[] } {
  const total = Math.max(1, inputs.totalOperations);
  const terms: RiskScoreComponent[] = [
    {
      name: 'blockedOperations',
      value: inputs.blockedOperations,
      maxPoints: 30,
      points: Math.min(30, 10 * inputs.blockedOperations),
      rule: 'min(30, 10 × blockedOperations)',
    },
    {
      name: 'failureRate',
      value: inputs.failedOperations / total,
      maxPoints: 25,
      points: (25 * inputs.failedOperations) / total,
      rule: '25 × failedOperations / max(1, totalOperations)',
    },
    {
      name: 'criticalErrors',
      value: inputs.criticalErrors,
      maxPoints: 20,
      points: Math.min(20, 10 * inputs.criticalErrors),
      rule: 'min(20, 10 × criticalErrors)',
    },
    {
      name: 'highErrors',
      value: inputs.highErrors,
      maxPoints: 10,
      points: Math.min(10, 2 * inputs.highErrors),
      rule: 'min(10, 2 × highErrors)',
    },
    {
      name: 'outsideBusinessHours',
      value: inputs.operationsOutsideBusinessHours / total,
      maxPoints: 10,
      points: (10 * inputs.operationsOutsideBusinessHours) / total,
      rule: '10 × operationsOutsideBusinessHours / max(1, totalOperations)',
    },
    {
      name: 'openCircuits',
      value: inputs.openCircuits,
      maxPoints: 5,
      points: Math.min(5, 5 * inputs.openCircuits),
      rule: 'min(5, 5 × openCircuits)',
    },
  ];
  const sum = terms.reduce((acc, term) => acc + term.points, 0);
  return {
    riskScore: Math.min(100, round1(sum)),
    breakdown: terms.map((t) => ({ ...t, points: round1(t.points), value: Math.round(t.value * 1e4) / 1e4 })),
  };
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `at` (epoch ms) falls inside business hours, in their time zone. */
export function isWithinBusinessHours(at: number, hours: BusinessHours): boolean {
  let format = formatters.get(hours.timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: hours.timeZone,
      weekday: 'short',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(hours.timeZone, format);
  }
  let day = -1;
  let hour = -1;
  for (const part of format.formatToParts(new Date(at))) {
    if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? -1;
    if (part.type === 'hour') hour = Number(part.value) % 24;
  }
  return hours.days.includes(day) && hour >= hours.startHour && hour < hours.endHour;
}

interface Group {
  service: string;
  operation: string;
  count: number;
  first: number;
  last: number;
  risk: RiskLevel;
}

const groupBy = (
  items: ReadonlyArray<{ at: number; service: string; operation: string; riskLevel?: RiskLevel }>,
): Group[] => {
  const groups = new Map<string, Group>();
  for (const item of items) {
    const key = `${item.service}:${item.operation}`;
    const group = groups.get(key);
    const risk = item.riskLevel ?? RiskLevel.MEDIUM;
    if (!group) {
      groups.set(key, {
        service: item.service,
        operation: item.operation,
        count: 1,
        first: item.at,
        last: item.at,
        risk,
      });
      continue;
    }
    group.count++;
    group.first = Math.min(group.first, item.at);
    group.last = Math.max(group.last, item.at);
    if (RISK_ORDER[risk] > RISK_ORDER[group.risk]) group.risk = risk;
  }
  return [...groups.values()].sort(
    (a, b) => b.count - a.count || a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation),
  );
};

const isBlockEvent = (event: SecurityEventRecord): boolean => /block/i.test(event.kind);
const iso = (at: number): string => new Date(at).toISOString();
const pct = (part: number, whole: number): string => `${whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10}%`;

/**
 * Builds the security validation report from the monitor's records: totals,
 * findings, compliance violations, recommendations and the risk score.
 */
export class SecurityReportBuilder {
  build(input: SecurityReportInput, validationPeriodHours: number): SecurityValidationReport {
    const inPeriod = <T extends { at: number }>(items: readonly T[]): T[] =>
      items.filter((i) => i.at >= input.periodStart && i.at <= input.periodEnd);
    const operations = inPeriod(input.operations);
    const errors = inPeriod(input.errors);
    const events = inPeriod(input.securityEvents);
    const breaches = inPeriod(input.breaches);
    const slow = inPeriod(input.slowOperations);
    const blocks = events.filter(isBlockEvent);
    const otherEvents = events.filter((e) => !isBlockEvent(e));

    const successfulOperations = operations.filter((o) => o.success).length;
    const failedOperations = operations.length - successfulOperations;
    const totalOperations = operations.length + blocks.length;
    const hours = input.businessHours;
    // Every UTC offset is a multiple of 15 minutes, so one answer serves a whole quarter hour.
    const quarters = new Map<number, boolean>();
    const inHours = (at: number, h: BusinessHours): boolean => {
      const quarter = Math.floor(at / 900_000);
      let inside = quarters.get(quarter);
      if (inside === undefined) quarters.set(quarter, (inside = isWithinBusinessHours(at, h)));
      return inside;
    };
    const offHours = hours === false ? [] : [...operations, ...blocks].filter((o) => !inHours(o.at, hours));
    const errorsBySeverity: Record<ErrorSeverity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
    for (const error of errors) errorsBySeverity[error.severity]++;
    const highErrors = errors.filter(
      (e) => e.severity === ErrorSeverity.HIGH && e.category !== ErrorCategory.OPERATION_BLOCKED,
    ).length;
    const openBreakers = input.breakers.filter((b) => b.state !== 'CLOSED');

    const { riskScore, breakdown } = computeRiskScore({
      totalOperations,
      failedOperations,
      blockedOperations: blocks.length,
      criticalErrors: errorsBySeverity.CRITICAL,
      highErrors,
      operationsOutsideBusinessHours: offHours.length,
      openCircuits: openBreakers.length,
    });

    const violations: ComplianceViolation[] = [
      ...groupBy(blocks).map((g) => ({
        type: 'mutating_operation_attempted' as const,
        severity: RISK_ORDER[g.risk] >= RISK_ORDER.HIGH ? g.risk : RiskLevel.HIGH,
        service: g.service,
        operation: g.operation,
        description: `${g.service}:${g.operation} was attempted ${g.count} time(s) and blocked by the read-only guard before it was sent.`,
        count: g.count,
        firstSeen: iso(g.first),
        lastSeen: iso(g.last),
      })),
      ...(hours === false
        ? []
        : groupBy(offHours).map((g) => ({
            type: 'outside_business_hours' as const,
            severity: RiskLevel.MEDIUM,
            service: g.service,
            operation: g.operation,
            description: `${g.service}:${g.operation} ran ${g.count} time(s) outside business hours (${hours.startHour}:00-${hours.endHour}:00 ${hours.timeZone}, days ${hours.days.join(',')}).`,
            count: g.count,
            firstSeen: iso(g.first),
            lastSeen: iso(g.last),
          }))),
    ];

    const findings = this.findings({
      blocks,
      errors,
      otherEvents,
      operations,
      failedOperations,
      totalOperations,
      offHours: offHours.length,
      openBreakers,
      breaches,
      slow,
    });
    const recommendations = [...new Set(findings.map((f) => f.recommendation))];
    if (recommendations.length === 0)
      recommendations.push(
        'No security findings in this period: keep the read-only guard enabled and review this report regularly.',
      );

    return {
      reportId: randomUUID(),
      generatedAt: new Date().toISOString(),
      validationPeriodHours,
      periodStart: iso(input.periodStart),
      periodEnd: iso(input.periodEnd),
      totalOperations,
      successfulOperations,
      failedOperations,
      blockedOperations: blocks.length,
      operationsOutsideBusinessHours: offHours.length,
      errorsBySeverity,
      securityEvents: events.length,
      businessHours: hours,
      securityFindings: findings,
      complianceViolations: violations,
      recommendations,
      riskScore,
      riskScoreFormula: RISK_SCORE_FORMULA,
      riskScoreBreakdown: breakdown,
    };
  }

  private findings(f: {
    blocks: SecurityEventRecord[];
    errors: ErrorRecord[];
    otherEvents: SecurityEventRecord[];
    operations: OperationRecord[];
    failedOperations: number;
    totalOperations: number;
    offHours: number;
    openBreakers: BreakerStatus[];
    breaches: PerformanceBreachRecord[];
    slow: OperationRecord[];
  }): SecurityFinding[] {
    const out: SecurityFinding[] = [];
    const credentialErrors = f.errors.filter((e) => e.severity === ErrorSeverity.CRITICAL);
    if (credentialErrors.length > 0) {
      out.push({
        severity: RiskLevel.CRITICAL,
        code: FindingCode.CREDENTIAL_ERRORS,
        title: 'Critical errors: credentials missing, expired or rejected',
        description: `${credentialErrors.length} operation(s) failed with a critical error (${[...new Set(credentialErrors.map((e) => e.errorType))].join(', ')}); the automation could not run as intended.`,
        recommendation:
          'Fix the credential source before the next run (`aws sso login`, refresh the role session) and confirm the identity with `aws sts get-caller-identity`.',
        count: credentialErrors.length,
      });
    }
    if (f.blocks.length > 0) {
      const worst = f.blocks.reduce<RiskLevel>(
        (acc, e) => (RISK_ORDER[e.riskLevel] > RISK_ORDER[acc] ? e.riskLevel : acc),
        RiskLevel.HIGH,
      );
      const names = [...new Set(f.blocks.map((e) => `${e.service}:${e.operation}`))];
      out.push({
        severity: worst,
        code: FindingCode.BLOCKED_ATTEMPTS,
        title: 'Mutating operations were attempted',
        description: `The read-only guard blocked ${f.blocks.length} attempt(s) to run a non-read-only operation (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}). None reached AWS.`,
        recommendation:
          'Remove write calls from the automation, or run it under a separate, reviewed change process; keep the guard in blocking mode.',
        count: f.blocks.length,
      });
    }
    const denied = f.errors.filter((e) => e.category === ErrorCategory.ACCESS_DENIED);
    if (denied.length > 0) {
      out.push({
        severity: RiskLevel.MEDIUM,
        code: FindingCode.ACCESS_DENIED,
        title: 'Access denied by AWS',
        description: `${denied.length} call(s) were refused by IAM (${[...new Set(denied.map((e) => `${e.service}:${e.operation}`))].slice(0, 10).join(', ')}); the inventory may be incomplete.`,
        recommendation:
          'Grant the read-only permissions the automation needs (for example the AWS managed ReadOnlyAccess or SecurityAudit policy) and nothing more.',
        count: denied.length,
      });
    }
    if (f.otherEvents.length > 0) {
      const worst = f.otherEvents.reduce<RiskLevel>(
        (acc, e) => (RISK_ORDER[e.riskLevel] > RISK_ORDER[acc] ? e.riskLevel : acc),
        RiskLevel.LOW,
      );
      out.push({
        severity: worst,
        code: FindingCode.SECURITY_EVENTS,
        title: 'Security events recorded',
        description: `${f.otherEvents.length} security event(s): ${[...new Set(f.otherEvents.map((e) => e.kind))].join(', ')}.`,
        recommendation: 'Review the security log for these events and confirm each was expected.',
        count: f.otherEvents.length,
      });
    }
    const ran = f.operations.length;
    if (ran > 0 && f.failedOperations / ran > 0.1) {
      out.push({
        severity: RiskLevel.MEDIUM,
        code: FindingCode.HIGH_FAILURE_RATE,
        title: 'High failure rate',
        description: `${f.failedOperations} of ${ran} operations failed (${pct(f.failedOperations, ran)}), above the 10% the report tolerates.`,
        recommendation: 'Look at the top error kinds in the errors log and fix the most frequent cause first.',
        count: f.failedOperations,
      });
    }
    if (f.openBreakers.length > 0) {
      out.push({
        severity: RiskLevel.MEDIUM,
        code: FindingCode.BREAKERS_OPEN,
        title: 'Circuit breakers open',
        description: `${f.openBreakers.length} service operation(s) are cut off after repeated failures: ${f.openBreakers.map((b) => `${b.service}:${b.operation} (${b.state})`).join(', ')}.`,
        recommendation:
          'Check the failing services (throttling, outages, network); the breakers retry on their own after circuitBreakerTimeout.',
        count: f.openBreakers.length,
      });
    }
    if (f.offHours > 0) {
      out.push({
        severity: RiskLevel.LOW,
        code: FindingCode.OFF_HOURS,
        title: 'Operations outside business hours',
        description: `${f.offHours} of ${f.totalOperations} operations ran outside business hours.`,
        recommendation:
          'Confirm off-hours runs are scheduled and expected, or move them into business hours so people can respond to alerts.',
        count: f.offHours,
      });
    }
    if (f.breaches.length > 0) {
      out.push({
        severity: RiskLevel.LOW,
        code: FindingCode.RESOURCE_THRESHOLDS,
        title: 'Resource thresholds exceeded',
        description: `${f.breaches.length} resource threshold breach(es): ${[...new Set(f.breaches.map((b) => b.metric))].join(', ')}.`,
        recommendation:
          "Give the runner more headroom or lower the automation's concurrency; adjust the thresholds only if they are unrealistic for this host.",
        count: f.breaches.length,
      });
    }
    if (f.slow.length > 0) {
      out.push({
        severity: RiskLevel.LOW,
        code: FindingCode.SLOW_OPERATIONS,
        title: 'Slow operations',
        description: `${f.slow.length} operation(s) exceeded the slow-operation threshold.`,
        recommendation: 'Paginate or filter the slow calls, or check network latency to AWS.',
        count: f.slow.length,
      });
    }
    return out.sort((a, b) => RISK_ORDER[b.severity] - RISK_ORDER[a.severity]);
  }
}
