import { describe, expect, it } from 'vitest';
import { AuditStore, canonicalJson, createRedactor, uuidv7 } from '../../src/audit/index.js';
import { createCanonicalRedactor } from '../../src/audit/redact.js';
import { attempt, tempDir } from './helpers.js';
import { CORPUS, KEPT_MARKERS, SECRET_MARKERS } from './redactionCorpus.js';

/** Values whose JSON text has its own rules: index-like keys, escapes, odd numbers, exotic objects, cycles, depth. */
function oddValues(): unknown[] {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const shared = { password: 'hunter2', Name: 'shared' };
  let deep: Record<string, unknown> = { leaf: 'AKIAIOSFODNN7EXAMPLE' };
  for (let i = 0; i < 40; i++) deep = { next: deep };
  class Thing {
    secretToken = 'abc';
    visible = 'v';
  }
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 'x', token: 't' });
  return [
    { 10: 'ten', 9: 'nine', b: 'B', a: 'A', '01': 'zero-one', '1x': 'one-x' },
    { __proto__: { inherited: true }, own: 1 },
    JSON.parse('{"__proto__": {"password": "p"}, "ok": 1}'),
    {
      quote: 'say "hi"',
      back: 'a\\b',
      nl: 'line\nbreak',
      ctl: '\u0001\u001f',
      lone: '\ud800x',
      pair: '😀',
      uni: '\u2028ü',
    },
    { n: [0, -0, 1.5, 1e21, -1e-7, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53] },
    { b: true, f: false, nil: null, undef: undefined, fn: () => 1, sym: Symbol('s'), big: 12345678901234567890n },
    [undefined, () => 1, Symbol('s'), null, [], {}],
    // eslint-disable-next-line no-sparse-arrays
    [1, , 3],
    Object.assign([1, 2], { extra: 'dropped' }),
    { when: new Date('2026-01-02T03:04:05.678Z'), bad: new Date(Number.NaN) },
    { bytes: new Uint8Array([1, 2, 3]), buf: Buffer.from('secret'), ab: new ArrayBuffer(7) },
    {
      m: new Map<unknown, unknown>([
        ['k2', 1],
        [1, { password: 'x' }],
        ['k1', 'AKIAIOSFODNN7EXAMPLE'],
      ]),
      s: new Set(['b', 'a']),
    },
    { err: Object.assign(new Error('token=abc123 failed'), { code: 'E1' }) },
    new Thing(),
    nullProto,
    cyclic,
    { a: shared, b: shared },
    deep,
    { Key: 'DB_PASSWORD', Value: 'plain' },
    { ParameterKey: 'Anything', ParameterValue: 'v' },
    { signingKey: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg', publicKey: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg' },
    { toJSON: () => 'ignored', kept: 'yes' },
    'Authorization: Bearer abcdefghijklmnop',
    42,
    null,
    undefined,
    true,
    Symbol('top'),
  ];
}

describe('canonical redactor (the store writes request parameters with it)', () => {
  const walk = createRedactor({ sortKeys: true });
  const json = createCanonicalRedactor();

  it('writes exactly the text of JSON.stringify over the sorted redacted copy', () => {
    for (const value of [CORPUS, ...Object.values(CORPUS), ...oddValues()]) {
      expect(json(value)).toBe(JSON.stringify(walk(value)));
    }
  });

  it('is canonical: the same text whatever order keys were set in, equal to canonicalJson of the redacted copy', () => {
    const a = { b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' }, token: 't' };
    const b = { token: 'u', a: { c: 'x', d: [{ y: 2, z: 1 }] }, b: 1 };
    expect(json(a)).toBe(json(b));
    expect(json(a)).toBe(canonicalJson(walk(a)));
  });

  it('redacts by key and by value: no secret of the corpus is in its text, every kept marker is', () => {
    const text = json(CORPUS) as string;
    for (const marker of SECRET_MARKERS) expect(text.includes(marker), `${marker} was written`).toBe(false);
    for (const marker of KEPT_MARKERS) expect(text.includes(marker), `${marker} is missing`).toBe(true);
  });

  it('honours extra keys and replaced defaults as createRedactor does', () => {
    const value = { 'X-Internal-Signature': 'x', PIN: '1234', password: 'kept?', other: 1 };
    for (const options of [{ extraKeys: ['x_internal_signature'] }, { replaceDefaults: true, extraKeys: ['pin'] }]) {
      expect(createCanonicalRedactor(options)(value)).toBe(
        JSON.stringify(createRedactor({ ...options, sortKeys: true })(value)),
      );
    }
  });

  it('redacts a value seen before as the first time, also once 10,000 other values went by, and strings of any length', () => {
    const fresh = createCanonicalRedactor();
    const secrets = ['AKIAIOSFODNN7EXAMPLE', 'password=hunter2', `Bearer ${'a'.repeat(80)}`, 'tag:env'];
    const first = secrets.map((s) => fresh({ v: s }));
    expect(first.slice(0, 3).every((t) => t?.includes('[REDACTED]'))).toBe(true);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 12_000; i++) fresh({ v: `value-${round}-${i}` });
      expect(secrets.map((s) => fresh({ v: s }))).toEqual(first);
    }
    for (const value of [CORPUS, ...Object.values(CORPUS)]) expect(fresh(value)).toBe(JSON.stringify(walk(value)));
  });
});

describe('audit ids', () => {
  it('are RFC 9562 version-7 UUIDs carrying the time, unique, sorting by time', () => {
    const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ms = Date.UTC(2026, 11, 2, 4, 0, 0, 123);
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) ids.push(uuidv7(ms + Math.floor(i / 10)));
    for (const id of ids) expect(id).toMatch(shape);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(Number.parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(ms);
    for (let i = 10; i < ids.length; i += 10) expect((ids[i] as string) > (ids[i - 1] as string)).toBe(true);
  });

  it('of a stored entry name its timestamp', () => {
    const { dir, cleanup } = tempDir();
    const store = AuditStore.open({ path: `${dir}/a.db`, clock: () => new Date('2026-12-02T04:05:06.789Z') });
    const [receipt] = store.appendBatch([attempt()]);
    store.closeSync();
    cleanup();
    expect(Number.parseInt((receipt?.auditId ?? '').replace('-', '').slice(0, 12), 16)).toBe(
      Date.parse('2026-12-02T04:05:06.789Z'),
    );
  });
});
