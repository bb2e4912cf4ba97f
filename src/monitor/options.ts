import { z } from 'zod';
import { MonitorConfigError } from './errors.js';

/** A minimal logger: pino loggers satisfy it. */
export interface MonitorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Where the monitor writes. Threshold breaches and resource samples go to
 * `metrics`, classified errors to `errors`, security events to `security`,
 * breaker transitions and slow operations to `production`.
 */
export interface MonitorLoggers {
  production?: MonitorLogger;
  errors?: MonitorLogger;
  metrics?: MonitorLogger;
  security?: MonitorLogger;
}

/** When people are expected to run automation; operations outside it are reported. */
export interface BusinessHours {
  /** First hour inside business hours, 0-23. */
  startHour: number;
  /** First hour after business hours, 1-24 (must be greater than startHour). */
  endHour: number;
  /** Days of the week inside business hours, 0 = Sunday ... 6 = Saturday. */
  days: number[];
  /** IANA time zone the hours are in, for example `Europe/Berlin`. */
  timeZone: string;
}

export interface ProductionSafetyMonitorOptions {
  /**
   * Record that CloudTrail correlation is wanted; the CloudTrail module reads it.
   * @default false
   */
  enableCloudtrail?: boolean;
  /**
   * Allow `startPerformanceMonitoring()`; when false it does nothing.
   * @default true
   */
  enablePerformanceMonitoring?: boolean;
  /**
   * Errors inside `errorWindowSeconds` that raise an `errorThresholdExceeded` alert.
   * @default 10
   */
  errorThreshold?: number;
  /**
   * Length of the sliding error window, in seconds.
   * @default 300
   */
  errorWindowSeconds?: number;
  /** @default 80 */
  performanceThresholdCpu?: number;
  /** @default 80 */
  performanceThresholdMemory?: number;
  /** @default 90 */
  performanceThresholdDisk?: number;
  /**
   * Seconds between resource samples (fractions allowed).
   * @default 30
   */
  performanceMonitoringInterval?: number;
  /**
   * Resource samples kept in memory.
   * @default 120
   */
  performanceHistorySize?: number;
  /**
   * Consecutive counted failures of one `service:operation` that open its breaker.
   * @default 5
   */
  circuitBreakerThreshold?: number;
  /**
   * Seconds an open breaker waits before letting one trial call through.
   * @default 300
   */
  circuitBreakerTimeout?: number;
  /**
   * Operations slower than this many seconds raise `slowOperation`.
   * @default 30
   */
  slowOperationThresholdSeconds?: number;
  /**
   * Business hours for the security validation report, or `false` to skip the check.
   * @default { startHour: 8, endHour: 18, days: [1, 2, 3, 4, 5], timeZone: 'UTC' }
   */
  businessHours?: BusinessHours | false;
  /**
   * Directory whose filesystem disk % is measured on.
   * @default process.cwd()
   */
  dataDirectory?: string;
  /**
   * Operations, errors and security events kept in memory for summaries and reports.
   * @default 10000
   */
  historySize?: number;
  loggers?: MonitorLoggers;
}

export type ResolvedMonitorOptions = Required<Omit<ProductionSafetyMonitorOptions, 'loggers' | 'businessHours'>> & {
  businessHours: BusinessHours | false;
  loggers: MonitorLoggers;
};

export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  startHour: 8,
  endHour: 18,
  days: [1, 2, 3, 4, 5],
  timeZone: 'UTC',
};

const pct = z
  .number({ error: 'must be a number from 0 to 100' })
  .min(0, 'must be a number from 0 to 100')
  .max(100, 'must be a number from 0 to 100');
const positive = z.number({ error: 'must be a positive number' }).positive('must be a positive number');
const count = z
  .number({ error: 'must be a whole number of at least 1' })
  .int('must be a whole number of at least 1')
  .min(1, 'must be a whole number of at least 1');

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const businessHoursSchema = z
  .strictObject({
    startHour: z
      .number({ error: 'must be a whole hour from 0 to 23' })
      .int('must be a whole hour from 0 to 23')
      .min(0, 'must be a whole hour from 0 to 23')
      .max(23, 'must be a whole hour from 0 to 23'),
    endHour: z
      .number({ error: 'must be a whole hour from 1 to 24' })
      .int('must be a whole hour from 1 to 24')
      .min(1, 'must be a whole hour from 1 to 24')
      .max(24, 'must be a whole hour from 1 to 24'),
    days: z
      .array(z.number().int().min(0).max(6), { error: 'must be a list of weekdays, 0 = Sunday ... 6 = Saturday' })
      .min(1, 'must list at least one weekday (0 = Sunday ... 6 = Saturday)'),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin'),
  })
  .refine((h) => h.endHour > h.startHour, { message: 'endHour must be greater than startHour', path: ['endHour'] });

