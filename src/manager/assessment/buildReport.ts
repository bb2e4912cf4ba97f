import { redact } from '../../audit/redact.js';
import { CircuitState, OperationType, RiskLevel } from '../../constants.js';
import {
  ComplianceVerdict,
  REPORT_SCHEMA_VERSION,
  type ComplianceStatus,
  type ComprehensiveComplianceReport,
  type ExecutiveSummary,
  type ReportFinding,
  type ReportSection,
} from '../../report/types.js';
import { TOOL_VERSION } from '../version.js';
import { controlTable } from './controls.js';
import { collectFindings } from './findings.js';
import type { AssessmentInputs } from './inputs.js';
import { COMPLIANCE_SCORE_FORMULA, COMPLIANT_RULE, RISK_SCORE_FORMULA, riskLevelOf, thresholdsOf } from './scoring.js';
import { assessStatus } from './status.js';

/** One assessment: findings, status and control table, computed once from the inputs. */
export interface Assessment {
  findings: ReportFinding[];
  status: ComplianceStatus;
}

export function assess(inputs: AssessmentInputs): Assessment {
  const findings = collectFindings(inputs);
  return { findings, status: assessStatus(inputs, findings) };
}

/**
 * The full report: executive summary, written formulas, findings with codes and control IDs, sections, control
 * table, audit chain head. A pure function of its inputs (redacted on the way out).
 */
export function buildReport(inputs: AssessmentInputs): ComprehensiveComplianceReport {
  const { findings, status } = assess(inputs);
  const config = inputs.config;
  const vr = inputs.validator;
  const t = thresholdsOf(config);
  const minScore = inputs.minComplianceScore ?? t.minComplianceScore;

  const sections: Record<string, ReportSection> = {};
  sections.securityValidation = {
    title: 'Security validation (read-only guard)',
    status:
      vr.mutatingOperationsBlocked + vr.unknownOperationsBlocked > 0 || vr.allowedByOverride > 0 ? 'WARN' : 'PASS',
    summary: `${vr.totalOperations} operation(s) checked against the IAM access level of every AWS action: ${vr.readOnlyOperations} read-only, ${vr.mutatingOperationsBlocked} mutating blocked, ${vr.unknownOperationsBlocked} unknown blocked.${inputs.toolCalls ? ` InvenTag's own ${inputs.toolCalls} evidence-gathering call(s) are recorded in the audit trail and not scored.` : ''}${config.enableSecurityValidation ? '' : ' Validation is enforced: enableSecurityValidation only affects reporting.'}`,
    facts: {
      totalOperations: vr.totalOperations,
      readOnlyOperations: vr.readOnlyOperations,
      mutatingOperationsBlocked: vr.mutatingOperationsBlocked,
      unknownOperationsBlocked: vr.unknownOperationsBlocked,
      allowedByOverride: vr.allowedByOverride,
      sensitiveReads: vr.sensitiveReads,
      complianceScore: vr.complianceScore,
      ...(inputs.toolCalls !== undefined ? { toolCalls: inputs.toolCalls } : {}),
    },
    // enableSecurityValidation: false keeps the guard enforcing and only leaves the detail out of the report.
    rows: config.enableSecurityValidation ? aggregateOperations(vr.auditEntries) : [],
    ...(config.enableSecurityValidation ? { detail: { ...vr, auditEntries: vr.auditEntries.slice(-200) } } : {}),
  };
  if (inputs.monitoring) {
    const { summary, securityReport } = inputs.monitoring;
    const open = Object.entries(summary.circuitBreakerStates).filter(([, b]) => b.state !== CircuitState.CLOSED);
    sections.productionMonitoring = {
      title: 'Production monitoring',
      status: open.length > 0 || summary.totalErrors >= config.errorThreshold ? 'WARN' : 'PASS',
      summary: `${summary.totalOperations} call(s) ran: ${summary.successfulOperations} succeeded, ${summary.failedOperations} failed; ${open.length} circuit breaker(s) not closed.`,
      facts: {
        totalOperations: summary.totalOperations,
        successRate: summary.successRate,
        errorRate: summary.errorRate,
        totalErrors: summary.totalErrors,
        slowOperations: summary.slowOperations,
        openCircuits: open.length,
        securityReportRiskScore: securityReport.riskScore,
        ...(config.includePerformanceMetrics && summary.latestResourceSample
          ? {
              cpuPercent: summary.latestResourceSample.cpuPercent,
              memoryPercent: summary.latestResourceSample.memoryPercent,
              diskPercent: summary.latestResourceSample.diskPercent,
            }
          : {}),
      },
      rows: Object.entries(summary.circuitBreakerStates).map(([key, b]) => ({ circuit: key, state: b.state })),
      detail: { summary, securityValidationReport: securityReport },
    };
  }
  for (const ev of inputs.evidence) {
    sections[ev.key] =
      ev.key === 'cloudtrail' && !config.includeCloudtrailEvents
        ? { ...ev.section, rows: [], detail: undefined }
        : ev.section;
  }

  const report: ComprehensiveComplianceReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: inputs.reportId,
    generatedAt: inputs.generatedAt,
    tool: { name: 'inventag', version: TOOL_VERSION },
    complianceStandard: config.complianceStandard,
    subject: inputs.subject,
    complianceStatus: status,
    scoring: {
      complianceScoreFormula: `${COMPLIANCE_SCORE_FORMULA} ${COMPLIANT_RULE(minScore, config.complianceStandard, t.maxRiskScore, t.maxBlockedOperations)}`,
      riskScoreFormula: RISK_SCORE_FORMULA,
      inputs: {
        totalOperations: vr.totalOperations,
        readOnlyOperations: vr.readOnlyOperations,
        criticalFindings: findings.filter((f) => f.severity === RiskLevel.CRITICAL).length,
        highFindings: findings.filter((f) => f.severity === RiskLevel.HIGH).length,
        mediumFindings: findings.filter((f) => f.severity === RiskLevel.MEDIUM).length,
        lowFindings: findings.filter((f) => f.severity === RiskLevel.LOW).length,
        minComplianceScore: minScore,
      },
    },
    findings,
    sections,
    controls: controlTable(inputs, findings),
    ...(inputs.chainHead ? { auditChainHead: inputs.chainHead } : {}),
  };
  if (config.generateExecutiveSummary) report.executiveSummary = executiveSummary(status, findings);
  return redact(report) as ComprehensiveComplianceReport;
}

