import {
  CircuitState as CockatielState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { z } from 'zod';
import { CircuitState } from '../constants.js';
import { canonicalOperationName } from '../catalog/operationName.js';
import { countsAsBreakerFailure } from './breakerFailure.js';
import { BreakerStateError } from './errors.js';
import { readErrorFacts } from './errorFacts.js';

/** A breaker moved between CLOSED, OPEN and HALF_OPEN. */
export interface CircuitStateChange {
  /** `service:Operation`, the registry key. */
  key: string;
  service: string;
  operation: string;
  from: CircuitState;
  to: CircuitState;
  timestamp: string;
  /** The error name that opened the breaker, when it opened. */
  reason?: string;
}

/** One breaker as the summary shows it. */
export interface BreakerStatus {
  service: string;
  operation: string;
  state: CircuitState;
  /** Failures counted since the last success (cockatiel's ConsecutiveBreaker state). */
  consecutiveFailures: number;
  /** When the breaker last opened (OPEN only). */
  openedAt?: string;
  /** When the next call is let through as a trial (OPEN only). */
  retryAt?: string;
}

export interface BreakerRegistryOptions {
  /** Consecutive counted failures that open a breaker. */
  threshold: number;
  /** Seconds an open breaker waits before letting one trial call through. */
  timeoutSeconds: number;
  onStateChange?: (change: CircuitStateChange) => void;
}

const toCircuitState = (state: CockatielState): CircuitState => {
  if (state === CockatielState.Closed) return CircuitState.CLOSED;
  if (state === CockatielState.HalfOpen) return CircuitState.HALF_OPEN;
  return CircuitState.OPEN;
};

/**
 * The operation part of a breaker key: the one operation-name normaliser,
 * after dropping an SDK class name's `Command` suffix, so
 * `describe_instances`, `DescribeInstancesCommand` and `describeInstances`
 * all name one breaker.
 */
const breakerOperation = (operation: string): string =>
  canonicalOperationName(operation.trim().replace(/(.)Command$/, '$1'));

const normalizeService = (service: string): string => service.trim().toLowerCase();

const savedBreakerSchema = z.object({
  service: z.string().min(1),
  operation: z.string().min(1),
  state: z.enum(['CLOSED', 'OPEN']),
  consecutiveFailures: z.number().int().min(0),
  openedAtMs: z.number().int().min(0).optional(),
  attempt: z.number().int().min(1).optional(),
});
export const savedBreakersSchema = z.record(z.string(), savedBreakerSchema);
export type SavedBreakers = z.infer<typeof savedBreakersSchema>;

interface Entry {
  service: string;
  operation: string;
  policy: CircuitBreakerPolicy;
  counter: ConsecutiveBreaker;
}

interface CockatielSnapshot {
  ownState: { value: CockatielState; openedAt?: number; attemptNo?: number };
  breakerState: unknown;
}

/**
 * The one place circuit breakers live: a cockatiel `CircuitBreakerPolicy` per
 * `service:Operation`, shared by the guard (which runs calls through it) and
 * the monitor (which reports and saves it). Which errors count is
 * {@link countsAsBreakerFailure}: outages, not refusals or throttling.
 */
export class BreakerRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly threshold: number;
  private readonly timeoutMs: number;
  private readonly onStateChange: ((change: CircuitStateChange) => void) | undefined;

  constructor(options: BreakerRegistryOptions) {
    this.threshold = options.threshold;
    this.timeoutMs = options.timeoutSeconds * 1000;
    this.onStateChange = options.onStateChange;
  }

  static key(service: string, operation: string): string {
    return `${normalizeService(service)}:${breakerOperation(operation)}`;
  }

  /** The breaker for `service:operation`, created CLOSED on first use. */
  breakerFor(service: string, operation: string): CircuitBreakerPolicy {
    const key = BreakerRegistry.key(service, operation);
    return (this.entries.get(key) ?? this.create(key, normalizeService(service), breakerOperation(operation))).policy;
  }

  /** The state of every breaker used so far, keyed by `service:Operation`. */
  status(): Record<string, BreakerStatus> {
    const out: Record<string, BreakerStatus> = {};
    for (const [key, entry] of this.entries) {
      const status: BreakerStatus = {
        service: entry.service,
        operation: entry.operation,
        state: toCircuitState(entry.policy.state),
        consecutiveFailures: typeof entry.counter.state === 'number' ? entry.counter.state : 0,
      };
      const snapshot = entry.policy.toJSON() as CockatielSnapshot;
      if (entry.policy.state === CockatielState.Open && typeof snapshot.ownState.openedAt === 'number') {
        status.openedAt = new Date(snapshot.ownState.openedAt).toISOString();
        status.retryAt = new Date(snapshot.ownState.openedAt + this.timeoutMs).toISOString();
      }
      out[key] = status;
    }
    return out;
  }

  /** Breaker states as plain JSON, for {@link restore} in a later process. */
  save(): SavedBreakers {
    const out: SavedBreakers = {};
    for (const [key, entry] of this.entries) {
      // cockatiel saves a trial in flight as OPEN with openedAt 0, so the next process tries again at once.
      const snapshot = entry.policy.toJSON() as CockatielSnapshot;
      const open = snapshot.ownState.value === CockatielState.Open;
      out[key] = {
        service: entry.service,
        operation: entry.operation,
        state: open ? 'OPEN' : 'CLOSED',
        consecutiveFailures: typeof snapshot.breakerState === 'number' ? snapshot.breakerState : 0,
        ...(open ? { openedAtMs: snapshot.ownState.openedAt ?? 0, attempt: snapshot.ownState.attemptNo ?? 1 } : {}),
      };
    }
    return out;
  }

  /**
   * Recreate breakers from {@link save} output (already schema-checked).
   * Replaces breakers of the same key, so call it before the first guarded call.
   */
  restore(saved: SavedBreakers, source = 'saved state'): void {
    for (const [key, item] of Object.entries(saved)) {
      const expected = BreakerRegistry.key(item.service, item.operation);
      if (expected !== key)
        throw new BreakerStateError(
          source,
          `breakers.${key}: key does not match service "${item.service}" and operation "${item.operation}" (expected "${expected}")`,
        );
      const ownState =
        item.state === 'OPEN'
          ? { value: CockatielState.Open, openedAt: item.openedAtMs ?? 0, attemptNo: item.attempt ?? 1 }
          : { value: CockatielState.Closed };
      this.create(key, normalizeService(item.service), breakerOperation(item.operation), {
        ownState,
        breakerState: item.consecutiveFailures,
      });
    }
  }

  /**
   * Forget breakers so they start CLOSED on next use: all of them, or those
   * whose `service:Operation` key is listed. Returns the keys removed.
   */
  reset(keys?: readonly string[]): string[] {
    const targets = keys ?? [...this.entries.keys()];
    return targets.filter((key) => this.entries.delete(key));
  }

  /** Keys of the breakers used or restored so far. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  private create(key: string, service: string, operation: string, initialState?: CockatielSnapshot): Entry {
    const counter = new ConsecutiveBreaker(this.threshold);
    const policy = circuitBreaker(
      handleWhen((error) => countsAsBreakerFailure(error)),
      { halfOpenAfter: this.timeoutMs, breaker: counter, ...(initialState ? { initialState } : {}) },
    );
    const entry: Entry = { service, operation, policy, counter };
    let current = toCircuitState(policy.state);
    let reason: string | undefined;
    policy.onBreak((why) => {
      reason = 'error' in why ? readErrorFacts(why.error).name : 'isolated' in why ? 'isolated' : 'result';
    });
    policy.onStateChange((next) => {
      const to = toCircuitState(next);
      const change: CircuitStateChange = {
        key,
        service,
        operation,
        from: current,
        to,
        timestamp: new Date().toISOString(),
      };
      if (to === CircuitState.OPEN && reason !== undefined) change.reason = reason;
      current = to;
      reason = undefined;
      this.onStateChange?.(change);
    });
    this.entries.set(key, entry);
    return entry;
  }
}
