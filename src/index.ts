/** InvenTag for TypeScript: the whole public API. `inventag/compliance` holds the seed's classes alone. */
export * from './compliance.js';
export * from './catalog/index.js';
export {
  DELIBERATE_OVERRIDES,
  ControlTopic,
  controlsFor,
  controlIdsFor,
  InvalidOptionsError,
  isInvalidOptionsError,
  resolveEngineOptions,
} from './policy/index.js';
export type { CustomRules, CustomRulesInput, VerdictEngineOptions, ControlDefinition } from './policy/index.js';
export * from './guard/index.js';
export {
  AuditStore,
  redact,
  createRedactor,
  redactText,
  DEFAULT_REDACTED_KEYS,
  AuditStoreError,
  isAuditStoreError,
} from './audit/index.js';
export type { AuditEntry, AuditEntryInput, VerifyResult, CleanupResult, AuditStoreOptions } from './audit/index.js';
export { createLogFiles, createNoopLogFiles, createMemoryLogFiles } from './logging/index.js';
export * from './cloudtrail/index.js';
export * from './identity/index.js';
export { analyzePolicies, parsePolicyText, parsePolicyDocument, PolicyAnalyzer } from './policy/analysis/index.js';
export type { PolicyAnalysisReport } from './policy/analysis/index.js';
export { renderJson, renderMarkdown, renderHtml, renderSummaryText, saveReport, saveReports } from './report/index.js';
export { ComplianceMetrics } from './metrics/index.js';
export { loadSnapshotSource, demoEvidenceDir, runCheck as runComplianceCheck } from './manager/index.js';
