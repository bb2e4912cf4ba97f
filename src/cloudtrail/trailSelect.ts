/**
 * Which records of a trail file become event objects. Building the model of an
 * event costs more than parsing it; a scan for one principal needs the model
 * only of that principal's events (and of writes). The others are counted,
 * with the places where CloudTrail's flag and IAM disagree, which is all the
 * analysis needs of them. Runs the same in the reader's thread and in its
 * worker threads.
 */
import type { CloudTrailEvent, EventVerdict, EventVerdictSource } from './CloudTrailEvent.js';
import { identityOf, recordHead } from './CloudTrailEvent.js';
import { OperationType } from '../constants.js';
import type { FlagDisagreement } from './PrincipalAnalyzer.js';
import type { PrincipalMatcher } from './principal.js';

/** Which events a scan hands over as objects. */
export interface EventSelection {
  /** The principal's events (any form `principalMatcher` takes). */
  readonly principal?: string | undefined;
  /** Every write, whoever made it. */
  readonly writes?: boolean | undefined;
  /**
   * Of the principal's events, hand over only those that change something or cannot be classified; its other
   * events are only counted (`SkippedEvents.principalEvents`). What a PrincipalAnalyzer that keeps no events
   * for correlation needs (`PrincipalAnalyzer.selection()`). @default false
   */
  readonly principalReadsCounted?: boolean | undefined;
}

/**
 * An event of the principal that neither CloudTrail's flag nor the catalog calls a read or a write: reported,
 * so never only counted.
 */
export const isUnclassified = (v: EventVerdict, readOnly: boolean | undefined): boolean =>
  !v.isWrite && readOnly === undefined && v.operationType === OperationType.UNKNOWN;

/** What a scan tells about the events in the window it did not hand over. */
export interface SkippedEvents {
  readonly events: number;
  /** How many of them are the principal's (its reads, with `principalReadsCounted`). */
  readonly principalEvents: number;
  /** Earliest and latest event time, ms since the epoch (undefined when `events` is 0). */
  readonly first: number | undefined;
  readonly last: number | undefined;
  /** Where CloudTrail's readOnly flag and the IAM access level disagree, per (source, name). */
  readonly disagreements: FlagDisagreement[];
}

export interface SelectedRecords {
  /** Raw records in the window that are selected. */
  readonly selected: Record<string, unknown>[];
  readonly skipped: SkippedEvents;
  /** Records with the fields every event has. */
  readonly good: number;
  readonly bad: number;
  readonly firstBad: string | undefined;
}

export interface SelectOptions {
  readonly start: number;
  readonly end: number;
  readonly classifier: EventVerdictSource;
  /** Undefined: every record in the window is selected. */
  readonly matcher: PrincipalMatcher | undefined;
  readonly writes: boolean;
  /** The principal's reads are counted, not selected. */
  readonly principalReadsCounted: boolean;
  readonly all: boolean;
}

/** Two ASCII digits at `i` as a number, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `Date.parse(time)`, read directly when it has CloudTrail's own form `YYYY-MM-DDTHH:MM:SSZ` with every field in
 * range (a third of the cost); any other string goes to Date.parse, so the result is always Date.parse's.
 */
export function eventTimeMs(time: string): number {
  if (
    time.length !== 20 ||
    time.charCodeAt(4) !== 45 ||
    time.charCodeAt(7) !== 45 ||
    time.charCodeAt(10) !== 84 ||
    time.charCodeAt(13) !== 58 ||
    time.charCodeAt(16) !== 58 ||
    time.charCodeAt(19) !== 90
  )
    return Date.parse(time);
  const century = digits2(time, 0);
  const year = digits2(time, 2);
  const month = digits2(time, 5);
  const day = digits2(time, 8);
  const hour = digits2(time, 11);
  const minute = digits2(time, 14);
  const second = digits2(time, 17);
  if (
    century < 10 ||
    year < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return Date.parse(time);
  return Date.UTC(century * 100 + year, month - 1, day, hour, minute, second);
}

/** CloudTrail's `readOnly` as toCloudTrailEvent reads it (LookupEvents spells it "true" / "false"). */
const flag = (v: unknown): boolean | undefined =>
  v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined;

export function selectRecords(records: readonly unknown[], o: SelectOptions): SelectedRecords {
  const selected: Record<string, unknown>[] = [];
  const disagreements = new Map<string, FlagDisagreement>();
  let good = 0;
  let bad = 0;
  let firstBad: string | undefined;
  let skipped = 0;
  let principalEvents = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < records.length; i++) {
    // The checks of recordHead, without building a head (or a Date) per record: this loop sees every event.
    const r = records[i] as Record<string, unknown> | null;
    const eventName = typeof r === 'object' && r !== null && !Array.isArray(r) ? r.eventName : undefined;
    const eventSource = eventName === undefined ? undefined : r!.eventSource;
    const time = eventSource === undefined ? undefined : r!.eventTime;
    const t = typeof time === 'string' ? eventTimeMs(time) : NaN;
    if (
      typeof eventName !== 'string' ||
      eventName === '' ||
      typeof eventSource !== 'string' ||
      eventSource === '' ||
      Number.isNaN(t)
    ) {
      const head = recordHead(r);
      if (typeof head === 'string') {
        bad++;
        firstBad ??= `Records[${i}]: ${head}`;
        continue;
      }
      throw new Error(`the checks of trail record ${i} disagree with recordHead`);
    }
    const record = r!;
    good++;
    if (t < o.start || t > o.end) continue;
    if (o.all) {
      selected.push(record);
      continue;
    }
    const readOnly = flag(record.readOnly);
    const v = o.classifier.classify(eventSource, eventName, readOnly);
    const mine = o.matcher?.matches(identityOf(record) as CloudTrailEvent) === true;
    if ((o.writes && v.isWrite) || (mine && (!o.principalReadsCounted || v.isWrite || isUnclassified(v, readOnly)))) {
      selected.push(record);
      continue;
    }
    skipped++;
    if (mine) principalEvents++;
    if (t < first) first = t;
    if (t > last) last = t;
    if (v.agreement === 'disagree') {
      const key = `${eventSource} ${eventName}`;
      const d = disagreements.get(key);
      if (d) d.count++;
      else
        disagreements.set(key, {
          eventSource,
          eventName,
          iamAction: v.iamAction,
          cloudTrailReadOnly: readOnly,
          operationType: v.operationType,
          count: 1,
        });
    }
  }
  return {
    selected,
    skipped: {
      events: skipped,
      principalEvents,
      first: skipped ? first : undefined,
      last: skipped ? last : undefined,
      disagreements: [...disagreements.values()],
    },
    good,
    bad,
    firstBad,
  };
}
