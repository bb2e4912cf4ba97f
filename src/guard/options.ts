/** Options of the guard, validated once when a plugin or guard is created. */
import { z } from 'zod';
import { COMPLIANCE_STANDARDS, type ComplianceStandard } from '../constants.js';
import type { AuditSink, IdentityRef, OperationMonitor, Verdict, VerdictSource } from '../contracts.js';
import { actionPatternSchema, parseOptions } from '../policy/options.js';
import type { BlockReason, BlockedCall } from './errors.js';

/** What `onBlocked` receives. */
export interface BlockedEvent {
  readonly verdict: Verdict;
  readonly reason: BlockReason;
  readonly call: BlockedCall;
  readonly auditId: string | undefined;
}

/** Where the guard reports problems of its own bookkeeping (a failed outcome write, a throwing monitor). */
export interface GuardLogger {
  warn(message: string): void;
}

export interface GuardOptions {
  /** Decides each call. @default `new VerdictEngine({ standard, overrides })` */
  verdicts?: VerdictSource;
  /** Compliance standard of the default verdict engine. Not combinable with `verdicts`. @default 'general' */
  standard?: ComplianceStandard;
  /** Allow / deny IAM action patterns (`ec2:Describe*`) for the default verdict engine. Not combinable with `verdicts`. @default none */
  overrides?: { allow?: string[]; deny?: string[] };
  /** Where attempts and outcomes are recorded. An attempt that cannot be recorded is blocked. @default none */
  audit?: AuditSink;
  /** Production monitor: operation timings, error handling, security events and the shared breakers. @default none (the guard keeps its own breakers) */
  monitor?: OperationMonitor;
  /** The principal, written into every audit attempt. @default none */
  identity?: IdentityRef;
  /** Called for every blocked call, before the error is thrown; what it throws is ignored. @default none */
  onBlocked?: (event: BlockedEvent) => void;
  /** The guard's own circuit breakers, used when no `monitor` is given. */
  breaker?: {
    /** Consecutive counted failures that open a breaker. @default 5 */
    threshold?: number;
    /** Milliseconds an open breaker waits before letting one trial call through. @default 30000 */
    halfOpenAfterMs?: number;
  };
  /** Record the call's input (after the SDK's own sensitive-field filter) in the audit attempt. @default true */
  recordParameters?: boolean;
  /** @default the SDK client's logger, or none */
  logger?: GuardLogger;
}

const withMethods = <T>(...methods: string[]) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    { message: `expected an object with ${methods.map((m) => `${m}()`).join(', ')}` },
  );

const guardOptionsSchema = z
  .object({
    verdicts: withMethods<VerdictSource>('decide').optional(),
    standard: z.enum(COMPLIANCE_STANDARDS as [ComplianceStandard, ...ComplianceStandard[]]).optional(),
    overrides: z
      .object({ allow: z.array(actionPatternSchema).optional(), deny: z.array(actionPatternSchema).optional() })
      .strict()
      .optional(),
    audit: withMethods<AuditSink>('recordAttempt', 'recordOutcome').optional(),
    monitor: withMethods<OperationMonitor>(
      'recordOperation',
      'handleError',
      'recordSecurityEvent',
      'breakerFor',
    ).optional(),
    identity: z
      .object({ account: z.string().optional(), arn: z.string().optional(), type: z.string().optional() })
      .strict()
      .optional(),
    onBlocked: z
      .custom<(event: BlockedEvent) => void>((value) => typeof value === 'function', { message: 'expected a function' })
      .optional(),
    breaker: z
      .object({
        threshold: z.number().int().min(1).default(5),
        halfOpenAfterMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .default({ threshold: 5, halfOpenAfterMs: 30_000 }),
    recordParameters: z.boolean().default(true),
    logger: withMethods<GuardLogger>('warn').optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.verdicts === undefined) return;
    for (const field of ['standard', 'overrides'] as const) {
      if (options[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'cannot be combined with verdicts: configure the VerdictSource you pass instead',
        });
      }
    }
  });

export type ResolvedGuardOptions = z.output<typeof guardOptionsSchema>;

/** Validates guard options; throws `InvalidOptionsError` naming each bad field. */
export function resolveGuardOptions(options: GuardOptions | undefined): ResolvedGuardOptions {
  return parseOptions(guardOptionsSchema, options ?? {}, 'inventag guard options');
}
