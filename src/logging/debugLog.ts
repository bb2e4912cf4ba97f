/**
 * Debug logging to standard error: each decision with its evidence, each AWS
 * call the guard runs, each evidence file read. Off unless asked for with
 * `--debug`, `INVENTAG_LOG_LEVEL=debug` (or `trace`), the configuration's
 * `logLevel`, or `setLogLevel('debug')`. Every line goes through the audit
 * trail's redaction (by key and by value) before it is written. pino is
 * loaded only when a debug line is due, so the default (off) costs no start-up.
 */
import { createRequire } from 'node:module';
import type { Logger, pino as Pino } from 'pino';
import { redact } from '../audit/redact.js';
import type { Verdict } from '../contracts.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Thrown for a log level that is not one of {@link LOG_LEVELS}; the message names where it came from. */
export class LogLevelError extends Error {
  override readonly name = 'LogLevelError';
}

let level: LogLevel | undefined;
let logger: Logger | undefined;

const isLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);

/** Parses a level; `source` names the flag, variable or field in the error. */
export function parseLogLevel(value: string, source: string): LogLevel {
  const v = value.trim().toLowerCase();
  if (!isLevel(v))
    throw new LogLevelError(
      `${source}: ${JSON.stringify(value)} is not a log level; expected one of ${LOG_LEVELS.join(', ')}`,
    );
  return v;
}

/** Sets the level of the debug log (the process-wide stderr logger). */
export function setLogLevel(value: LogLevel): void {
  level = parseLogLevel(value, 'logLevel');
  logger = undefined;
}

function current(): Logger | undefined {
  if (level === undefined) {
    // A bad value is the CLI's usage error (exit 2); in a library it must never make a guarded call fail.
    const fromEnv = process.env.INVENTAG_LOG_LEVEL?.trim().toLowerCase();
    level = fromEnv && isLevel(fromEnv) ? fromEnv : 'warn';
  }
  if (level !== 'debug' && level !== 'trace') return undefined;
  if (logger) return logger;
  // pino is CommonJS: required on first use, synchronously, like the logger it makes.
  const { pino } = createRequire(import.meta.url)('pino') as { pino: typeof Pino };
  logger = pino(
    { level, base: { name: 'inventag' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
  return logger;
}

/** True when debug lines are written: callers skip building their fields otherwise. */
export function debugEnabled(): boolean {
  return current() !== undefined;
}

/** Writes one debug line, `msg` plus `fields` redacted by key and by value. */
export function logDebug(msg: string, fields: Record<string, unknown>): void {
  const log = current();
  if (log) log.debug(redact(fields) as Record<string, unknown>, msg);
}

/** One debug line for a verdict: the call, the decision and the evidence it rests on. */
export function logDecision(verdict: Verdict): void {
  if (!debugEnabled()) return;
  logDebug('decision', {
    service: verdict.service,
    operation: verdict.operation,
    decision: verdict.isValid ? 'allowed' : 'blocked',
    iamAction: verdict.iamAction,
    accessLevel: verdict.accessLevel,
    operationType: verdict.operationType,
    evidence: verdict.evidence,
    riskLevel: verdict.riskLevel,
    reason: verdict.validationMessage,
  });
}
