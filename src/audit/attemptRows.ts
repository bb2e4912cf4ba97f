/**
 * Attempts as `AuditStore.attempts()` gives them: a stored attempt row, its
 * outcome record merged, as an {@link AuditAttemptSummary}; and the same read
 * from rows met one by one in chain order ({@link AttemptCollector}), so one
 * read of the chain can verify it and give its attempts.
 */
import type { AuditRow } from './chain.js';
import type { StoredRow2 } from './format2.js';
import { type AttemptColumns, AttemptColumnsBuilder, setOutcome } from './attemptColumns.js';
import { ATTEMPT_FIELDS, ATTEMPT_TEXTS, type Body, parseBody, readField, readNumber, readText } from './rowFields.js';
import type { AuditAttemptSummary, AuditEntry } from './types.js';
import { memo } from '../util/memo.js';

/** The columns of an attempt that `attempts()` reads, with its outcome record's (`m_`). */
export type AttemptRow = Pick<
  AuditRow,
  | 'seq'
  | 'kind'
  | 'session_id'
  | 'timestamp'
  | 'service'
  | 'operation'
  | 'iam_action'
  | 'decision'
  | 'resource_arn'
  | 'identity_account'
  | 'identity_arn'
  | 'identity_type'
  | 'validation_message'
  | 'outcome_success'
  | 'outcome_error_code'
  | 'outcome_duration_us'
  | 'outcome_http_status'
> & {
  m_success: number | null;
  m_error_code: string | null;
  m_duration_us: number | null;
  m_http_status?: number | null;
};

/** The `m_` fields of a format-2 outcome record's body, as the merged view of format 1 has them. */
export function mergedOutcome2(
  body: string | null | undefined,
): Pick<AttemptRow, 'm_success' | 'm_error_code' | 'm_duration_us' | 'm_http_status'> {
  const outcome = parseBody(body);
  return {
    m_success: readField(outcome, 'outcome_success'),
    m_error_code: readField(outcome, 'outcome_error_code'),
    m_duration_us: readField(outcome, 'outcome_duration_us'),
    m_http_status: readField(outcome, 'outcome_http_status'),
  };
}

/** A format-2 attempt row (with its outcome record's body) as the columns `attempts()` reads. */
export function attemptRow2(
  row: Pick<StoredRow2, 'seq' | 'kind' | 'timestamp' | 'body'> & { m_body: string | null },
): AttemptRow {
  const body = parseBody(row.body);
  const out: Record<string, unknown> = { seq: row.seq, kind: row.kind, timestamp: row.timestamp };
  for (const field of ATTEMPT_FIELDS) out[field] = readField(body, field);
  return Object.assign(out as unknown as AttemptRow, mergedOutcome2(row.m_body));
}

/** The outcome of an attempt from its fields (its own, or its outcome record's), as entries give it. */
export function outcomeOf(
  success: number | null,
  errorCode: string | null,
  durationUs: number | null,
  httpStatus: number | null,
): AuditEntry['outcome'] {
  return success === null
    ? undefined
    : {
        success: success === 1,
        ...(errorCode === null ? {} : { errorCode }),
        durationMs: (durationUs ?? 0) / 1000,
        ...(httpStatus === null ? {} : { httpStatus }),
      };
}

/** The identity and the outcome (its own, or its outcome record's) of an attempt row, as entries give them. */
export function identityAndOutcome(row: AttemptRow): Pick<AuditEntry, 'identity' | 'outcome'> {
  const own = row.outcome_success !== null;
  const identity = row.identity_account ?? row.identity_arn ?? row.identity_type;
  return {
    identity:
      identity === null
        ? undefined
        : {
            ...(row.identity_account === null ? {} : { account: row.identity_account }),
            ...(row.identity_arn === null ? {} : { arn: row.identity_arn }),
            ...(row.identity_type === null ? {} : { type: row.identity_type }),
          },
    outcome: own
      ? outcomeOf(row.outcome_success, row.outcome_error_code, row.outcome_duration_us, row.outcome_http_status ?? null)
      : outcomeOf(row.m_success, row.m_error_code ?? null, row.m_duration_us ?? null, row.m_http_status ?? null),
  };
}