/** Key findings and immediate actions: what the page and the report's first screen say. */
export function executiveSummary(status: ComplianceStatus, findings: readonly ReportFinding[]): ExecutiveSummary {
  const keyFindings = findings.slice(0, 8).map((f) => `${f.severity}: ${f.title}`);
  // No verdict: why comes first, on the report's first screen and on the dashboard alike.
  if (keyFindings.length > 0 && status.verdict === ComplianceVerdict.INCONCLUSIVE && status.inconclusiveReasons)
    keyFindings.unshift(...status.inconclusiveReasons);
  if (keyFindings.length === 0)
    keyFindings.push(
      status.inconclusiveReasons
        ? `No findings in what was read, but no verdict: ${status.inconclusiveReasons.join(' ')}`
        : `All ${status.totalOperations} operation(s) were read-only; no findings.`,
    );
  const immediateActions = [
    ...new Set(
      findings
        .filter((f) => f.severity === RiskLevel.CRITICAL || f.severity === RiskLevel.HIGH)
        .map((f) => f.recommendation),
    ),
  ].slice(0, 6);
  return {
    overallCompliance: status.verdict,
    complianceScore: status.complianceScore,
    riskScore: status.riskScore,
    riskLevel: riskLevelOf(status.riskScore),
    keyFindings,
    immediateActions,
  };
}

function aggregateOperations(
  entries: readonly {
    iamAction: string | undefined;
    service: string;
    operation: string;
    decision: 'allowed' | 'blocked';
    operationType: OperationType;
    riskLevel: RiskLevel;
  }[],
): Record<string, string | number>[] {
  const rows = new Map<
    string,
    { action: string; decision: string; operationType: string; riskLevel: string; count: number }
  >();
  for (const e of entries) {
    const action = e.iamAction ?? `${e.service}:${e.operation}`;
    const key = `${action}|${e.decision}`;
    const row = rows.get(key) ?? {
      action,
      decision: e.decision,
      operationType: e.operationType,
      riskLevel: e.riskLevel,
      count: 0,
    };
    row.count++;
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => (a.decision === b.decision ? b.count - a.count : a.decision === 'blocked' ? -1 : 1))
    .slice(0, 100);
}
