/**
 * Inserting format-2 rows several to a statement: the same rows as one
 * single-row insert per entry, with less work per entry (a call into SQLite
 * and its result object are shared by a whole group).
 */
import type Database from 'better-sqlite3';
import { COLUMNS_2 } from './format2.js';

/** Rows per multi-row INSERT: the per-statement cost (a call into SQLite, its result object) is shared by this many. */
export const ROWS_PER_INSERT = 16;

/** Values per row: the format-2 columns. */
const WIDTH = COLUMNS_2.length;

/**
 * Inserts format-2 rows: {@link ROWS_PER_INSERT} at a time with one
 * statement, the rest one by one. Must run inside the caller's transaction;
 * a failing row fails the statement and with it the transaction, as a
 * single-row insert would.
 */
export class Row2Inserter {
  readonly #one: Database.Statement<unknown[]>;
  readonly #many: Database.Statement<unknown[]>;
  readonly #values: (string | number | null)[] = new Array<string | number | null>(ROWS_PER_INSERT * WIDTH).fill(null);
  #rows = 0;

  constructor(db: Database.Database) {
    const head = `INSERT INTO audit_entries (${COLUMNS_2.join(', ')}) VALUES `;
    const tuple = `(${COLUMNS_2.map(() => '?').join(', ')})`;
    this.#one = db.prepare(head + tuple);
    this.#many = db.prepare(head + Array.from({ length: ROWS_PER_INSERT }, () => tuple).join(', '));
  }

  /** Queues one row; it is inserted at the latest by {@link finish}. */
  add(
    seq: number,
    auditId: string,
    kind: string,
    timestamp: string,
    ref: string | null,
    body: string,
    prevHash: string,
    hash: string,
  ): void {
    const v = this.#values;
    let at = this.#rows * WIDTH;
    v[at++] = seq;
    v[at++] = auditId;
    v[at++] = kind;
    v[at++] = timestamp;
    v[at++] = ref;
    v[at++] = body;
    v[at++] = prevHash;
    v[at] = hash;
    this.#rows += 1;
    if (this.#rows === ROWS_PER_INSERT) {
      this.#rows = 0;
      this.#many.run(v);
    }
  }

  /** Inserts the rows still queued. */
  finish(): void {
    const n = this.#rows;
    this.#rows = 0;
    const v = this.#values;
    for (let i = 0; i < n; i++) {
      const at = i * WIDTH;
      this.#one.run(v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4], v[at + 5], v[at + 6], v[at + 7]);
    }
  }

  /** Forgets rows queued by a transaction that failed. */
  reset(): void {
    this.#rows = 0;
  }
}
