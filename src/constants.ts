/**
 * Serialized enums shared by every module. Values are the wire values of the
 * Python InvenTag (`ComplianceStandard.SOC2.value == "soc2"` and so on), so
 * reports from both tools read the same.
 */

export const ComplianceStandard = {
  GENERAL: 'general',
  SOC2: 'soc2',
  ISO27001: 'iso27001',
  CUSTOM: 'custom',
} as const;
export type ComplianceStandard = (typeof ComplianceStandard)[keyof typeof ComplianceStandard];
export const COMPLIANCE_STANDARDS = Object.values(ComplianceStandard);

export const OperationType = {
  READ_ONLY: 'read_only',
  MUTATING: 'mutating',
  UNKNOWN: 'unknown',
} as const;
export type OperationType = (typeof OperationType)[keyof typeof OperationType];

export const RiskLevel = {
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
  CRITICAL: 'CRITICAL',
} as const;
export type RiskLevel = (typeof RiskLevel)[keyof typeof RiskLevel];
export const RISK_ORDER: Record<RiskLevel, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

export const ErrorSeverity = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
  INFO: 'INFO',
} as const;
export type ErrorSeverity = (typeof ErrorSeverity)[keyof typeof ErrorSeverity];

export const CircuitState = {
  CLOSED: 'CLOSED',
  OPEN: 'OPEN',
  HALF_OPEN: 'HALF_OPEN',
} as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Exit codes of the `inventag` CLI; documented in `inventag --help` and docs/CLI.md. */
export const ExitCode = {
  OK: 0,
  NON_COMPLIANT: 1,
  USAGE: 2,
  BLOCKED: 3,
  TAMPERED: 4,
  WRITES_ALLOWED: 5,
  AWS_ERROR: 6,
  INTERNAL: 70,
  /** Writing output failed for lack of space or a device error (sysexits EX_IOERR). */
  IO_ERROR: 74,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
