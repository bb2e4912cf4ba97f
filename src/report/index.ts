export { REPORT_SCHEMA_VERSION } from './types.js';
export type {
  ComplianceStatus,
  ComprehensiveComplianceReport,
  ControlResult,
  ExecutiveSummary,
  FindingSource,
  ReportFinding,
  ReportSection,
  ScoreExplanation,
} from './types.js';
export { ReportError, ReportErrorCode, isReportError } from './errors.js';
export { orderReportKeys, renderJson } from './renderJson.js';
export { escapeMarkdown, renderMarkdown } from './renderMarkdown.js';
export { REPORT_HTML_CSP, escapeHtml, renderHtml } from './renderHtml.js';
export { renderSummaryText } from './renderSummaryText.js';
export type { SummaryTextOptions } from './renderSummaryText.js';
export {
  DEFAULT_REPORT_BASENAME,
  REPORT_FORMATS,
  ReportFormat,
  parseReportFormat,
  redactReport,
  saveReport,
  saveReports,
} from './saveReport.js';
export type { SaveReportOptions, SavedReport } from './saveReport.js';
export { REPORT_SCHEMA_PATH } from './schemaPath.js';
