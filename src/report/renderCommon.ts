/**
 * What every renderer shares: the order things are shown in, how numbers and
 * cells read, and the view of the headline when the executive summary was not
 * generated. Keeping this in one place makes the JSON, Markdown, HTML and
 * terminal outputs tell the same story.
 */
import { RISK_ORDER } from '../constants.js';
import type { ComplianceStandard, RiskLevel } from '../constants.js';
import type { ComprehensiveComplianceReport, ReportFinding, ReportSection } from './types.js';

/** Display names of the standards; the wire values stay in the JSON report. */
export const STANDARD_LABELS: Record<ComplianceStandard, string> = {
  general: 'GENERAL',
  soc2: 'SOC 2',
  iso27001: 'ISO/IEC 27001:2022',
  custom: 'CUSTOM',
};

/** Sections the manager produces, in the order an auditor reads them; any other key follows in insertion order. */
export const SECTION_ORDER: readonly string[] = [
  'securityValidation',
  'productionMonitoring',
  'cloudtrail',
  'identity',
  'permissions',
  'auditTrail',
];

export type CellValue = string | number | boolean | null;

/**
 * A number as people read it: at most two decimals, no trailing zeros. A
 * value just under 100 never shows as 100, since 100 is the score a CI gate
 * asks for by default.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const rounded = Math.round(n * 100) / 100;
  return String(rounded === 100 && n < 100 ? 99.99 : rounded);
}

/** Values of fact and row cells as text. */
export function formatCell(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  // Facts can be small rates (0.004): keep six significant digits rather than two decimals.
  if (typeof value === 'number')
    return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : String(Number(value.toPrecision(6)));
  return value;
}

/** Finding evidence as one line of `key: value` pairs; nested values as compact JSON, cut so one finding cannot flood a table. */
export function formatEvidence(evidence: Record<string, unknown> | undefined, maxChars = 400): string {
  if (evidence === undefined) return '';
  const parts = Object.entries(evidence).map(([k, v]) => {
    const text = typeof v === 'string' ? v : v === undefined ? '' : (JSON.stringify(v) ?? typeof v);
    return `${k}: ${text}`;
  });
  const line = parts.join('; ');
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}

/** Findings, most severe first; equal severities keep the producer's order. */
export function sortFindings(findings: readonly ReportFinding[]): ReportFinding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) => (RISK_ORDER[b.finding.severity] ?? -1) - (RISK_ORDER[a.finding.severity] ?? -1) || a.index - b.index,
    )
    .map((x) => x.finding);
}

/** Sections in reading order, as `[key, section]` pairs. */
export function orderedSections(sections: Record<string, ReportSection>): [string, ReportSection][] {
  const known = SECTION_ORDER.filter((k) => Object.hasOwn(sections, k));
  const rest = Object.keys(sections).filter((k) => !SECTION_ORDER.includes(k));
  return [...known, ...rest].map((k) => [k, sections[k] as ReportSection]);
}

/** Column names of detail rows: every key that appears, in first-seen order, so a ragged row cannot hide a value. */
export function rowColumns(rows: readonly Record<string, CellValue>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/**
 * Evidence text (trail-file fields, user agents, error messages) is attacker-controlled: every control character
 * but line breaks and tabs (ESC and OSC sequences that recolour a terminal or forge a hyperlink, C1 controls),
 * and every bidi override, becomes a visible `\uXXXX` escape in every human-facing output.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function neutraliseControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A verdict as people read it: COMPLIANT, NON-COMPLIANT, INCONCLUSIVE (evidence could not be read completely). */
export const verdictLabel = (verdict: string): string =>
  verdict === 'COMPLIANT' ? 'COMPLIANT' : verdict === 'INCONCLUSIVE' ? 'INCONCLUSIVE' : 'NON-COMPLIANT';

/** The headline every format opens with. */
export interface Headline {
  compliant: boolean;
  /** `COMPLIANT`, `NON-COMPLIANT` or `INCONCLUSIVE`, as people read it. */
  label: string;
  complianceScore: number;
  riskScore: number;
  /** Absent when no executive summary was generated. */
  riskLevel?: RiskLevel;
  keyFindings: string[];
  immediateActions: string[];
  /** Whether the lists come from the executive summary or were derived from the status and findings. */
  fromExecutiveSummary: boolean;
}

/**
 * The headline of a report. Without an executive summary (the
 * generateExecutiveSummary option is off) it is derived from the compliance
 * status: the most severe findings and the status's recommendations.
 */
export function headlineOf(report: ComprehensiveComplianceReport): Headline {
  const es = report.executiveSummary;
  if (es !== undefined) {
    const compliant = es.overallCompliance === 'COMPLIANT';
    return {
      compliant,
      label: verdictLabel(es.overallCompliance),
      complianceScore: es.complianceScore,
      riskScore: es.riskScore,
      riskLevel: es.riskLevel,
      keyFindings: es.keyFindings,
      immediateActions: es.immediateActions,
      fromExecutiveSummary: true,
    };
  }
  const status = report.complianceStatus;
  return {
    compliant: status.isCompliant,
    label: verdictLabel(status.verdict ?? (status.isCompliant ? 'COMPLIANT' : 'NON_COMPLIANT')),
    complianceScore: status.complianceScore,
    riskScore: status.riskScore,
    keyFindings: sortFindings(report.findings)
      .slice(0, 5)
      .map((f) => `${f.severity}: ${f.title}`),
    immediateActions: status.recommendations,
    fromExecutiveSummary: false,
  };
}

/** The subject of a report as label/value pairs. */
export function subjectFacts(report: ComprehensiveComplianceReport): [string, string][] {
  const s = report.subject;
  const out: [string, string][] = [['Mode', s.mode === 'demo' ? 'demo (bundled sample evidence)' : s.mode]];
  if (s.account !== undefined) out.push(['Account', s.account]);
  if (s.principal !== undefined) out.push(['Principal', s.principal]);
  if (s.regions !== undefined && s.regions.length > 0) out.push(['Regions', s.regions.join(', ')]);
  if (s.window !== undefined) out.push(['Window', `${s.window.start} to ${s.window.end}`]);
  out.push(['Standard', STANDARD_LABELS[report.complianceStandard] ?? String(report.complianceStandard)]);
  out.push(['Generated', report.generatedAt]);
  out.push(['Report ID', report.reportId]);
  out.push(['Tool', `${report.tool.name} ${report.tool.version}`]);
  return out;
}

/** The compliance status (the seed's assessComplianceStatus) as label/value pairs. */
export function statusFacts(report: ComprehensiveComplianceReport): [string, string][] {
  const s = report.complianceStatus;
  return [
    ['Compliant', formatCell(s.isCompliant)],
    ['Compliance score', `${formatNumber(s.complianceScore)}%`],
    ['Risk score', `${formatNumber(s.riskScore)}/100`],
    ['Security validation passed', formatCell(s.securityValidationPassed)],
    ['Production monitoring active', formatCell(s.productionMonitoringActive)],
    ['Total operations', formatCell(s.totalOperations)],
    ['Blocked operations', formatCell(s.blockedOperations)],
    ['Errors', formatCell(s.errorCount)],
    ['Last assessment', s.lastAssessment],
  ];
}

/** Why the control table may be empty. */
export function noControlsText(report: ComprehensiveComplianceReport): string {
  return report.complianceStandard === 'general'
    ? 'The GENERAL standard maps findings to no control IDs; choose soc2, iso27001 or custom for a control table.'
    : 'No controls were evaluated.';
}

export const NO_CHAIN_HEAD_TEXT = 'No audit store was attached: this report is not anchored to an audit chain.';
