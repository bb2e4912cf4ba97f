import type { ErrorSeverity, RiskLevel } from '../constants.js';
import type { ErrorCategory } from './ErrorClassifier.js';

/** One AWS operation that ran. `at` is epoch milliseconds. */
export interface OperationRecord {
  at: number;
  service: string;
  operation: string;
  durationSeconds: number;
  success: boolean;
}

/** One classified error. */
export interface ErrorRecord {
  at: number;
  service: string;
  operation: string;
  errorType: string;
  category: ErrorCategory;
  severity: ErrorSeverity;
}

/** A security event, such as an operation the guard blocked. */
export interface SecurityEventRecord {
  at: number;
  kind: string;
  service: string;
  operation: string;
  message: string;
  riskLevel: RiskLevel;
}

/** A resource threshold breach. */
export interface PerformanceBreachRecord {
  at: number;
  metric: 'cpu' | 'memory' | 'disk';
  value: number;
  threshold: number;
}
