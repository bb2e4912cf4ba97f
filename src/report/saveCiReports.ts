/**
 * The CI formats of `inventag check --format`: SARIF for code scanning, JUnit
 * for test-report views, CSV of the findings. Written beside the other
 * reports, atomically, after secrets are redacted.
 */
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { renderFindingsCsv } from './renderCsv.js';
import { renderJunit } from './renderJunit.js';
import { renderSarif } from './renderSarif.js';
import { DEFAULT_REPORT_BASENAME, redactReport } from './saveReport.js';
import type { ComprehensiveComplianceReport } from './types.js';

export const CiReportFormat = {
  SARIF: 'sarif',
  JUNIT: 'junit',
  CSV: 'csv',
} as const;
export type CiReportFormat = (typeof CiReportFormat)[keyof typeof CiReportFormat];
export const CI_REPORT_FORMATS: readonly CiReportFormat[] = Object.values(CiReportFormat);

/** File name suffixes: `inventag-report.sarif`, `inventag-report.junit.xml`, `inventag-report.csv`. */
export const CI_REPORT_EXTENSION: Record<CiReportFormat, string> = {
  sarif: 'sarif',
  junit: 'junit.xml',
  csv: 'csv',
};

/** Renders every format first (nothing is written if one fails), then writes each file atomically. */
export async function saveCiReports(
  report: ComprehensiveComplianceReport,
  dir: string,
  formats: readonly CiReportFormat[],
): Promise<{ format: CiReportFormat; path: string }[]> {
  const safe = redactReport(report);
  const jsonReport = resolve(join(dir, `${DEFAULT_REPORT_BASENAME}.json`));
  const render: Record<CiReportFormat, () => string> = {
    sarif: () => renderSarif(safe, { fallbackFile: jsonReport }),
    junit: () => renderJunit(safe),
    csv: () => renderFindingsCsv(safe),
  };
  const files = [...new Set(formats)].map((format) => ({
    format,
    path: resolve(join(dir, `${DEFAULT_REPORT_BASENAME}.${CI_REPORT_EXTENSION[format]}`)),
    text: render[format](),
  }));
  for (const file of files) await writeFileAtomic(file.path, file.text, { mkdirs: true });
  return files.map(({ format, path }) => ({ format, path }));
}
