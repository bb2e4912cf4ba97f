import type { ComplianceStandard, RiskLevel } from '../constants.js';
import type { FindingCode } from './findingCodes.js';

/** Version of the report's JSON shape; bumped on any incompatible change. Published as schemas/compliance-report.schema.json. */
export const REPORT_SCHEMA_VERSION = '1.0';

export type FindingSource =
  'validator' | 'guard' | 'monitor' | 'cloudtrail' | 'identity' | 'permissions' | 'audit' | 'configuration';

/** One finding, from whichever part found it, with the controls it bears on. */
export interface ReportFinding {
  id: string;
  /** What kind of finding this is: stable across releases (titles are for people). */
  code: FindingCode;
  severity: RiskLevel;
  source: FindingSource;
  title: string;
  description: string;
  recommendation: string;
  /** Control IDs of the chosen standard (empty for GENERAL). */
  controls: string[];
  /** Small, redacted supporting data (event ids, action names, counts). */
  evidence?: Record<string, unknown>;
}

/**
 * The overall verdict. COMPLIANT only on complete evidence; INCONCLUSIVE when some evidence could not be read
 * completely and nothing else failed (its controls are NOT_EVALUATED with the reason); the gate fails on both
 * NON_COMPLIANT and INCONCLUSIVE.
 */
export const ComplianceVerdict = {
  COMPLIANT: 'COMPLIANT',
  NON_COMPLIANT: 'NON_COMPLIANT',
  INCONCLUSIVE: 'INCONCLUSIVE',
} as const;
export type ComplianceVerdict = (typeof ComplianceVerdict)[keyof typeof ComplianceVerdict];

export interface ExecutiveSummary {
  overallCompliance: ComplianceVerdict;
  complianceScore: number;
  riskScore: number;
  riskLevel: RiskLevel;
  keyFindings: string[];
  immediateActions: string[];
}

/** The seed's ComplianceStatus (assessComplianceStatus). */
export interface ComplianceStatus {
  /** True only when the verdict is COMPLIANT. */
  isCompliant: boolean;
  verdict: ComplianceVerdict;
  /** Why evidence is incomplete (set when some evidence could not be read completely). */
  inconclusiveReasons?: string[];
  complianceScore: number;
  riskScore: number;
  securityValidationPassed: boolean;
  productionMonitoringActive: boolean;
  totalOperations: number;
  blockedOperations: number;
  errorCount: number;
  lastAssessment: string;
  recommendations: string[];
}

export interface ControlResult {
  id: string;
  title: string;
  /** What was checked, in one sentence. */
  evidence: string;
  status: 'PASS' | 'FAIL' | 'NOT_EVALUATED';
  findingIds: string[];
}

export interface ScoreExplanation {
  complianceScoreFormula: string;
  riskScoreFormula: string;
  /** The numbers the formulas were applied to. */
  inputs: Record<string, number>;
}

/** A section of evidence: a headline, key figures, and optional rows for a table. */
export interface ReportSection {
  title: string;
  status: 'PASS' | 'FAIL' | 'WARN' | 'NOT_EVALUATED';
  summary: string;
  /** Key figures shown as a two-column table. */
  facts: Record<string, string | number | boolean | null>;
  /** Optional detail rows shown as a table (all rows share keys). */
  rows?: Record<string, string | number | boolean | null>[];
  /** Full machine-readable detail (JSON report only). */
  detail?: unknown;
}

export interface ComprehensiveComplianceReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  reportId: string;
  generatedAt: string;
  tool: { name: 'inventag'; version: string };
  complianceStandard: ComplianceStandard;
  /** Where the evidence came from: an AWS account, or the bundled demo. */
  subject: {
    mode: 'aws' | 'demo' | 'library';
    account?: string;
    principal?: string;
    regions?: string[];
    window?: { start: string; end: string };
  };
  executiveSummary?: ExecutiveSummary;
  complianceStatus: ComplianceStatus;
  scoring: ScoreExplanation;
  findings: ReportFinding[];
  /** Keyed by part: securityValidation, productionMonitoring, cloudtrail, identity, permissions, auditTrail. */
  sections: Record<string, ReportSection>;
  controls: ControlResult[];
  /** The audit chain head when the report was made, so the report can anchor a later `audit verify`. */
  auditChainHead?: { sequence: number; hash: string };
}