export function toAttempt(row: AttemptRow): AuditAttemptSummary {
  const { identity, outcome } = identityAndOutcome(row);
  const attempt: { -readonly [K in keyof AuditAttemptSummary]: AuditAttemptSummary[K] } = {
    sequence: row.seq,
    kind: 'attempt',
    sessionId: row.session_id,
    timestamp: row.timestamp,
  };
  if (row.service !== null) attempt.service = row.service;
  if (row.operation !== null) attempt.operation = row.operation;
  if (row.iam_action !== null) attempt.iamAction = row.iam_action;
  if (row.decision !== null) attempt.decision = row.decision as 'allowed' | 'blocked';
  if (row.resource_arn !== null) attempt.resourceArn = row.resource_arn;
  if (identity !== undefined) attempt.identity = identity;
  if (row.validation_message !== null) attempt.validationMessage = row.validation_message;
  if (outcome !== undefined) attempt.outcome = outcome;
  return attempt;
}

/** The body fields of the attempt's texts but its outcome's (the error code), by their index in `ATTEMPT_TEXTS`. */
const OWN_TEXTS = ATTEMPT_TEXTS.map((t) => (t.in === 'outcome' ? undefined : t.field));

/**
 * Adds a format-2 attempt row to `columns` (with its outcome record's parsed body, if one was met) exactly as
 * `toAttempt(attemptRow2(row))` makes it, without building the row or the summary; returns whether the attempt
 * holds its own outcome (which then wins over its record's).
 */
function addAttempt(
  columns: AttemptColumnsBuilder,
  seq: number,
  timestamp: string,
  bodyText: unknown,
  outcome: Body | undefined,
): { index: number; own: boolean } {
  const body = parseBody(bodyText);
  const i = columns.add(seq, timestamp);
  for (let id = 0; id < OWN_TEXTS.length; id++) {
    const field = OWN_TEXTS[id];
    if (field === undefined) continue;
    const value = readText(body, field);
    if (value !== null) columns.text(i, id, value);
  }
  const own = ownsOutcome(body);
  if (own) addOutcome(columns, i, body);
  else if (outcome !== undefined) addOutcome(columns, i, outcome);
  return { index: i, own };
}

/** Whether a parsed attempt body holds its own outcome (which wins over any outcome record's). */
const ownsOutcome = (body: Body): boolean => readNumber(body, 'outcome_success') !== null;

/** The outcome fields of a parsed body (an attempt's own, or its outcome record's), as outcomeOf reads them. */
function addOutcome(columns: Pick<AttemptColumnsBuilder, 'outcome'>, i: number, body: Body): void {
  const success = readNumber(body, 'outcome_success');
  if (success === null) return;
  columns.outcome(
    i,
    success === 1,
    readText(body, 'outcome_error_code') ?? undefined,
    (readNumber(body, 'outcome_duration_us') ?? 0) / 1000,
    readNumber(body, 'outcome_http_status') ?? undefined,
  );
}

/**
 * Whether a format-2 attempt body holds its own outcome (which wins over any outcome record's), as
 * {@link AttemptCollector} decides it.
 */
export function holdsOwnOutcome(bodyText: unknown): boolean {
  return ownsOutcome(parseBody(bodyText));
}

/** Attempt `i` of built columns given an outcome record's body, as {@link AttemptCollector} would have. */
export function withOutcomeRecord(columns: AttemptColumns, i: number, bodyText: unknown): void {
  addOutcome({ outcome: (...args) => setOutcome(columns, ...args) }, i, parseBody(bodyText));
}

/** How many distinct outcome bodies an {@link AttemptCollector} keeps parsed. */
const OUTCOME_BODIES = 4096;

