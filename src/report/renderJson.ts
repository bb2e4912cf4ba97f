import type { ComprehensiveComplianceReport } from './types.js';

type Plain = Record<string, unknown>;

/**
 * Key order of each object in the report, as declared in types.ts. A reader
 * diffing two reports sees the same layout whatever order the producer built
 * the objects in. Keys not listed here (free-form evidence, facts, detail)
 * keep their own order.
 */
const ORDER = {
  report: [
    'schemaVersion',
    'reportId',
    'generatedAt',
    'tool',
    'complianceStandard',
    'subject',
    'executiveSummary',
    'complianceStatus',
    'scoring',
    'findings',
    'sections',
    'controls',
    'auditChainHead',
  ],
  tool: ['name', 'version'],
  subject: ['mode', 'account', 'principal', 'regions', 'window'],
  window: ['start', 'end'],
  executiveSummary: [
    'overallCompliance',
    'complianceScore',
    'riskScore',
    'riskLevel',
    'keyFindings',
    'immediateActions',
  ],
  complianceStatus: [
    'isCompliant',
    'verdict',
    'inconclusiveReasons',
    'complianceScore',
    'riskScore',
    'securityValidationPassed',
    'productionMonitoringActive',
    'totalOperations',
    'blockedOperations',
    'errorCount',
    'lastAssessment',
    'recommendations',
  ],
  scoring: ['complianceScoreFormula', 'riskScoreFormula', 'inputs'],
  finding: ['id', 'code', 'severity', 'source', 'title', 'description', 'recommendation', 'controls', 'evidence'],
  section: ['title', 'status', 'summary', 'facts', 'rows', 'detail'],
  control: ['id', 'title', 'evidence', 'status', 'findingIds'],
  chainHead: ['sequence', 'hash'],
} as const;

/** A copy of `obj` with the listed keys first, in that order, then any others; `undefined` values are dropped as JSON drops them. */
function ordered(
  obj: unknown,
  keys: readonly string[],
  children: Record<string, (v: unknown) => unknown> = {},
): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const src = obj as Plain;
  const out: Plain = {};
  const rest = Object.keys(src).filter((k) => !keys.includes(k));
  for (const key of [...keys, ...rest]) {
    if (!Object.hasOwn(src, key) || src[key] === undefined) continue;
    const child = children[key];
    out[key] = child === undefined ? src[key] : child(src[key]);
  }
  return out;
}

const each = (fn: (v: unknown) => unknown) => (v: unknown) => (Array.isArray(v) ? v.map(fn) : v);
const values = (fn: (v: unknown) => unknown) => (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Plain).map(([k, x]) => [k, fn(x)]))
    : v;

/** The report with every object's keys in the order of the report type. */
export function orderReportKeys(report: ComprehensiveComplianceReport): ComprehensiveComplianceReport {
  return ordered(report, ORDER.report, {
    tool: (v) => ordered(v, ORDER.tool),
    subject: (v) => ordered(v, ORDER.subject, { window: (w) => ordered(w, ORDER.window) }),
    executiveSummary: (v) => ordered(v, ORDER.executiveSummary),
    complianceStatus: (v) => ordered(v, ORDER.complianceStatus),
    scoring: (v) => ordered(v, ORDER.scoring),
    findings: each((f) => ordered(f, ORDER.finding)),
    sections: values((s) => ordered(s, ORDER.section)),
    controls: each((c) => ordered(c, ORDER.control)),
    auditChainHead: (v) => ordered(v, ORDER.chainHead),
  }) as ComprehensiveComplianceReport;
}

/**
 * The report as pretty-printed JSON (two-space indent, trailing newline), keys
 * in the order of the report type. It validates against
 * `schemas/compliance-report.schema.json`. The report is rendered as given:
 * {@link saveReport} redacts secrets before it renders.
 *
 * @example
 * ```ts
 * import { renderJson } from 'inventag';
 * process.stdout.write(renderJson(report));
 * ```
 */
export function renderJson(report: ComprehensiveComplianceReport): string {
  return `${JSON.stringify(orderReportKeys(report), null, 2)}\n`;
}
