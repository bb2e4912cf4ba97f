/**
 * Attempts as `AuditStore.attempts()` gives them: a stored attempt row, its
 * outcome record merged, as an {@link AuditAttemptSummary}; and the same read
 * from rows met one by one in chain order ({@link AttemptCollector}), so one
 * read of the chain can verify it and give its attempts.
 */
import type { AuditRow } from './chain.js';
import { type StoredRow2, parseBody } from './format2.js';
import { type AttemptColumns, AttemptColumnsBuilder, TextField } from './attemptColumns.js';
import type { AuditAttemptSummary, AuditEntry } from './types.js';

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
  const outcome = body === null || body === undefined ? undefined : parseBody(body);
  return {
    m_success: typeof outcome?.outcome_success === 'number' ? outcome.outcome_success : null,
    m_error_code: typeof outcome?.outcome_error_code === 'string' ? outcome.outcome_error_code : null,
    m_duration_us: typeof outcome?.outcome_duration_us === 'number' ? outcome.outcome_duration_us : null,
    m_http_status: typeof outcome?.outcome_http_status === 'number' ? outcome.outcome_http_status : null,
  };
}

/** A format-2 attempt row (with its outcome record's body) as the columns `attempts()` reads. */
export function attemptRow2(
  row: Pick<StoredRow2, 'seq' | 'kind' | 'timestamp' | 'body'> & { m_body: string | null },
): AttemptRow {
  const body = parseBody(row.body);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    seq: row.seq,
    kind: row.kind,
    session_id: str(body.session_id) ?? '',
    timestamp: row.timestamp,
    service: str(body.service),
    operation: str(body.operation),
    iam_action: str(body.iam_action),
    decision: str(body.decision),
    resource_arn: str(body.resource_arn),
    identity_account: str(body.identity_account),
    identity_arn: str(body.identity_arn),
    identity_type: str(body.identity_type),
    validation_message: str(body.validation_message),
    outcome_success: num(body.outcome_success),
    outcome_error_code: str(body.outcome_error_code),
    outcome_duration_us: num(body.outcome_duration_us),
    outcome_http_status: num(body.outcome_http_status),
    ...mergedOutcome2(row.m_body),
  };
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

/**
 * Adds a format-2 attempt row to `columns` (with its outcome record's body, if one was met) exactly as
 * `toAttempt(attemptRow2(row))` makes it, without building the row or the summary; returns whether the attempt
 * holds its own outcome (which then wins over its record's).
 */
function addAttempt(
  columns: AttemptColumnsBuilder,
  seq: number,
  timestamp: string,
  bodyText: unknown,
  outcomeText: string | undefined,
): { index: number; own: boolean } {
  const body = parseBody(bodyText as string);
  const i = columns.add(seq, timestamp);
  const text = (field: (typeof TextField)[keyof typeof TextField], v: unknown): void => {
    if (typeof v === 'string') columns.text(i, field, v);
  };
  const session = body.session_id;
  columns.text(i, TextField.sessionId, typeof session === 'string' ? session : '');
  text(TextField.service, body.service);
  text(TextField.operation, body.operation);
  text(TextField.iamAction, body.iam_action);
  text(TextField.decision, body.decision);
  text(TextField.resourceArn, body.resource_arn);
  text(TextField.account, body.identity_account);
  text(TextField.arn, body.identity_arn);
  text(TextField.type, body.identity_type);
  text(TextField.validationMessage, body.validation_message);
  const own = typeof body.outcome_success === 'number';
  if (own) addOutcome(columns, i, body);
  else if (outcomeText !== undefined) addOutcome(columns, i, parseBody(outcomeText));
  return { index: i, own };
}

/** The outcome fields of a parsed body (an attempt's own, or its outcome record's), as outcomeOf reads them. */
function addOutcome(columns: AttemptColumnsBuilder, i: number, o: Record<string, unknown>): void {
  const success = o.outcome_success;
  if (typeof success !== 'number') return;
  const errorCode = o.outcome_error_code;
  const durationUs = o.outcome_duration_us;
  const httpStatus = o.outcome_http_status;
  columns.outcome(
    i,
    success === 1,
    typeof errorCode === 'string' ? errorCode : undefined,
    (typeof durationUs === 'number' ? durationUs : 0) / 1000,
    typeof httpStatus === 'number' ? httpStatus : undefined,
  );
}

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
  #ambiguous = false;

  /** True when the rows met could pair otherwise than the join of `attempts()` does. */
  get ambiguous(): boolean {
    return this.#ambiguous;
  }

  /** One row, raw: `[seq, audit_id, kind, timestamp, ref_audit_id, body, ...]`. */
  row(r: readonly unknown[]): void {
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
      const { index, own } = addAttempt(this.#columns, r[0] as number, r[3] as string, r[5], early);
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
      if (!(flags & 1)) addOutcome(this.#columns, at, parseBody(r[5] as string));
    }
  }

  /** The attempts met, in chain order, as `attempts()` gives them. */
  columns(): AttemptColumns {
    return this.#columns.build();
  }
}
