/**
 * Attempt summaries as a few flat arrays, to hand them from a worker thread to
 * another thread cheaply: every text once in a table and each attempt's texts
 * as numbers into it, so the arrays move without a copy and the receiver
 * shares one string per distinct value instead of cloning each. Decoding gives
 * back objects equal to the encoded ones, keys in the same order.
 */
import { ATTEMPT_TEXTS } from './rowFields.js';
import type { AuditAttemptSummary } from './types.js';

/** What crosses the thread: typed arrays (moved) and two string arrays (copied). */
export interface AttemptColumns {
  count: number;
  /** Distinct texts; an id is an index here, -1 for a field the attempt does not have. */
  texts: string[];
  /** Each attempt's timestamp (rarely repeated, so not in the table). */
  timestamps: string[];
  /** The ids of each attempt's {@link TextField}s, one after the other. */
  ids: Int32Array;
  /** sequence, outcome (-1 none, 0 failed, 1 succeeded), outcome duration (ms), HTTP status (NaN: none). */
  numbers: Float64Array;
}

type TextKey = (typeof ATTEMPT_TEXTS)[number]['key'];

/** The text fields of an attempt, by their place in {@link AttemptColumns.ids}: their index in `ATTEMPT_TEXTS`. */
export const TextField = Object.fromEntries(ATTEMPT_TEXTS.map((t, i) => [t.key, i])) as Readonly<
  Record<TextKey, number>
>;
const TEXT_FIELDS = ATTEMPT_TEXTS.length;
const NUMBERS = 4;

/** Writes the numbers of attempt `i`'s outcome. */
function outcomeNumbers(
  numbers: Float64Array,
  i: number,
  success: boolean,
  durationMs: number,
  httpStatus: number | undefined,
): void {
  const u = i * NUMBERS;
  numbers[u + 1] = success ? 1 : 0;
  numbers[u + 2] = durationMs;
  numbers[u + 3] = httpStatus ?? NaN;
}

/** Builds {@link AttemptColumns} one attempt at a time. */
export class AttemptColumnsBuilder {
  #count = 0;
  readonly #texts: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #timestamps: string[] = [];
  #ids = new Int32Array(1024 * TEXT_FIELDS);
  #numbers = new Float64Array(1024 * NUMBERS);

