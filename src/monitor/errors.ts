/**
 * Errors raised by the production monitor. Recording paths (`handleError`,
 * `recordOperation`, `recordSecurityEvent`) never throw; these are for bad
 * configuration and unreadable state files, where failing loudly is right.
 */

/** Base class of every monitor error; check with {@link isMonitorError}, which works across module copies. */
export class MonitorError extends Error {
  readonly isMonitorError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MonitorError';
  }
}

/** An option given to `ProductionSafetyMonitor` is out of range or of the wrong type. */
export class MonitorConfigError extends MonitorError {
  /** The option at fault, for example `performanceThresholdCpu` or `businessHours.startHour`. */
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`Invalid monitor option ${field}: ${message}`, options);
    this.name = 'MonitorConfigError';
    this.field = field;
  }
}

/** A saved monitor state or report file cannot be read, parsed or written. */
export class MonitorStateError extends MonitorError {
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.name = 'MonitorStateError';
    this.path = path;
  }
}

export const isMonitorError = (value: unknown): value is MonitorError =>
  typeof value === 'object' && value !== null && (value as { isMonitorError?: unknown }).isMonitorError === true;
