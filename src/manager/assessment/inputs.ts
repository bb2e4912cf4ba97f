import type { ChainHead } from '../../audit/chain.js';
import type { MonitoringSummary } from '../../monitor/ProductionSafetyMonitor.js';
import type { SecurityValidationReport } from '../../monitor/SecurityReportBuilder.js';
import type { ComprehensiveComplianceReport } from '../../report/types.js';
import type { ComplianceReport } from '../../validator/ReadOnlyAccessValidator.js';
import type { ComplianceConfiguration } from '../config.js';
import type { EvidenceSection } from '../evidence/types.js';

/** The part of the configuration an assessment reads. */
export type AssessmentConfig = Pick<
  ComplianceConfiguration,
  | 'complianceStandard'
  | 'enableSecurityValidation'
  | 'enableProductionMonitoring'
  | 'enableCloudtrailIntegration'
  | 'errorThreshold'
  | 'minComplianceScore'
  | 'includePerformanceMetrics'
  | 'includeCloudtrailEvents'
  | 'generateExecutiveSummary'
  | 'custom'
>;

/** What the validator counted: the automation's own operations (the tool's own calls never among them). */
export type ValidatorFacts = Pick<
  ComplianceReport,
  | 'totalOperations'
  | 'readOnlyOperations'
  | 'mutatingOperationsBlocked'
  | 'unknownOperationsBlocked'
  | 'allowedByOverride'
  | 'sensitiveReads'
  | 'complianceScore'
  | 'securityFindings'
  | 'recommendations'
  | 'auditEntries'
>;

/** What the production monitor saw (absent when monitoring is off). */
export interface MonitoringFacts {
  summary: MonitoringSummary;
  securityReport: Pick<SecurityValidationReport, 'securityFindings' | 'riskScore'>;
}

/**
 * Everything an assessment is a pure function of: report, status, control table, dashboard data and
 * snapshot are all computed from one of these, so a test can give one as JSON and check what comes out.
 */
export interface AssessmentInputs {
  config: AssessmentConfig;
  validator: ValidatorFacts;
  monitoring?: MonitoringFacts;
  evidence: readonly EvidenceSection[];
  /** Whether a durable audit trail records every attempt. */
  auditTrail: boolean;
  /** The audit chain head the report anchors. */
  chainHead?: ChainHead;
  subject: ComprehensiveComplianceReport['subject'];
  /** Overrides the configured minimum score (`check --min-score`). */
  minComplianceScore?: number;
  /** InvenTag's own AWS calls during this run: recorded in the audit trail, reported, never scored. */
  toolCalls?: number;
  /** When and under which id: inputs, so the same inputs give the same report. */
  generatedAt: string;
  reportId: string;
}
