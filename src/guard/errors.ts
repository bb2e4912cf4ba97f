/**
 * Errors of the guard. Each carries a brand field checked by its `isXError`
 * guard, so checks work across copies of the module (two versions of the
 * package in one `node_modules`, or a bundled copy).
 */
import type { Verdict } from '../contracts.js';

const hasBrand = (value: unknown, brand: string): boolean =>
  typeof value === 'object' && value !== null && (value as Record<string, unknown>)[brand] === true;

/** Base class of every guard error; check with {@link isGuardError}. */
export class GuardError extends Error {
  readonly isGuardError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GuardError';
  }
}

/**
 * Why a call was blocked: the verdict said no (`verdict`), deciding failed
 * (`fail-closed`), the audit trail could not record the attempt
 * (`audit-unavailable`: an unrecorded call cannot be proved harmless),
 * credentials or a request were asked for outside any command the guard
 * admitted (`no-admitted-command`), the request that reached the transport
 * is not the admitted read (`transport-mismatch`), or an admitted call used
 * its credentials without sending its request through the guard, as a
 * presigner does (`not-sent`).
 */
export type BlockReason =
  'verdict' | 'fail-closed' | 'audit-unavailable' | 'no-admitted-command' | 'transport-mismatch' | 'not-sent';

/** What the guard knows of a blocked call. */
export interface BlockedCall {
  readonly service: string;
  readonly operation: string;
  readonly clientName?: string;
  readonly commandName?: string;
}

/**
 * Thrown instead of sending a call the guard refused. Blocked by its verdict
 * (at `initialize`), nothing was serialized, no credentials were resolved
 * and no byte reached the network; refused by a later layer (`reason`
 * `no-admitted-command`, `transport-mismatch`, `not-sent`), no byte reached
 * the network either.
 */
export class OperationBlockedError extends GuardError {
  readonly isOperationBlockedError = true;
  readonly verdict: Verdict;
  readonly reason: BlockReason;
  readonly call: BlockedCall;
  /** The audit entry of the blocked attempt, when the trail recorded it. */
  readonly auditId: string | undefined;
  constructor(
    verdict: Verdict,
    reason: BlockReason,
    call: BlockedCall,
    auditId: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `inventag guard blocked ${call.clientName ?? call.service} ${call.commandName ?? call.operation}: ${verdict.validationMessage}`,
      options,
    );
    this.name = 'OperationBlockedError';
    this.verdict = verdict;
    this.reason = reason;
    this.call = call;
    this.auditId = auditId;
  }
}

/** Thrown without calling AWS while the circuit breaker of `service:operation` is open. */
export class CircuitOpenError extends GuardError {
  readonly isCircuitOpenError = true;
  readonly service: string;
  readonly operation: string;
  constructor(service: string, operation: string, options?: ErrorOptions) {
    super(
      `inventag circuit breaker for ${service}:${operation} is open after repeated failures; failing fast without calling AWS`,
      options,
    );
    this.name = 'CircuitOpenError';
    this.service = service;
    this.operation = operation;
  }
}

/** The guard could not be installed on a client; the client must not be used as if guarded. */
export class GuardInstallError extends GuardError {
  readonly isGuardInstallError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GuardInstallError';
  }
}

export const isGuardError = (value: unknown): value is GuardError => hasBrand(value, 'isGuardError');
export const isOperationBlockedError = (value: unknown): value is OperationBlockedError =>
  hasBrand(value, 'isOperationBlockedError');
export const isCircuitOpenError = (value: unknown): value is CircuitOpenError => hasBrand(value, 'isCircuitOpenError');
export const isGuardInstallError = (value: unknown): value is GuardInstallError =>
  hasBrand(value, 'isGuardInstallError');