/**
 * Gathers the attempts of format-2 rows read in chain order (`seq, audit_id,
 * kind, timestamp, ref_audit_id, body`, as the verify walk reads them) into
 * {@link AttemptColumns}, each merged with its outcome record wherever in the
 * chain that record sits: what `attempts()` reads with its join, without a
 * second read, and keeping no row. Rows the join could pair otherwise (an
 * audit id or an outcome's reference that is not text, or that two rows
 * share: possible only in an edited store) make the result
 * {@link ambiguous}; read `attempts()` instead then.
 */
export class AttemptCollector {
  readonly #columns = new AttemptColumnsBuilder();
  /** Attempt audit id -> its index. */
  readonly #attempt = new Map<string, number>();
  /** Per attempt index: 1 it holds its own outcome, 2 its outcome record was met. */
  #flags = new Uint8Array(1024);
  /** Outcome bodies met before their attempt, by the audit id they name. */
  readonly #early = new Map<string, string>();
  /**
   * An outcome body parsed once per distinct text: outcome records repeat a few bodies (the same call, status
   * and duration). Read only, never changed.
   */
  readonly #parsedOutcome = memo(parseBody, OUTCOME_BODIES);
  #ambiguous = false;
  #lastSequence: number | undefined;

  /** True when the rows met could pair otherwise than the join of `attempts()` does. */
  get ambiguous(): boolean {
    return this.#ambiguous;
  }

  /** The sequence number of the last row met. */
  get lastSequence(): number | undefined {
    return this.#lastSequence;
  }

  /** One row, raw: `[seq, audit_id, kind, timestamp, ref_audit_id, body, ...]`. */
  row(r: readonly unknown[]): void {
    this.#lastSequence = r[0] as number;
    const kind = r[2];
    if (kind === 'attempt') {
      const id = r[1];
      if (typeof id !== 'string' || this.#attempt.has(id)) {
        this.#ambiguous = true;
        return;
      }
      // attempts() lists sequences from 1 on; an outcome at any sequence still completes its attempt.
      if (!((r[0] as number) > 0)) return;
      const early = this.#early.get(id);
      if (early !== undefined) this.#early.delete(id);
      const { index, own } = addAttempt(
        this.#columns,
        r[0] as number,
        r[3] as string,
        r[5],
        early === undefined ? undefined : this.#outcome(early),
      );
      this.#attempt.set(id, index);
      if (index >= this.#flags.length) {
        const flags = new Uint8Array(this.#flags.length * 2);
        flags.set(this.#flags);
        this.#flags = flags;
      }
      this.#flags[index] = (own ? 1 : 0) | (early !== undefined ? 2 : 0);
    } else if (kind === 'outcome') {
      const ref = r[4];
      if (ref === null) return;
      if (typeof ref !== 'string') {
        this.#ambiguous = true;
        return;
      }
      const at = this.#attempt.get(ref);
      if (at === undefined) {
        if (this.#early.has(ref)) this.#ambiguous = true;
        else this.#early.set(ref, r[5] as string);
        return;
      }
      const flags = this.#flags[at]!;
      // A second record for one attempt: the join would list that attempt twice.
      if (flags & 2) this.#ambiguous = true;
      this.#flags[at] = flags | 2;
      // Its own outcome, if it has one, wins over the record's (as identityAndOutcome decides).
      if (!(flags & 1)) addOutcome(this.#columns, at, this.#outcome(r[5]));
    }
  }

  /** Whether an attempt with this audit id was met. */
  holds(id: string): boolean {
    return this.#attempt.has(id);
  }

  /** The outcome records met whose attempt was not (yet): the audit id each names, and its body. */
  unmatched(): ReadonlyMap<string, string> {
    return this.#early;
  }

  /** An outcome record's body, parsed (once, for a text met before). */
  #outcome(text: unknown): Body {
    return typeof text === 'string' ? this.#parsedOutcome(text) : parseBody(text);
  }

  /** The attempts met, in chain order, as `attempts()` gives them. */
  columns(): AttemptColumns {
    return this.#columns.build();
  }
}
