/** `inventag/compliance`: the seed's compliance module (`from inventag.compliance import ...`). */
export { ComplianceStandard, OperationType, RiskLevel, ErrorSeverity, CircuitState, ExitCode } from './constants.js';
export type * from './contracts.js';