const schema = z.strictObject({
  enableCloudtrail: z.boolean({ error: 'must be true or false' }).optional(),
  enablePerformanceMonitoring: z.boolean({ error: 'must be true or false' }).optional(),
  errorThreshold: count.optional(),
  errorWindowSeconds: positive.optional(),
  performanceThresholdCpu: pct.optional(),
  performanceThresholdMemory: pct.optional(),
  performanceThresholdDisk: pct.optional(),
  performanceMonitoringInterval: positive.optional(),
  performanceHistorySize: count.optional(),
  circuitBreakerThreshold: count.optional(),
  circuitBreakerTimeout: positive.optional(),
  slowOperationThresholdSeconds: positive.optional(),
  businessHours: z
    .union([z.literal(false), businessHoursSchema], {
      error: 'must be false or { startHour, endHour, days, timeZone }',
    })
    .optional(),
  dataDirectory: z.string({ error: 'must be a directory path' }).min(1, 'must be a directory path').optional(),
  historySize: count.optional(),
  loggers: z
    .strictObject({
      production: z.unknown().optional(),
      errors: z.unknown().optional(),
      metrics: z.unknown().optional(),
      security: z.unknown().optional(),
    })
    .optional(),
});

const ALLOWED_KEYS: Record<string, readonly string[]> = {
  options: Object.keys(schema.shape),
  businessHours: ['startHour', 'endHour', 'days', 'timeZone'],
  loggers: ['production', 'errors', 'metrics', 'security'],
};

const describe = (value: unknown): string => {
  try {
    return value === undefined || typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? typeof value);
  } catch {
    return typeof value === 'bigint' ? value.toString() : Object.prototype.toString.call(value);
  }
};

const valueAt = (root: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );

const isLogger = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ['info', 'warn', 'error'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

/** Check the options and fill in defaults; throws {@link MonitorConfigError} naming the field. */
export function resolveMonitorOptions(options: ProductionSafetyMonitorOptions = {}): ResolvedMonitorOptions {
  if (typeof options !== 'object' || options === null)
    throw new MonitorConfigError('options', `must be an object (got ${describe(options)})`);
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const field = path.length > 0 ? path.map(String).join('.') : 'options';
    const unknownKeys = issue?.code === 'unrecognized_keys' ? issue.keys : undefined;
    if (unknownKeys) {
      const where = field === 'options' ? '' : `${field}.`;
      throw new MonitorConfigError(
        `${where}${unknownKeys.join(', ')}`,
        `unknown option; allowed: ${(ALLOWED_KEYS[field] ?? []).join(', ')}`,
      );
    }
    throw new MonitorConfigError(
      field,
      `${issue?.message ?? 'invalid value'} (got ${describe(valueAt(options, path))})`,
    );
  }
  const loggers = options.loggers ?? {};
  for (const [name, logger] of Object.entries(loggers)) {
    if (logger !== undefined && !isLogger(logger))
      throw new MonitorConfigError(`loggers.${name}`, 'must have info, warn and error methods (a pino logger works)');
  }
  return {
    enableCloudtrail: options.enableCloudtrail ?? false,
    enablePerformanceMonitoring: options.enablePerformanceMonitoring ?? true,
    errorThreshold: options.errorThreshold ?? 10,
    errorWindowSeconds: options.errorWindowSeconds ?? 300,
    performanceThresholdCpu: options.performanceThresholdCpu ?? 80,
    performanceThresholdMemory: options.performanceThresholdMemory ?? 80,
    performanceThresholdDisk: options.performanceThresholdDisk ?? 90,
    performanceMonitoringInterval: options.performanceMonitoringInterval ?? 30,
    performanceHistorySize: options.performanceHistorySize ?? 120,
    circuitBreakerThreshold: options.circuitBreakerThreshold ?? 5,
    circuitBreakerTimeout: options.circuitBreakerTimeout ?? 300,
    slowOperationThresholdSeconds: options.slowOperationThresholdSeconds ?? 30,
    businessHours: options.businessHours === undefined ? DEFAULT_BUSINESS_HOURS : options.businessHours,
    dataDirectory: options.dataDirectory ?? process.cwd(),
    historySize: options.historySize ?? 10_000,
    loggers,
  };
}
