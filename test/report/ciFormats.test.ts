import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { parse as parseJunit } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubAnnotations, githubStepSummary } from '../../src/report/renderGithub.js';
import type { ComprehensiveComplianceReport } from '../../src/report/types.js';
import { ROOT, runCli } from '../support/cli.js';

// Node's CommonJS interop gives the module object, vitest's the class: take whichever is the class.
const Ajv = ((AjvDraft04 as { default?: unknown }).default ?? AjvDraft04) as typeof AjvDraft04.default;

// `inventag check --format sarif,junit,csv` and the GitHub Actions outputs, on the bundled demo evidence.
const dir = mkdtempSync(join(tmpdir(), 'inventag-ci-formats-'));
const out = join(dir, 'reports');
const summaryFile = join(dir, 'step-summary.md');
let stdout = '';
let code: number | null = null;
let report: ComprehensiveComplianceReport;

beforeAll(async () => {
  writeFileSync(summaryFile, '');
  const r = await runCli(
    [
      'check',
      '--evidence',
      join(ROOT, 'examples', 'demo'),
      '--out',
      out,
      '--format',
      'json,sarif,junit,csv',
      '--quiet',
    ],
    { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile } },
  );
  stdout = r.stdout;
  code = r.code;
  expect(r.stderr).toBe('');
  report = JSON.parse(readFileSync(join(out, 'inventag-report.json'), 'utf8')) as ComprehensiveComplianceReport;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('check --format sarif', () => {
  it('is valid SARIF 2.1.0 (the schema shipped in schemas/, no network)', () => {
    expect(code).toBe(1); // the demo evidence is NON-COMPLIANT
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
    // The schema's three string formats, checked rather than ignored.
    const formats = {
      'date-time': (v: string) =>
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(v) && !Number.isNaN(Date.parse(v)),
      uri: (v: string) => URL.canParse(v),
      'uri-reference': (v: string) => URL.canParse(v, 'file:///base/'),
    };
    const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, formats }).compile(schema);
    const sarif = JSON.parse(readFileSync(join(out, 'inventag-report.sarif'), 'utf8')) as unknown;
    expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('has one result per finding with its rule, level and a location', () => {
    const sarif = JSON.parse(readFileSync(join(out, 'inventag-report.sarif'), 'utf8')) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
          properties: { severity: string; controls: string[] };
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.tool.driver.name).toBe('inventag');
    expect(run.results).toHaveLength(report.findings.length);
    for (const [i, result] of run.results.entries()) {
      const finding = report.findings[i]!;
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.level).toBe({ CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note' }[finding.severity]);
      expect(result.properties.controls).toEqual(finding.controls);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).not.toBe('');
    }
    // A policy finding points at the policy file it comes from.
    const uris = run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris.some((u) => u.endsWith('InventoryReadOnly-inline-tagging.json'))).toBe(true);
  });
});

describe('check --format junit', () => {
  it('parses as JUnit: one test per check, a failure per finding of a failing check', async () => {
    const xml = readFileSync(join(out, 'inventag-report.junit.xml'), 'utf8');
    const parsed = (await parseJunit(xml)) as {
      tests?: number;
      failures?: number;
      testsuite?: { name?: string; testcase?: { name?: string; failure?: { message?: string }[] }[] }[];
    };
    const suite = parsed.testsuite![0]!;
    expect(suite.name).toBe(`inventag ${report.complianceStandard}`);
    const cases = suite.testcase ?? [];
    // GENERAL maps no controls: one test per evidence section.
    expect(cases.length).toBe(report.controls.length || Object.keys(report.sections).length);
    expect(parsed.tests).toBe(cases.length);
    const failures = cases.flatMap((c) => c.failure ?? []);
    expect(failures.length).toBeGreaterThan(0);
    const critical = report.findings.find((f) => f.severity === 'CRITICAL')!;
    expect(failures.some((f) => f.message === `CRITICAL ${critical.title}`)).toBe(true);
  });
});

describe('check --format csv', () => {
  it('one row per finding with a header, formula-looking cells neutralised', () => {
    const text = readFileSync(join(out, 'inventag-report.csv'), 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,code,severity,source,title,description,recommendation,controls,evidence');
    // Multi-line cells are quoted; the demo's are single-line, so lines = rows.
    expect(lines).toHaveLength(report.findings.length + 1);
    expect(lines[1]!.startsWith(`${report.findings[0]!.id},`)).toBe(true);
  });
});

describe('GitHub Actions (GITHUB_ACTIONS=true)', () => {
  it('writes a short step summary: verdict, scores, top findings', () => {
    const md = readFileSync(summaryFile, 'utf8');
    expect(md).toMatch(/^### InvenTag GENERAL: ❌ NON-COMPLIANT/);
    expect(md).toContain(`| ${report.complianceStatus.complianceScore} | ${report.complianceStatus.riskScore} |`);
    expect(md).toContain('| CRITICAL |');
    expect(md.length).toBeLessThan(4000);
  });

  it('prints ::error for CRITICAL and ::warning for HIGH findings on stdout', () => {
    const lines = stdout.split('\n');
    const errors = lines.filter((l) => l.startsWith('::error '));
    const warnings = lines.filter((l) => l.startsWith('::warning '));
    expect(errors).toHaveLength(report.findings.filter((f) => f.severity === 'CRITICAL').length);
    expect(warnings).toHaveLength(report.findings.filter((f) => f.severity === 'HIGH').length);
    expect(errors[0]).toMatch(/^::error title=inventag CRITICAL%3A /);
  });

  it('escapes what would end or forge a workflow command', () => {
    const forged: ComprehensiveComplianceReport = {
      ...report,
      findings: [
        {
          ...report.findings[0]!,
          severity: 'CRITICAL',
          title: 'x, y: z',
          description: 'line one\n::error::forged 100%',
          recommendation: 'r',
        },
      ],
    };
    const [line] = githubAnnotations(forged);
    expect(line).toBe(
      '::error title=inventag CRITICAL%3A x%2C y%3A z::line one%0A::error::forged 100%25 Recommendation: r',
    );
    expect(githubStepSummary(forged)).toContain('| CRITICAL | x, y: z |');
  });

  it('without GITHUB_ACTIONS nothing of it appears', async () => {
    const r = await runCli(
      ['check', '--evidence', join(ROOT, 'examples', 'demo'), '--out', join(dir, 'plain'), '--quiet'],
      {
        env: { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: summaryFile },
      },
    );
    expect(r.stdout).not.toMatch(/^::/m);
  });
});
