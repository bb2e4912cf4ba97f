import type { VerdictSource } from '../contracts.js';
import { VerdictEngine } from '../policy/VerdictEngine.js';
import type { EventVerdict, EventVerdictSource } from './CloudTrailEvent.js';
import { OperationType } from '../constants.js';
import { actionNameForEvent, iamPrefixForEventSource } from './eventSources.js';

export interface EventClassifierOptions {
  /**
   * Decides read or write for an IAM prefix and action name.
   * @default a VerdictEngine with the GENERAL standard (IAM access levels, then name patterns)
   */
  verdicts?: VerdictSource;
}

/**
 * Gives every CloudTrail event our own verdict next to CloudTrail's
 * `readOnly` flag. A trail holds few distinct (source, name) pairs and very
 * many events, so verdicts are cached per pair.
 */
export class EventClassifier implements EventVerdictSource {
  readonly #verdicts: VerdictSource;
  // By source, then name, then flag (true, false, absent): one shared, frozen verdict per combination, found
  // without building a key string per event.
  readonly #cache = new Map<string, Map<string, (EventVerdict | undefined)[]>>();

  constructor(options: EventClassifierOptions = {}) {
    this.#verdicts = options.verdicts ?? new VerdictEngine();
  }

  classify(eventSource: string, eventName: string, readOnly: boolean | undefined): EventVerdict {
    let byName = this.#cache.get(eventSource);
    if (!byName) this.#cache.set(eventSource, (byName = new Map<string, (EventVerdict | undefined)[]>()));
    let byFlag = byName.get(eventName);
    if (!byFlag) byName.set(eventName, (byFlag = [undefined, undefined, undefined]));
    const slot = readOnly === true ? 0 : readOnly === false ? 1 : 2;
    const hit = byFlag[slot];
    if (hit) return hit;
    const prefix = iamPrefixForEventSource(eventSource);
    const v = this.#verdicts.decide(prefix, actionNameForEvent(prefix, eventName));
    const ours = v.operationType;
    let agreement: EventVerdict['agreement'] = 'unknown';
    if (readOnly !== undefined && ours !== OperationType.UNKNOWN) {
      agreement = readOnly === (ours === OperationType.READ_ONLY) ? 'agree' : 'disagree';
    }
    const verdict: EventVerdict = Object.freeze({
      iamAction: v.iamAction,
      accessLevel: v.accessLevel,
      operationType: ours,
      agreement,
      isWrite: readOnly === false || ours === OperationType.MUTATING,
    });
    byFlag[slot] = verdict;
    return verdict;
  }
}
