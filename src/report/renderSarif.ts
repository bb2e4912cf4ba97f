/**
 * SARIF 2.1.0 for code-scanning UIs (GitHub code scanning and others): one
 * rule per finding code, one result per finding with its level, control IDs
 * and, where the finding names one, the evidence or policy file it is about.
 * Valid against schemas/sarif-2.1.0-rtm.5.json (shipped in the package).
 */
import { isAbsolute, relative } from 'node:path';
import type { RiskLevel } from '../constants.js';
import { fileOf, ruleIdOf } from './ciCommon.js';
import type { ComprehensiveComplianceReport, ReportFinding } from './types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF levels of the finding severities: CRITICAL and HIGH fail a code-scanning gate. */
export const SARIF_LEVEL: Record<RiskLevel, 'error' | 'warning' | 'note'> = {
  CRITICAL: 'error',
  HIGH: 'error',
  MEDIUM: 'warning',
  LOW: 'note',
};

/** GitHub's security-severity (0-10) for the severity, shown as critical/high/medium/low. */
const SECURITY_SEVERITY: Record<RiskLevel, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.0', LOW: '2.0' };

export interface RenderSarifOptions {
  /**
   * Where relative file locations are anchored (GitHub wants paths relative to the repository root).
   * @default process.cwd()
   */
  baseDirectory?: string;
  /**
   * The file a result points at when its finding names none (a result needs a location in GitHub code scanning).
   * @default 'inventag-report.json'
   */
  fallbackFile?: string;
}

function uriOf(file: string, base: string): string {
  const rel = isAbsolute(file) ? relative(base, file) : file;
  const path = rel.startsWith('..') ? file : rel;
  return path.split('\\').join('/');
}

/** The report as a SARIF 2.1.0 log (an object ready for JSON.stringify). */
export function sarifLog(report: ComprehensiveComplianceReport, options: RenderSarifOptions = {}): object {
  const base = options.baseDirectory ?? process.cwd();
  const fallback = options.fallbackFile ?? 'inventag-report.json';
  const rules = new Map<string, { finding: ReportFinding; index: number }>();
  for (const f of report.findings) {
    const id = ruleIdOf(f);
    if (!rules.has(id)) rules.set(id, { finding: f, index: rules.size });
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: [...rules.entries()].map(([id, { finding }]) => ({
              id,
              name: id.replace(/[^A-Za-z0-9]+/g, '_'),
              shortDescription: { text: finding.title },
              fullDescription: { text: finding.description },
              help: { text: finding.recommendation },
              defaultConfiguration: { level: SARIF_LEVEL[finding.severity] },
              properties: {
                tags: ['security', 'compliance', report.complianceStandard, ...finding.controls],
                'security-severity': SECURITY_SEVERITY[finding.severity],
              },
            })),
          },
        },
        automationDetails: { id: `inventag/${report.complianceStandard}/${report.reportId}` },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
        results: report.findings.map((f) => {
          const file = fileOf(f) ?? fallback;
          return {
            ruleId: ruleIdOf(f),
            ruleIndex: rules.get(ruleIdOf(f))!.index,
            level: SARIF_LEVEL[f.severity],
            message: { text: `${f.title}: ${f.description} Recommendation: ${f.recommendation}` },
            locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(file, base) } } }],
            partialFingerprints: { inventagFinding: `${ruleIdOf(f)}:${f.title}` },
            properties: {
              severity: f.severity,
              source: f.source,
              controls: f.controls,
              ...(f.evidence ? { evidence: f.evidence } : {}),
            },
          };
        }),
        properties: {
          complianceStandard: report.complianceStandard,
          isCompliant: report.complianceStatus.isCompliant,
          complianceScore: report.complianceStatus.complianceScore,
          riskScore: report.complianceStatus.riskScore,
          ...(report.subject.account ? { account: report.subject.account } : {}),
          ...(report.subject.principal ? { principal: report.subject.principal } : {}),
        },
      },
    ],
  };
}

/** The report as SARIF 2.1.0 JSON text. */
export function renderSarif(report: ComprehensiveComplianceReport, options: RenderSarifOptions = {}): string {
  return `${JSON.stringify(sarifLog(report, options), null, 2)}\n`;
}
