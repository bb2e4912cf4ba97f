import { RiskLevel } from '../../constants.js';
import type {
  AccountStatusEntry,
  AuditChainStatus,
  BlockedOperation,
  ComplianceSnapshot,
  DashboardData,
  OperationCount,
  OperationDurations,
  ResourceUsage,
  TimelineBucket,
} from '../../metrics/snapshot.js';
import type { ResourceSample } from '../../monitor/ResourceSampler.js';
import type { ComplianceStatus, ReportFinding } from '../../report/types.js';
import { assess, executiveSummary } from '../assessment/buildReport.js';
import { controlTable } from '../assessment/controls.js';
import type { AssessmentInputs } from '../assessment/inputs.js';
import { thresholdsOf } from '../assessment/scoring.js';
import { hasEvidence } from '../assessment/status.js';
import type { BlockedAttempt } from '../session/SessionLedger.js';

/** What the session ledger counted, as the snapshot shows it. */
export interface LedgerView {
  operations: OperationCount[];
  durations: OperationDurations[];
  timeline: TimelineBucket[];
  recentBlocked: BlockedAttempt[];
}

/** Everything a snapshot is made of besides the assessment. */
export interface SnapshotInputs {
  assessment: AssessmentInputs;
  ledger: LedgerView;
  /** The audit chain: length, head and the result of its verification. */
  audit: AuditChainStatus;
  resourceThresholds: ResourceUsage;
  /** The accounts of the last `check --org` run, when there was one. */
  accounts?: AccountStatusEntry[];
  /** This host's resources, sampled by an observer: shown, never assessed (else the monitor's latest sample). */
  hostSample?: ResourceSample;
}

/** The seed's dashboard data, plus why: findings by severity, key findings, immediate actions, the gate. */
export function dashboardData(
  inputs: AssessmentInputs,
  status: ComplianceStatus,
  findings: readonly ReportFinding[],
): DashboardData {
  const summary = inputs.monitoring?.summary;
  const config = inputs.config;
  const cloudtrail = inputs.evidence.find((e) => e.key === 'cloudtrail');
  const summaryText = executiveSummary(status, findings);
  const bySeverity: Partial<Record<RiskLevel, number>> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return {
    overallStatus: hasEvidence(inputs) ? status.verdict : 'NO_EVIDENCE',
    complianceScore: status.complianceScore,
    riskScore: status.riskScore,
    metrics: {
      successRate: summary?.successRate ?? 100,
      totalOperations: status.totalOperations,
      errorRate: summary?.errorRate ?? 0,
      blockedOperations: status.blockedOperations,
    },
    statusIndicators: {
      // The guard enforces whatever the switch says; the switch only decides what the report shows.
      securityValidation: !config.enableSecurityValidation
        ? 'enforced (reporting off)'
        : status.securityValidationPassed
          ? 'active'
          : 'failing',
      productionMonitoring: config.enableProductionMonitoring ? 'active' : 'disabled',
      cloudtrailIntegration: !config.enableCloudtrailIntegration
        ? 'disabled'
        : !cloudtrail
          ? 'inactive'
          : cloudtrail.incomplete
            ? 'incomplete'
            : cloudtrail.section.status === 'FAIL'
              ? 'failing'
              : 'active',
    },
    timestamp: inputs.generatedAt,
    minComplianceScore: inputs.minComplianceScore ?? thresholdsOf(config).minComplianceScore,
    findingsBySeverity: bySeverity,
    keyFindings: hasEvidence(inputs) ? summaryText.keyFindings : [],
    immediateActions: summaryText.immediateActions,
    recommendations: status.recommendations,
    ...(status.inconclusiveReasons ? { inconclusiveReasons: status.inconclusiveReasons } : {}),
    recentActivity: inputs.validator.auditEntries
      .slice(-20)
      .reverse()
      .map((e) => ({ time: e.timestamp, service: e.service, operation: e.operation, decision: e.decision })),
  };
}

/** Everything the metrics exporters and the dashboard show: a pure function of its inputs. */
export function buildSnapshot(inputs: SnapshotInputs): ComplianceSnapshot {
  const a = inputs.assessment;
  const { findings, status } = assess(a);
  const summary = a.monitoring?.summary;
  const latest = inputs.hostSample ?? summary?.latestResourceSample;
  const ct = a.evidence.find((e) => e.facts?.kind === 'cloudtrail')?.facts;
  const cloudtrail = ct?.kind === 'cloudtrail' ? ct : undefined;
  return {
    generatedAt: a.generatedAt,
    standard: a.config.complianceStandard,
    dashboard: dashboardData(a, status, findings),
    operations: inputs.ledger.operations,
    durations: inputs.ledger.durations,
    timeline: inputs.ledger.timeline,
    errorsBySeverity: summary?.errorsBySeverity ?? {},
    breakers: Object.entries(summary?.circuitBreakerStates ?? {}).map(([key, b]) => {
      const [service = key, operation = ''] = key.split(':');
      return { service, operation, state: b.state };
    }),
    resources: {
      ...(latest
        ? {
            latest: {
              cpuPercent: latest.cpuPercent,
              memoryPercent: latest.memoryPercent,
              diskPercent: latest.diskPercent ?? 0,
              time: latest.timestamp,
            },
          }
        : {}),
      thresholds: inputs.resourceThresholds,
    },
    audit: inputs.audit,
    recentBlocked: inputs.ledger.recentBlocked.map(({ time, verdict }): BlockedOperation => ({
      time,
      service: verdict.service,
      operation: verdict.operation,
      ...(verdict.iamAction ? { iamAction: verdict.iamAction } : {}),
      riskLevel: verdict.riskLevel,
      message: verdict.validationMessage,
    })),
    controls: controlTable(a, findings).map((c) => ({ id: c.id, status: c.status })),
    ...(inputs.accounts ? { accounts: inputs.accounts } : {}),
    cloudtrail: {
      eventsRead: cloudtrail?.eventsRead ?? 0,
      writesFound: cloudtrail?.writesFound ?? 0,
      writesByAutomation: cloudtrail?.writes.length ?? 0,
      findings: (cloudtrail?.writes ?? []).slice(0, 50).map((e) => ({
        time: e.eventTime,
        eventName: e.eventName,
        eventSource: e.eventSource,
        ...(e.userAgent ? { userAgent: e.userAgent } : {}),
        ...(e.sourceIpAddress ? { sourceIpAddress: e.sourceIpAddress } : {}),
        ...(e.principal ? { principal: e.principal } : {}),
        readOnly: false,
        ...(e.errorCode ? { errorCode: e.errorCode } : {}),
        reason: 'write by the automation principal',
      })),
    },
  };
}
