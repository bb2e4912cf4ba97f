/** Small real implementations of the guard's collaborators, for the guard tests. */
import { circuitBreaker, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type {
  AuditAttempt,
  AuditOutcome,
  AuditSink,
  ErrorContext,
  OperationMonitor,
  SecurityEvent,
} from '../../src/contracts.js';
import { countsAsBreakerFailure } from '../../src/breaker/breakerFailure.js';
import { isOperationBlockedError, type OperationBlockedError } from '../../src/guard/errors.js';
import { ErrorSeverity } from '../../src/constants.js';
import type { AwsTestServer } from '../support/awsServer.js';
import type { AuditEntryInput } from '../../src/audit/index.js';
import { attempt } from '../support/auditStores.js';

export interface MemoryAuditEntry extends AuditAttempt {
  auditId: string;
  outcome?: AuditOutcome;
}

/** An AuditSink that keeps entries in an array. */
export class MemoryAudit implements AuditSink {
  readonly entries: MemoryAuditEntry[] = [];
  recordAttempt(attempt: AuditAttempt): { auditId: string } {
    const auditId = `a-${this.entries.length + 1}`;
    this.entries.push({ ...attempt, auditId });
    return { auditId };
  }
  recordOutcome(auditId: string, outcome: AuditOutcome): void {
    const entry = this.entries.find((e) => e.auditId === auditId);
    if (entry === undefined) throw new Error(`unknown audit id ${auditId}`);
    if (entry.outcome !== undefined) throw new Error(`outcome already recorded for ${auditId}`);
    entry.outcome = outcome;
  }
  get blocked(): MemoryAuditEntry[] {
    return this.entries.filter((e) => e.decision === 'blocked');
  }
  get allowed(): MemoryAuditEntry[] {
    return this.entries.filter((e) => e.decision === 'allowed');
  }
}

/** An OperationMonitor that records what it is told and owns real cockatiel breakers. */
export class RecordingMonitor implements OperationMonitor {
  readonly operations: { operation: string; service: string; durationSeconds: number; success: boolean }[] = [];
  readonly errors: { error: unknown; operation: string; service: string }[] = [];
  readonly securityEvents: SecurityEvent[] = [];
  readonly breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly threshold = 3,
    private readonly halfOpenAfterMs = 10_000,
  ) {}

  recordOperation(operation: string, service: string, durationSeconds: number, success: boolean): void {
    this.operations.push({ operation, service, durationSeconds, success });
  }
  handleError(error: unknown, context: { operation: string; service: string; resourceArn?: string }): ErrorContext {
    this.errors.push({ error, ...context });
    return {
      timestamp: new Date().toISOString(),
      errorType: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
      severity: ErrorSeverity.HIGH,
      operation: context.operation,
      service: context.service,
      recoveryAction: 'recorded by the test monitor',
      userImpact: 'none',
      correlationId: `c-${this.errors.length}`,
      retryable: false,
    };
  }
  recordSecurityEvent(event: SecurityEvent): void {
    this.securityEvents.push(event);
  }
  breakerFor(service: string, operation: string): CircuitBreakerPolicy {
    const key = `${service}:${operation}`;
    let breaker = this.breakers.get(key);
    if (breaker === undefined) {
      breaker = circuitBreaker(handleWhen(countsAsBreakerFailure), {
        halfOpenAfter: this.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(this.threshold),
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

/** The OperationBlockedError a promise rejects with; fails the test on anything else. */
export async function blocked(promise: Promise<unknown>): Promise<OperationBlockedError> {
  const error = await rejection(promise);
  if (!isOperationBlockedError(error)) throw new Error(`expected OperationBlockedError, got ${String(error)}`);
  return error;
}

/** Notes `read()` when the first request reaches the loopback server (the server's own handlers then answer it). */
export function onFirstRequest<T>(server: Pick<AwsTestServer, 'addHandler'>, read: () => T): { seen?: T } {
  const watch: { seen?: T } = {};
  server.addHandler({
    name: 'first-request-watch',
    matches: () => {
      watch.seen ??= read();
      return false;
    },
    handle: () => {
      throw new Error('never answers');
    },
  });
  return watch;
}

/**
 * Fills a store from the calling thread (appendBatch is synchronous) until not even the smallest entry fits:
 * every later write is refused with STORE_FULL (checked only when a transaction runs).
 */
export function fillStore(store: { appendBatch(entries: AuditEntryInput[]): unknown }): void {
  const big = (i: number) => attempt(i, { validationMessage: `filler ${i} ${'x'.repeat(200)}` });
  const small = (i: number) => ({
    ...attempt(i),
    identity: undefined,
    requestParameters: undefined,
    iamAction: undefined,
  });
  for (const [size, entry] of [
    [20, big],
    [1, small],
  ] as const) {
    for (let i = 0; ; i += 1) {
      try {
        store.appendBatch(Array.from({ length: size }, (_, j) => entry(i * size + j)));
      } catch (error) {
        // The brand, not the class: the store may come from the build (dist/) or the sources.
        const { isAuditStoreError, code } = error as { isAuditStoreError?: unknown; code?: unknown };
        if (isAuditStoreError === true && code === 'STORE_FULL') break;
        throw error;
      }
    }
  }
}
