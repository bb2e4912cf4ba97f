/**
 * Which records of a trail file become event objects. Building the model of an
 * event costs more than parsing it; a scan for one principal needs the model
 * only of that principal's events (and of writes). The others are counted,
 * with the places where CloudTrail's flag and IAM disagree, which is all the
 * analysis needs of them. Runs the same in the reader's thread and in its
 * worker threads.
 */
import type { CloudTrailEvent, EventVerdictSource } from './CloudTrailEvent.js';
import { identityOf, recordHead } from './CloudTrailEvent.js';
import type { FlagDisagreement } from './PrincipalAnalyzer.js';
import type { PrincipalMatcher } from './principal.js';

/** Which events a scan hands over as objects. */
export interface EventSelection {
  /** The principal's events (any form `principalMatcher` takes). */
  readonly principal?: string | undefined;
  /** Every write, whoever made it. */
  readonly writes?: boolean | undefined;
}

/** What a scan tells about the events in the window it did not hand over. */
export interface SkippedEvents {
  readonly events: number;
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
  readonly all: boolean;
}

export function selectRecords(records: readonly unknown[], o: SelectOptions): SelectedRecords {
  const selected: Record<string, unknown>[] = [];
  const disagreements = new Map<string, FlagDisagreement>();
  let good = 0;
  let bad = 0;
  let firstBad: string | undefined;
  let skipped = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < records.length; i++) {
    const head = recordHead(records[i]);
    if (typeof head === 'string') {
      bad++;
      firstBad ??= `Records[${i}]: ${head}`;
      continue;
    }
    good++;
    const t = head.eventTime.getTime();
    if (t < o.start || t > o.end) continue;
    if (o.all) {
      selected.push(head.record);
      continue;
    }
    const v = o.classifier.classify(head.eventSource, head.eventName, head.readOnly);
    if ((o.writes && v.isWrite) || o.matcher?.matches(identityOf(head.record) as CloudTrailEvent)) {
      selected.push(head.record);
      continue;
    }
    skipped++;
    if (t < first) first = t;
    if (t > last) last = t;
    if (v.agreement === 'disagree') {
      const key = `${head.eventSource} ${head.eventName}`;
      const d = disagreements.get(key);
      if (d) d.count++;
      else
        disagreements.set(key, {
          eventSource: head.eventSource,
          eventName: head.eventName,
          iamAction: v.iamAction,
          cloudTrailReadOnly: head.readOnly,
          operationType: v.operationType,
          count: 1,
        });
    }
  }
  return {
    selected,
    skipped: {
      events: skipped,
      first: skipped ? first : undefined,
      last: skipped ? last : undefined,
      disagreements: [...disagreements.values()],
    },
    good,
    bad,
    firstBad,
  };
}
