import { afterEach, describe, expect, test, vi } from 'vitest';
import { backgroundRecords, IDENTITIES, makeRecord } from '../../scripts/trailFixtures.mjs';
import { parseInPieces, parseTrailBytes, PIECE_BYTES } from '../../src/cloudtrail/trailParse.js';

// A large trail file is parsed a piece of whole records at a time (its JSON as one string would be held until a
// full garbage collection). Wherever the pieces are cut, the records must be those of JSON.parse of the whole
// file, the bytes must be left as they were, and a file that is not laid out as CloudTrail writes it, or does not
// parse, must be read as before.
const start = new Date(Date.UTC(2024, 4, 1));
const end = new Date(start.getTime() + 3_600_000);
const records = (n: number, seed = 7): unknown[] => backgroundRecords(n, { start, end, region: 'us-east-1', seed });
const file = (recs: unknown[]): Buffer => Buffer.from(JSON.stringify({ Records: recs }));
const wholeRecords = (raw: Buffer): unknown => (JSON.parse(raw.toString('utf8')) as { Records: unknown }).Records;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseTrailBytes in pieces', () => {
  test('a large file: the records of the whole, parsed in pieces of about PIECE_BYTES, the bytes unchanged', () => {
    const raw = file(records(2000));
    expect(raw.length).toBeGreaterThan(10 * PIECE_BYTES);
    const copy = Buffer.from(raw);
    const parse = vi.spyOn(JSON, 'parse');
    const parsed = parseTrailBytes(raw, undefined);
    const pieces = parse.mock.calls.length;
    parse.mockRestore();
    expect(parsed).toEqual({ records: wholeRecords(copy), problem: undefined });
    expect(raw.equals(copy)).toBe(true);
    // One call per piece, each of at least PIECE_BYTES but the last, none much larger.
    expect(pieces).toBeGreaterThanOrEqual(Math.floor(raw.length / (2 * PIECE_BYTES)));
    expect(pieces).toBeLessThanOrEqual(Math.ceil(raw.length / PIECE_BYTES));
    for (const [text] of parse.mock.calls) expect(text.length).toBeLessThan(2 * PIECE_BYTES);
  });

  test('a small file is parsed whole', () => {
    const raw = file(records(5));
    expect(raw.length).toBeLessThan(PIECE_BYTES);
    expect(parseInPieces(raw, true)).toBeUndefined();
    expect(parseTrailBytes(raw, undefined)).toEqual({ records: wholeRecords(raw), problem: undefined });
  });

  test('non-ASCII text decodes as UTF-8 in every piece', () => {
    const recs = records(800).map((r, i) =>
      i % 7 === 0 ? { ...(r as object), userAgent: `agent é ü 漢字 😀 ${i}` } : r,
    );
    const raw = file(recs);
    const parsed = parseInPieces(raw, false);
    expect(parsed).toEqual(recs);
    expect(parseTrailBytes(raw, undefined)).toEqual({ records: recs, problem: undefined });
  });

  test('a cut inside a record (a nested array of objects opening with the same key) still gives the whole records', () => {
    // Each record holds a list of objects that open with "eventVersion", as records do: the next `},{"eventVersion"`
    // after PIECE_BYTES is nearly always inside a record, the piece before it does not parse, and the file is parsed whole.
    const recs = records(300).map((r, i) => ({
      ...(r as object),
      requestParameters: {
        items: Array.from({ length: 40 }, (_, k) => ({ eventVersion: `${i}.${k}`, value: 'x'.repeat(20) })),
      },
    }));
    const raw = file(recs);
    expect(raw.length).toBeGreaterThan(4 * PIECE_BYTES);
    const copy = Buffer.from(raw);
    expect(parseInPieces(raw, true)).toBeUndefined();
    expect(parseTrailBytes(raw, undefined)).toEqual({ records: recs, problem: undefined });
    expect(raw.equals(copy)).toBe(true);
  });

  test('text that looks like a record boundary inside a string value changes nothing', () => {
    const recs = records(600).map((r, i) =>
      i % 3 === 0 ? { ...(r as object), errorMessage: '},{"eventVersion":"1.09","userIdentity":{}}' } : r,
    );
    const raw = file(recs);
    expect(parseInPieces(raw, true)).toEqual(recs);
  });

  test('a second top-level "Records" key: the last one, as JSON.parse of the whole reads it', () => {
    const a = JSON.stringify(records(400, 1));
    const b = JSON.stringify(records(400, 2));
    const raw = Buffer.from(`{"Records":${a},"Records":${b}}`);
    expect(parseInPieces(raw, true)).toBeUndefined();
    expect(parseTrailBytes(raw, undefined)).toEqual({ records: wholeRecords(raw), problem: undefined });
  });

  test('laid out otherwise (spaces, a trailing newline, another key first) it is parsed whole', () => {
    const recs = records(500);
    for (const raw of [
      Buffer.from(JSON.stringify({ Records: recs }, null, 1)),
      Buffer.from(`${JSON.stringify({ Records: recs })}\n`),
      Buffer.from(JSON.stringify({ Version: 1, Records: recs })),
    ]) {
      expect(parseInPieces(raw, true)).toBeUndefined();
      expect(parseTrailBytes(raw, undefined)).toEqual({ records: recs, problem: undefined });
    }
  });

  test('a malformed record in a later piece: the file is read as before, the others kept, the problem reported', () => {
    const recs = records(1500);
    const text = JSON.stringify({ Records: recs });
    // Break one record near the end: a value that is not JSON.
    const target = JSON.stringify(recs[1400]);
    const broken = target.replace('"eventName":', '"eventName":oops');
    const raw = Buffer.from(text.replace(target, broken));
    const parsed = parseTrailBytes(raw, undefined);
    expect(parsed).toMatchObject({ problem: { kind: 'malformed-records', records: 1 } });
    if (!('records' in parsed)) throw new Error('no records');
    expect(parsed.records).toEqual(recs.filter((_, i) => i !== 1400));
  });

  test('a file cut short is recovered from the whole text, not in pieces', () => {
    const first = makeRecord({
      time: start,
      region: 'us-east-1',
      identity: IDENTITIES.inventory,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
    });
    const recs = [first, ...records(900)];
    const raw = file(recs);
    const cut = raw.subarray(0, Math.floor(raw.length * 0.7));
    const parsed = parseTrailBytes(cut, 'cut short (unexpected end of file)');
    expect(parsed).toMatchObject({ problem: { kind: 'truncated' } });
    if (!('records' in parsed)) throw new Error('no records');
    expect(parsed.records.length).toBeGreaterThan(0);
    expect(parsed.records).toEqual(recs.slice(0, parsed.records.length));
  });
});