  /** Adds an attempt with no text field and no outcome yet; returns its index. */
  add(sequence: number, timestamp: string): number {
    const i = this.#count++;
    if (i * TEXT_FIELDS >= this.#ids.length) {
      const ids = new Int32Array(this.#ids.length * 2);
      ids.set(this.#ids);
      this.#ids = ids;
      const numbers = new Float64Array(this.#numbers.length * 2);
      numbers.set(this.#numbers);
      this.#numbers = numbers;
    }
    this.#ids.fill(-1, i * TEXT_FIELDS, (i + 1) * TEXT_FIELDS);
    const u = i * NUMBERS;
    this.#numbers[u] = sequence;
    this.#numbers[u + 1] = -1;
    this.#timestamps.push(timestamp);
    return i;
  }

  /** Sets a text field of attempt `i`. */
  text(i: number, field: number, value: string): void {
    let id = this.#index.get(value);
    if (id === undefined) {
      id = this.#texts.length;
      this.#texts.push(value);
      this.#index.set(value, id);
    }
    this.#ids[i * TEXT_FIELDS + field] = id;
  }

  /** Sets the outcome of attempt `i`. */
  outcome(i: number, success: boolean, errorCode: string | undefined, durationMs: number, httpStatus?: number): void {
    outcomeNumbers(this.#numbers, i, success, durationMs, httpStatus);
    if (errorCode !== undefined) this.text(i, TextField.errorCode, errorCode);
  }

  /** Adds a summary as `toAttempt` makes it; returns its index. */
  push(a: AuditAttemptSummary): number {
    const i = this.add(a.sequence, a.timestamp);
    for (let field = 0; field < TEXT_FIELDS; field++) {
      const t = ATTEMPT_TEXTS[field]!;
      // The error code is the outcome's, set with it.
      if (t.in === 'outcome') continue;
      const from = (t.in === 'identity' ? a.identity : a) as Readonly<Record<string, unknown>> | undefined;
      const value = from?.[t.key];
      if (typeof value === 'string') this.text(i, field, value);
    }
    const o = a.outcome;
    if (o !== undefined) this.outcome(i, o.success, o.errorCode, o.durationMs, o.httpStatus);
    return i;
  }

  build(): AttemptColumns {
    const n = this.#count;
    return {
      count: n,
      texts: this.#texts,
      timestamps: this.#timestamps,
      ids: this.#ids.slice(0, n * TEXT_FIELDS),
      numbers: this.#numbers.slice(0, n * NUMBERS),
    };
  }
}

/** Sets the outcome of attempt `i` of built columns (as {@link AttemptColumnsBuilder.outcome} does). */
export function setOutcome(
  columns: AttemptColumns,
  i: number,
  success: boolean,
  errorCode: string | undefined,
  durationMs: number,
  httpStatus?: number,
): void {
  outcomeNumbers(columns.numbers, i, success, durationMs, httpStatus);
  if (errorCode !== undefined) {
    columns.ids[i * TEXT_FIELDS + TextField.errorCode] = columns.texts.length;
    columns.texts.push(errorCode);
  }
}

/** Whether attempt `i` of the columns has an outcome. */
export function hasOutcome(columns: AttemptColumns, i: number): boolean {
  return columns.numbers[i * NUMBERS + 1]! >= 0;
}

/** The index of the attempt with sequence number `sequence` (the columns are in chain order), or -1. */
export function indexOfSequence(columns: AttemptColumns, sequence: number): number {
  let lo = 0;
  let hi = columns.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = columns.numbers[mid * NUMBERS]!;
    if (at === sequence) return mid;
    if (at < sequence) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The attempts of `first` then those of `second`, as one set of columns. */
export function joinColumns(first: AttemptColumns, second: AttemptColumns): AttemptColumns {
  const offset = first.texts.length;
  const ids = new Int32Array(first.ids.length + second.ids.length);
  ids.set(first.ids);
  for (let k = 0; k < second.ids.length; k++) {
    const id = second.ids[k]!;
    ids[first.ids.length + k] = id < 0 ? id : id + offset;
  }
  const numbers = new Float64Array(first.numbers.length + second.numbers.length);
  numbers.set(first.numbers);
  numbers.set(second.numbers, first.numbers.length);
  return {
    count: first.count + second.count,
    texts: first.texts.concat(second.texts),
    timestamps: first.timestamps.concat(second.timestamps),
    ids,
    numbers,
  };
}

/** The columns of `attempts`. */
export function encodeAttempts(attempts: readonly AuditAttemptSummary[]): AttemptColumns {
  const builder = new AttemptColumnsBuilder();
  for (const a of attempts) builder.push(a);
  return builder.build();
}

/** The summaries the columns hold, equal to those given and with their keys in the same order. */
export function decodeAttempts(columns: AttemptColumns): AuditAttemptSummary[] {
  const out = new Array<AuditAttemptSummary>(columns.count);
  for (let i = 0; i < columns.count; i++) out[i] = attemptAt(columns, i);
  return out;
}

/**
 * The summaries the columns hold, each built only when an iteration reaches it (so a reader that goes through
 * them once or twice keeps none of them alive): iterable any number of times.
 */
export function eachAttempt(columns: AttemptColumns): Iterable<AuditAttemptSummary> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < columns.count; i++) yield attemptAt(columns, i);
    },
  };
}

/** Attempt `i` of the columns. */
function attemptAt(columns: AttemptColumns, i: number): AuditAttemptSummary {
  const { texts, timestamps, ids, numbers } = columns;
  const t = i * TEXT_FIELDS;
  const u = i * NUMBERS;
  const a: { -readonly [K in keyof AuditAttemptSummary]: AuditAttemptSummary[K] } = {
    sequence: numbers[u]!,
    kind: 'attempt',
    sessionId: texts[ids[t + TextField.sessionId]!]!,
    timestamp: timestamps[i]!,
  };
  let k: number;
  if ((k = ids[t + TextField.service]!) >= 0) a.service = texts[k]!;
  if ((k = ids[t + TextField.operation]!) >= 0) a.operation = texts[k]!;
  if ((k = ids[t + TextField.iamAction]!) >= 0) a.iamAction = texts[k]!;
  if ((k = ids[t + TextField.decision]!) >= 0) a.decision = texts[k] as 'allowed' | 'blocked';
  if ((k = ids[t + TextField.resourceArn]!) >= 0) a.resourceArn = texts[k]!;
  const account = ids[t + TextField.account]!;
  const arn = ids[t + TextField.arn]!;
  const type = ids[t + TextField.type]!;
  if (account >= 0 || arn >= 0 || type >= 0) {
    const who: { account?: string; arn?: string; type?: string } = {};
    if (account >= 0) who.account = texts[account]!;
    if (arn >= 0) who.arn = texts[arn]!;
    if (type >= 0) who.type = texts[type]!;
    a.identity = who;
  }
  if ((k = ids[t + TextField.validationMessage]!) >= 0) a.validationMessage = texts[k]!;
  const success = numbers[u + 1]!;
  if (success >= 0) {
    const errorCode = ids[t + TextField.errorCode]!;
    const httpStatus = numbers[u + 3]!;
    // Keys in the order the store gives them: success, errorCode, durationMs, httpStatus.
    const outcome: { success: boolean; errorCode?: string; durationMs: number; httpStatus?: number } =
      errorCode >= 0
        ? { success: success === 1, errorCode: texts[errorCode]!, durationMs: numbers[u + 2]! }
        : { success: success === 1, durationMs: numbers[u + 2]! };
    if (!Number.isNaN(httpStatus)) outcome.httpStatus = httpStatus;
    a.outcome = outcome;
  }
  return a;
}
