/**
 * The seed's four log files, as JSON lines through pino:
 * `inventag_production.log` (general), `inventag_errors.log` (errors; the
 * production logger's error and fatal lines are copied there too),
 * `inventag_metrics.log` (performance figures) and
 * `inventag_security_audit.log` (every audit entry, blocked operations,
 * session ends with the chain head). Every logged object and message passes
 * through the audit redactor first (secret keys, and secret values in any
 * string: error messages too), so no secret reaches a file.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { DestinationStream, Level, Logger, LoggerOptions, MultiStreamRes } from 'pino';
import type * as PinoModule from 'pino';
import { type Redactor, createRedactor } from '../audit/redact.js';
import { RotatingFileDestination } from './RotatingFileDestination.js';

type Pino = typeof PinoModule.default;
let loadedPino: Pino | undefined;
/** pino (CommonJS), loaded when the first loggers are made: a command that logs nothing does not load it. */
const pinoModule = (): Pino => (loadedPino ??= createRequire(import.meta.url)('pino') as Pino);

export const LOG_FILE_NAMES = {
  production: 'inventag_production.log',
  errors: 'inventag_errors.log',
  metrics: 'inventag_metrics.log',
  security: 'inventag_security_audit.log',
} as const;
export type LogChannel = keyof typeof LOG_FILE_NAMES;
export const LOG_CHANNELS = Object.keys(LOG_FILE_NAMES) as LogChannel[];

/** The set of loggers other modules write through (the production monitor, the audit store, the CLI). */
export interface InventagLoggers {
  readonly production: Logger;
  readonly errors: Logger;
  readonly metrics: Logger;
  readonly security: Logger;
  /** Flushes and closes the files; later log calls are dropped. */
  close(): Promise<void>;
}

/** Loggers that keep their lines in memory, for tests and for showing logs in a report. */
export interface MemoryLoggers extends InventagLoggers {
  /** The JSON lines written to each channel, in order. */
  readonly lines: Readonly<Record<LogChannel, string[]>>;
}

export interface LogFilesOptions {
  /** Directory of the four files; created if missing. */
  directory: string;
  /**
   * Size at which a file is rotated.
   * @default 10485760 (10 MiB)
   */
  maxBytes?: number;
  /**
   * Rotated files kept per log (`.1` .. `.N`).
   * @default 5
   */
  maxFiles?: number;
  /**
   * Lowest level written.
   * @default 'info'
   */
  level?: Level;
  /**
   * Keys redacted in addition to `DEFAULT_REDACTED_KEYS`.
   * @default []
   */
  redactKeys?: readonly string[];
}

export class LogFilesError extends Error {
  readonly isLogFilesError = true;
  readonly directory: string;
  constructor(directory: string, message: string, options?: ErrorOptions) {
    super(`${directory}: ${message}`, options);
    this.name = 'LogFilesError';
    this.directory = directory;
  }
}

export const isLogFilesError = (value: unknown): value is LogFilesError =>
  typeof value === 'object' && value !== null && (value as { isLogFilesError?: unknown }).isLogFilesError === true;

/** A message argument as written: strings lose their secret values, objects go through the redactor. */
function redactArgs(args: unknown[], redactor: Redactor): unknown[] {
  return args.map((arg) => (typeof arg === 'string' ? (redactor(arg) as string) : redactor(arg)));
}

/**
 * pino takes the message of `log.error(err)` and of `log.error({ err })` from
 * the error itself, after every hook; name it here so it is redacted too.
 */
function messageArgs(args: unknown[], redactor: Redactor): unknown[] {
  const [first, ...rest] = args;
  if (typeof first === 'string') return redactArgs(args, redactor);
  if (rest.length === 0 && typeof first === 'object' && first !== null) {
    const err = first instanceof Error ? first : (first as { err?: unknown; msg?: unknown }).err;
    if (err instanceof Error && (first instanceof Error || (first as { msg?: unknown }).msg === undefined))
      return [first, redactor(err.message)];
  }
  return [first, ...redactArgs(rest, redactor)];
}

