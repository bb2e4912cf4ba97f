import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore, type AuditAttemptSummary, type AuditEntry } from '../../src/audit/index.js';
import { FIXTURES, sqlite, tempDir, writeVariedStore } from './helpers.js';

// `attempts()` is what `inventag check` reads of a trail: the fields of each attempt it counts and correlates,
// without building full entries. It must give exactly what `entries()` gives for those fields.
const FIELDS = [
  'sequence',
  'kind',
  'sessionId',
  'timestamp',
  'service',
  'operation',
  'iamAction',
  'decision',
  'resourceArn',
  'identity',
  'validationMessage',
  'outcome',
] as const;

const asSummary = (e: AuditEntry): AuditAttemptSummary =>
  Object.fromEntries(FIELDS.filter((f) => e[f] !== undefined).map((f) => [f, e[f]])) as unknown as AuditAttemptSummary;

const expectSame = (store: AuditStore, options: { since?: string } = {}): AuditAttemptSummary[] => {
  const attempts = [...store.attempts(options)];
  expect(attempts).toEqual([...store.entries(options)].filter((e) => e.kind === 'attempt').map(asSummary));
  return attempts;
};

describe('AuditStore.attempts', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('a format-2 store: outcomes merged (their own or staged), blocked calls, past a page, after a cleanup', async () => {
    const path = join(dir, 'audit.db');
    await writeVariedStore(path);
    const store = AuditStore.open({ path, readonly: true });
    const attempts = expectSame(store);
    expect(attempts.length).toBeGreaterThan(1000);
    expect(attempts.some((a) => a.outcome === undefined)).toBe(true);
    expect(attempts.some((a) => a.decision === 'blocked' && a.outcome?.errorCode === 'Blocked')).toBe(true);
    expectSame(store, { since: '2026-11-20T00:10:00.000Z' });
    await store.close();

    // Edited bodies (verify names them) still read as entries() reads them.
    sqlite(
      path,
      `DROP TRIGGER audit_entries_no_update;
       UPDATE audit_entries SET body = json_set(body, '$.service', json('{"not":"a string"}')) WHERE seq = (SELECT max(seq) - 40 FROM audit_entries WHERE kind = 'attempt');
       UPDATE audit_entries SET body = 'not json' WHERE seq = (SELECT max(seq) - 20 FROM audit_entries WHERE kind = 'attempt');
       UPDATE audit_entries SET body = json_set(body, '$.outcome_success', 'yes') WHERE seq = (SELECT max(seq) FROM audit_entries WHERE kind = 'outcome');`,
    );
    const edited = AuditStore.open({ path, readonly: true });
    expect(edited.verify().ok).toBe(false);
    expectSame(edited);
    edited.closeSync();
  });

  it('a format-1 store', () => {
    const path = join(dir, 'old.db');
    copyFileSync(join(FIXTURES, 'format1.db'), path);
    const store = AuditStore.open({ path, readonly: true });
    expect(store.format).toBe(1);
    const attempts = expectSame(store);
    expect(attempts.filter((a) => a.outcome?.errorCode === 'ThrottlingException').length).toBeGreaterThan(0);
    store.closeSync();
  });
});
