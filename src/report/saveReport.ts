import { join, resolve } from 'node:path';
import { redact } from '../audit/redact.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ReportError, ReportErrorCode } from './errors.js';
import { renderHtml } from './renderHtml.js';
import { renderJson } from './renderJson.js';
import { renderMarkdown } from './renderMarkdown.js';
import type { ComprehensiveComplianceReport } from './types.js';

/** The file formats a report is saved in. */
export const ReportFormat = {
  JSON: 'json',
  MARKDOWN: 'md',
  HTML: 'html',
} as const;
export type ReportFormat = (typeof ReportFormat)[keyof typeof ReportFormat];
export const REPORT_FORMATS: readonly ReportFormat[] = Object.values(ReportFormat);

/** Base name of the files {@link saveReports} writes: `inventag-report.json`, `.md`, `.html`. */
export const DEFAULT_REPORT_BASENAME = 'inventag-report';

const ALIASES: Record<string, ReportFormat> = { json: 'json', md: 'md', markdown: 'md', html: 'html', htm: 'html' };

/**
 * Reads a format name as a user types it (`json`, `md`, `markdown`, `html`),
 * case-insensitive. Anything else is refused with the list of allowed names.
 */
export function parseReportFormat(value: string): ReportFormat {
  const format = ALIASES[value.trim().toLowerCase()];
  if (format === undefined) {
    throw new ReportError(
      ReportErrorCode.UNKNOWN_FORMAT,
      `unknown report format ${JSON.stringify(value)}: expected one of json, md (or markdown), html`,
    );
  }
  return format;
}

const RENDERERS: Record<ReportFormat, (report: ComprehensiveComplianceReport) => string> = {
  json: renderJson,
  md: renderMarkdown,
  html: renderHtml,
};

/** Options of {@link saveReport} and {@link saveReports}. */
export interface SaveReportOptions {
  /**
   * Keys treated as secret in addition to the audit trail's default list; their values are written as `[REDACTED]`.
   * @default []
   */
  extraRedactedKeys?: readonly string[];
  /**
   * Create missing parent directories.
   * @default true
   */
  mkdirs?: boolean;
}

/** One written report file. */
export interface SavedReport {
  format: ReportFormat;
  /** Absolute path of the file. */
  path: string;
}

/**
 * The report with every secret replaced by `[REDACTED]`, exactly as the
 * audit trail redacts: secret-named keys at any depth and PEM private keys
 * inside strings.
 */
export function redactReport(
  report: ComprehensiveComplianceReport,
  extraKeys?: readonly string[],
): ComprehensiveComplianceReport {
  return redact(report, extraKeys) as ComprehensiveComplianceReport;
}

function render(report: ComprehensiveComplianceReport, format: ReportFormat): string {
  // Callers from plain JavaScript may pass any string; an unknown one is refused by name.
  const renderer: ((r: ComprehensiveComplianceReport) => string) | undefined = RENDERERS[format];
  return (renderer ?? RENDERERS[parseReportFormat(String(format))])(report);
}

/**
 * Saves a report in one format at `path`, atomically (a temporary file in the
 * same directory, then a rename): a reader or a crash sees the old file or
 * the whole new one. Secrets are redacted first. Throws `FileWriteError`
 * naming the path when it cannot be written.
 *
 * @returns the absolute path written
 * @example
 * ```ts
 * import { saveReport } from 'inventag';
 * const path = await saveReport(report, 'out/compliance.html', 'html');
 * ```
 */
export async function saveReport(
  report: ComprehensiveComplianceReport,
  path: string,
  format: ReportFormat,
  options: SaveReportOptions = {},
): Promise<string> {
  const text = render(redactReport(report, options.extraRedactedKeys), format);
  await writeFileAtomic(path, text, { mkdirs: options.mkdirs ?? true });
  return resolve(path);
}

/**
 * Saves a report in several formats into `dir` as `inventag-report.json`,
 * `.md` and `.html`. Every format is rendered before the first file is
 * written, so a rendering failure leaves the directory untouched, and each
 * file is written atomically.
 *
 * @param formats which files to write; duplicates are written once
 * @default formats all of {@link REPORT_FORMATS}
 * @returns the files written, in the order of `formats`
 * @example
 * ```ts
 * import { saveReports } from 'inventag';
 * for (const { path } of await saveReports(report, 'inventag-reports')) console.log(path);
 * ```
 */
export async function saveReports(
  report: ComprehensiveComplianceReport,
  dir: string,
  formats: readonly ReportFormat[] = REPORT_FORMATS,
  options: SaveReportOptions = {},
): Promise<SavedReport[]> {
  const safe = redactReport(report, options.extraRedactedKeys);
  const rendered = [...new Set(formats)].map((format) => ({
    format,
    path: resolve(join(dir, `${DEFAULT_REPORT_BASENAME}.${format}`)),
    text: render(safe, format),
  }));
  const saved: SavedReport[] = [];
  for (const file of rendered) {
    await writeFileAtomic(file.path, file.text, { mkdirs: options.mkdirs ?? true });
    saved.push({ format: file.format, path: file.path });
  }
  return saved;
}