function loggerOptions(level: Level, redactKeys: readonly string[], channel: LogChannel): LoggerOptions {
  const redactor = createRedactor({ extraKeys: redactKeys });
  return {
    level,
    hooks: {
      logMethod(args, method) {
        method.apply(this, messageArgs(args, redactor) as Parameters<typeof method>);
      },
    },
    base: { pid: process.pid, log: channel },
    timestamp: pinoModule().stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactor(bindings) as Record<string, unknown>,
      log: (object) => redactor(object) as Record<string, unknown>,
    },
    // pino skips the bindings formatter for child loggers and stores their
    // bindings as a JSON fragment; redact that fragment once per child.
    onChild: (child) => {
      const holder = child as unknown as Record<symbol, unknown>;
      const fragment = holder[pinoModule().symbols.chindingsSym];
      if (typeof fragment !== 'string' || fragment === '') return;
      try {
        const redacted = JSON.stringify(redactor(JSON.parse(`{${fragment.slice(1)}}`)));
        holder[pinoModule().symbols.chindingsSym] = redacted === '{}' ? '' : `,${redacted.slice(1, -1)}`;
      } catch {
        holder[pinoModule().symbols.chindingsSym] = '';
      }
    },
  };
}

function build(
  streams: Record<LogChannel, DestinationStream>,
  level: Level,
  redactKeys: readonly string[],
): Omit<InventagLoggers, 'close'> {
  const pino = pinoModule();
  const make = (channel: LogChannel, stream: DestinationStream | MultiStreamRes) =>
    pino(loggerOptions(level, redactKeys, channel), stream);
  const production = pino.multistream([
    { level, stream: streams.production },
    { level: 'error', stream: streams.errors },
  ]);
  return {
    production: make('production', production),
    errors: make('errors', streams.errors),
    metrics: make('metrics', streams.metrics),
    security: make('security', streams.security),
  };
}

/**
 * Opens the four log files in `directory`, with size-based rotation.
 *
 * @example
 * ```ts
 * const logs = createLogFiles({ directory: '.inventag/logs', maxBytes: 5_000_000 });
 * logs.security.warn({ service: 'ec2', operation: 'TerminateInstances' }, 'operation blocked');
 * await logs.close();
 * ```
 */
export function createLogFiles(options: LogFilesOptions): InventagLoggers {
  const directory = resolve(options.directory);
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 5;
  if (!(Number.isInteger(maxBytes) && maxBytes >= 1024))
    throw new LogFilesError(directory, `maxBytes must be a whole number >= 1024; got ${String(maxBytes)}`);
  if (!(Number.isInteger(maxFiles) && maxFiles >= 0))
    throw new LogFilesError(directory, `maxFiles must be a whole number >= 0; got ${String(maxFiles)}`);
  const destinations: RotatingFileDestination[] = [];
  try {
    mkdirSync(directory, { recursive: true });
    for (const channel of LOG_CHANNELS)
      destinations.push(
        new RotatingFileDestination({ file: join(directory, LOG_FILE_NAMES[channel]), maxBytes, maxFiles }),
      );
  } catch (err) {
    for (const d of destinations) d.close();
    throw new LogFilesError(
      directory,
      `cannot open the log files (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a writable log directory`,
      { cause: err },
    );
  }
  const [production, errors, metrics, security] = destinations as [
    RotatingFileDestination,
    RotatingFileDestination,
    RotatingFileDestination,
    RotatingFileDestination,
  ];
  const loggers = build({ production, errors, metrics, security }, options.level ?? 'info', options.redactKeys ?? []);
  return {
    ...loggers,
    close: async () => {
      for (const d of destinations) d.close();
    },
  };
}

/** Loggers that write nothing: for when logging is disabled. */
export function createNoopLogFiles(): InventagLoggers {
  const silent = pinoModule()({ enabled: false });
  return { production: silent, errors: silent, metrics: silent, security: silent, close: async () => {} };
}

/** Loggers that keep every (redacted) line in memory. */
export function createMemoryLogFiles(options: { level?: Level; redactKeys?: readonly string[] } = {}): MemoryLoggers {
  const lines: Record<LogChannel, string[]> = { production: [], errors: [], metrics: [], security: [] };
  const streams = Object.fromEntries(
    LOG_CHANNELS.map((c) => [c, { write: (line: string) => void lines[c].push(line.trimEnd()) }]),
  ) as Record<LogChannel, DestinationStream>;
  return { ...build(streams, options.level ?? 'info', options.redactKeys ?? []), lines, close: async () => {} };
}
