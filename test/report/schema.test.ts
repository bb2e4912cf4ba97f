import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  REPORT_SCHEMA_PATH,
  REPORT_SCHEMA_VERSION,
  orderReportKeys,
  redactReport,
  renderJson,
} from '../../src/report/index.js';
import type { ComprehensiveComplianceReport } from '../../src/report/index.js';
import { buildGeneralReport, buildIsoReport, buildReport } from './fixtures.js';

const schema = JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
// Strict mode fails on any keyword ajv does not know, so a typo in the schema fails this test.
// ajv is CommonJS: under NodeNext its class is the module's `default` export.
const Ajv2020 = Ajv2020Module.default;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** Validates the report as it is written to disk: rendered, then parsed back. */
function check(report: ComprehensiveComplianceReport): { ok: boolean; errors: string[] } {
  const ok = validate(JSON.parse(renderJson(report)));
  return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`) };
}

/** Parsed JSON that a negative case changes in ways the report type forbids. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

/** A deep copy with a change applied to the parsed JSON, for cases the TypeScript type forbids. */
function mutated(fn: (r: Loose) => void): ComprehensiveComplianceReport {
  const r = JSON.parse(JSON.stringify(buildReport())) as Loose;
  fn(r);
  return r as ComprehensiveComplianceReport;
}

describe('JSON report and its schema', () => {
  it('publishes a draft 2020-12 schema whose version matches the model', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect((schema.properties as Record<string, { const?: string }>).schemaVersion?.const).toBe(REPORT_SCHEMA_VERSION);
  });

  it.each([
    ['SOC2 with every field', buildReport()],
    ['GENERAL without control IDs, summary or chain head', buildGeneralReport()],
    ['ISO 27001, compliant', buildIsoReport()],
    ['SOC2 after redaction', redactReport(buildReport())],
  ])('validates: %s', (_name, report) => {
    expect(check(report)).toEqual({ ok: true, errors: [] });
  });

  it.each([
    [
      'a missing complianceStatus',
      (r: Loose) => delete r.complianceStatus,
      "must have required property 'complianceStatus'",
    ],
    [
      'an unknown severity',
      (r: Loose) => (r.findings[0].severity = 'SEVERE'),
      '/findings/0/severity must be equal to one of the allowed values',
    ],
    [
      'a score above 100',
      (r: Loose) => (r.executiveSummary.complianceScore = 101),
      '/executiveSummary/complianceScore must be <= 100',
    ],
    ['another schemaVersion', (r: Loose) => (r.schemaVersion = '2.0'), '/schemaVersion must be equal to constant'],
    ['an unknown top-level key', (r: Loose) => (r.secretStuff = 1), ' must NOT have additional properties'],
    [
      'a section status outside the list',
      (r: Loose) => (r.sections.identity.status = 'OK'),
      '/sections/identity/status must be equal to one of the allowed values',
    ],
    [
      'an object in a fact cell',
      (r: Loose) => (r.sections.cloudtrail.facts.writes = { n: 2 }),
      '/sections/cloudtrail/facts/writes must be string,number,boolean,null',
    ],
    [
      'a chain hash that is not SHA-256 hex',
      (r: Loose) => (r.auditChainHead.hash = 'abc'),
      '/auditChainHead/hash must match pattern',
    ],
    [
      'control IDs under GENERAL',
      (r: Loose) => (r.complianceStandard = 'general'),
      '/findings/0/controls must NOT have more than 0 items',
    ],
  ])('refuses %s', (_name, change, message) => {
    const { ok, errors } = check(mutated(change));
    expect(ok).toBe(false);
    expect(errors.join('\n')).toContain(message);
  });

  it('writes keys in the order of the report type whatever order the producer used', () => {
    const report = buildReport();
    const reversed = (o: object): Loose => Object.fromEntries(Object.entries(o).reverse());
    const shuffled = {
      ...reversed(report),
      executiveSummary: reversed(report.executiveSummary!),
      complianceStatus: reversed(report.complianceStatus),
      findings: report.findings.map(reversed),
      controls: report.controls.map(reversed),
      sections: Object.fromEntries(Object.entries(report.sections).map(([k, s]) => [k, reversed(s)])),
    } as ComprehensiveComplianceReport;
    expect(renderJson(shuffled)).toBe(renderJson(report));
    const text = renderJson(shuffled);
    expect(Object.keys(JSON.parse(text))).toEqual([
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
    ]);
    expect(Object.keys(JSON.parse(text).findings[0])).toEqual([
      'id',
      'code',
      'severity',
      'source',
      'title',
      'description',
      'recommendation',
      'controls',
      'evidence',
    ]);
    expect(text.endsWith('}\n')).toBe(true);
    // Free-form maps keep the producer's order: they are data, not layout.
    expect(Object.keys(orderReportKeys(report).sections)).toEqual(Object.keys(report.sections));
  });
});
