export { ReadOnlyAccessValidator, COMPLIANCE_SCORE_FORMULA } from './ReadOnlyAccessValidator.js';
export type {
  ValidationResult,
  ValidatorAuditEntry,
  ComplianceReport,
  SecurityFinding,
  AuditSummary,
  ReadOnlyAccessValidatorOptions,
} from './ReadOnlyAccessValidator.js';
