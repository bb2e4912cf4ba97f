// How long rendering and saving a large report takes: 1,000 findings, a
// CloudTrail section with 5,000 event rows and 20 controls, rendered as JSON,
// Markdown and HTML, and all three saved (redaction + atomic writes). The
// baseline is a bare JSON.stringify of the same report, measured in the same
// run, so the ratios say what escaping, ordering and layout cost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORT_SCHEMA_VERSION, renderHtml, renderJson, renderMarkdown, saveReports } from '../dist/report/index.js';

export const name = 'report';

const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const HOSTILE = '<img src=x onerror=alert(1)>';

export function largeReport(findingCount = 1000, rowCount = 5000) {
  const findings = Array.from({ length: findingCount }, (_, i) => ({
    id: `F-${String(i).padStart(4, '0')}`,
    severity: SEVERITIES[i % 4],
    source: 'cloudtrail',
    title: `Write by the inventory role: s3:PutObject #${i}`,
    description: `CloudTrail event ${i} shows PutObject on bucket-${i}|logs from ${HOSTILE}.`,
    recommendation: 'Remove the write permission.',
    controls: ['CC6.1', 'CC7.3'],
    evidence: { eventId: `e-${i}`, userAgent: HOSTILE },
  }));
  const rows = Array.from({ length: rowCount }, (_, i) => ({
    eventId: `e-${i}`,
    eventName: i % 50 === 0 ? 'PutObject' : 'GetObject',
    eventTime: '2026-01-01T00:00:00Z',
    userAgent: HOSTILE,
    readOnly: i % 50 !== 0,
  }));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    reportId: 'bench',
    generatedAt: '2026-01-01T00:00:00.000Z',
    tool: { name: 'inventag', version: '0.0.0' },
    complianceStandard: 'soc2',
    subject: { mode: 'library', account: '123456789012' },
    executiveSummary: {
      overallCompliance: 'NON_COMPLIANT',
      complianceScore: 80,
      riskScore: 60,
      riskLevel: 'HIGH',
      keyFindings: ['writes found'],
      immediateActions: ['remove writes'],
    },
    complianceStatus: {
      isCompliant: false,
      complianceScore: 80,
      riskScore: 60,
      securityValidationPassed: false,
      productionMonitoringActive: true,
      totalOperations: rowCount,
      blockedOperations: 10,
      errorCount: 3,
      lastAssessment: '2026-01-01T00:00:00.000Z',
      recommendations: ['remove writes'],
    },
    scoring: { complianceScoreFormula: 'a / b', riskScoreFormula: 'c', inputs: { a: 1, b: 2, c: 3 } },
    findings,
    sections: {
      cloudtrail: {
        title: 'CloudTrail',
        status: 'FAIL',
        summary: `${rowCount} events`,
        facts: { events: rowCount },
        rows,
      },
    },
    controls: Array.from({ length: 20 }, (_, i) => ({
      id: `CC${i}`,
      title: 'control',
      evidence: 'checked',
      status: 'FAIL',
      findingIds: findings.slice(0, 50).map((f) => f.id),
    })),
    auditChainHead: { sequence: 1, hash: 'a'.repeat(64) },
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function time(fn, runs = 9) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

export async function run() {
  const report = largeReport();
  const baseline = time(() => JSON.stringify(report, null, 2));
  const json = time(() => renderJson(report));
  const md = time(() => renderMarkdown(report));
  const html = time(() => renderHtml(report));

  const dir = mkdtempSync(join(tmpdir(), 'inventag-report-bench-'));
  let save;
  try {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      await saveReports(report, dir);
      times.push(performance.now() - start);
    }
    save = median(times);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sizeKiB = (text) => Math.round(Buffer.byteLength(text) / 1024);
  const note = '1,000 findings, 5,000 rows, 20 controls';
  return [
    { figure: 'renderJson', value: json, unit: 'ms', note },
    { figure: 'renderMarkdown', value: md, unit: 'ms', note },
    { figure: 'renderHtml', value: html, unit: 'ms', note },
    {
      figure: 'renderHtml / bare JSON.stringify',
      value: html / baseline,
      unit: 'ratio',
      goal: '< 10',
      note: 'escaping + layout cost, same run',
    },
    {
      figure: 'renderJson / bare JSON.stringify',
      value: json / baseline,
      unit: 'ratio',
      goal: '< 3',
      note: 'key ordering cost, same run',
    },
    { figure: 'saveReports (redact + 3 renders + 3 atomic writes)', value: save, unit: 'ms', goal: '< 1000' },
    { figure: 'HTML size', value: sizeKiB(renderHtml(report)), unit: 'KiB' },
    { figure: 'Markdown size', value: sizeKiB(renderMarkdown(report)), unit: 'KiB' },
  ];
}
