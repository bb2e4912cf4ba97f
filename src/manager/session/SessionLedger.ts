import type { Verdict } from '../../contracts.js';
import type { OperationCount, OperationDurations, TimelineBucket } from '../../metrics/snapshot.js';

/** One recent blocked attempt, newest first in {@link SessionLedger.recentBlocked}. */
export interface BlockedAttempt {
  readonly time: string;
  readonly verdict: Verdict;
}

interface OutcomeSlot {
  service: string;
  operation: string;
  iamAction: string | undefined;
  success: number;
  failure: number;
  durations: number[];
}

interface Bucket {
  allowed: number;
  blocked: number;
  failed: number;
}

/** How many one-minute buckets the timeline keeps: a day. */
const MAX_BUCKETS = 24 * 60;
/** Durations kept per action: enough for percentiles, bounded for a long-running process. */
const MAX_DURATIONS = 1000;
/** Blocked attempts kept for the dashboard. */
const MAX_RECENT_BLOCKED = 50;

/** Where a call is counted: the IAM action's service and name (the SDK's when the verdict named no action). */
interface Filing {
  readonly service: string;
  readonly operation: string;
  readonly key: string;
}

interface CallSlot {
  service: string;
  operation: string;
  iamAction: string | undefined;
  n: number;
}

/** The inner map `map` holds for `a`, created when missing. */
function inner<V>(map: Map<string, Map<string, V>>, a: string): Map<string, V> {
  let m = map.get(a);
  if (m === undefined) map.set(a, (m = new Map<string, V>()));
  return m;
}

/**
 * The one place a verdict or an outcome is counted. The guard's verdict is fed in once
 * ({@link noteVerdict}); an outcome is filed under the IAM action of the verdict that admitted it, so nothing
 * decides a second time. Read back by the snapshot (operations, durations, timeline, recent blocks).
 *
 * Names are looked up by service, then operation (two maps of strings whose hashes V8 keeps), and each
 * filing is made once: a key joined from both on every call cost more than the counting (an audit trail of
 * 50,000 calls is counted in one go by `check --evidence`).
 */
export class SessionLedger {
  readonly #outcomes = new Map<string, OutcomeSlot>();
  readonly #timeline = new Map<number, Bucket>();
  readonly #recentBlocked: BlockedAttempt[] = [];
  /** service, then operation, as the SDK names them -> the IAM action its verdict named. */
  readonly #actionOf = new Map<string, Map<string, string>>();
  /** Filings by IAM action (one with a service prefix), and by the SDK's service and operation otherwise. */
  readonly #byAction = new Map<string, Filing>();
  readonly #byName = new Map<string, Map<string, Filing>>();
  readonly #allowed = new Map<string, CallSlot>();
  readonly #blocked = new Map<string, CallSlot>();

  /** Counts one verdict, live from a guard or read back from an audit trail. */
  noteVerdict(verdict: Verdict, at = Date.now()): void {
    const { service, operation, iamAction } = verdict;
    if (iamAction) {
      const actions = inner(this.#actionOf, service);
      if (actions.get(operation) !== iamAction) actions.set(operation, iamAction);
    }
    const filing = this.#filing(iamAction, service, operation);
    const table = verdict.isValid ? this.#allowed : this.#blocked;
    let slot = table.get(filing.key);
    if (slot === undefined) {
      slot = { service: filing.service, operation: filing.operation, iamAction, n: 0 };
      table.set(filing.key, slot);
    }
    slot.n++;
    const bucket = this.#bucketAt(at);
    if (verdict.isValid) bucket.allowed++;
    else {
      bucket.blocked++;
      this.#recentBlocked.unshift({ time: new Date(at).toISOString(), verdict });
      if (this.#recentBlocked.length > MAX_RECENT_BLOCKED) this.#recentBlocked.pop();
    }
  }

  /** Counts the outcome of an admitted call, filed under the IAM action its verdict named. */
  noteOutcome(service: string, operation: string, durationSeconds: number, success: boolean, at = Date.now()): void {
    const iamAction = this.#actionOf.get(service)?.get(operation);
    const filing = this.#filing(iamAction, service, operation);
    let slot = this.#outcomes.get(filing.key);
    if (slot === undefined) {
      slot = { service: filing.service, operation: filing.operation, iamAction, success: 0, failure: 0, durations: [] };
      this.#outcomes.set(filing.key, slot);
    }
    if (success) slot.success++;
    else {
      slot.failure++;
      this.#bucketAt(at).failed++;
    }
    slot.durations.push(durationSeconds);
    if (slot.durations.length > MAX_DURATIONS) slot.durations.shift();
  }

  /** Where a call of `service:operation` whose verdict named `iamAction` is counted, made once per name. */
  #filing(iamAction: string | undefined, service: string, operation: string): Filing {
    if (iamAction) {
      let f = this.#byAction.get(iamAction);
      if (f !== undefined) return f;
      const i = iamAction.indexOf(':');
      if (i >= 0) {
        // The key is the action itself: its service and name joined again at the colon.
        this.#byAction.set(
          iamAction,
          (f = { service: iamAction.slice(0, i), operation: iamAction.slice(i + 1), key: iamAction }),
        );
        return f;
      }
    }
    const names = inner(this.#byName, service);
    let f = names.get(operation);
    if (f === undefined) names.set(operation, (f = { service, operation, key: `${service}:${operation}` }));
    return f;
  }

  /** Allowed and blocked counts from the verdicts; success and failure from the outcomes the guard reported. */
  operations(): OperationCount[] {
    const out: OperationCount[] = [];
    const push = (
      a: { service: string; operation: string; iamAction: string | undefined },
      decision: OperationCount['decision'],
      outcome: OperationCount['outcome'],
      count: number,
    ): void => {
      if (count <= 0) return;
      out.push({
        service: a.service,
        operation: a.operation,
        ...(a.iamAction ? { iamAction: a.iamAction } : {}),
        decision,
        outcome,
        count,
      });
    };
    for (const b of this.#blocked.values()) push(b, 'blocked', 'not_run', b.n);
    for (const [key, a] of this.#allowed) {
      const o = this.#outcomes.get(key);
      const success = o?.success ?? 0;
      const failure = o?.failure ?? 0;
      push(a, 'allowed', 'success', success);
      push(a, 'allowed', 'failure', failure);
      push(a, 'allowed', 'not_run', a.n - success - failure);
    }
    return out;
  }

  durations(): OperationDurations[] {
    return [...this.#outcomes.values()].map((o) => ({
      service: o.service,
      operation: o.operation,
      ...(o.iamAction ? { iamAction: o.iamAction } : {}),
      seconds: o.durations.slice(),
    }));
  }

  /** The newest `limit` one-minute buckets, oldest first. */
  timeline(limit = 120): TimelineBucket[] {
    return [...this.#timeline.entries()]
      .sort((a, b) => a[0] - b[0])
      .slice(-limit)
      .map(([start, b]) => ({ start: new Date(start).toISOString(), ...b }));
  }

  recentBlocked(limit = 20): BlockedAttempt[] {
    return this.#recentBlocked.slice(0, limit);
  }

  #bucketAt(at: number): Bucket {
    const minute = Math.floor(at / 60_000) * 60_000;
    let bucket = this.#timeline.get(minute);
    if (!bucket) {
      bucket = { allowed: 0, blocked: 0, failed: 0 };
      this.#timeline.set(minute, bucket);
      if (this.#timeline.size > MAX_BUCKETS) this.#timeline.delete(Math.min(...this.#timeline.keys()));
    }
    return bucket;
  }
}
