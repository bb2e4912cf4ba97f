/**
 * Turning the inflated bytes of one trail file into its records, shared by the
 * reader's own thread and its worker threads: every record that can be read,
 * and what kept the rest from being read.
 */
import { isAscii } from 'node:buffer';
import { recoverRecords } from './recordRecovery.js';

/** How a file was not read completely (the kinds of TrailReadProblem). */
export interface ParseProblem {
  readonly kind: 'truncated' | 'malformed-records';
  readonly reason: string;
  readonly records?: number;
}

export type ParsedTrail = { records: unknown[]; problem: ParseProblem | undefined } | { unreadable: string };

/**
 * Parses a trail file's JSON. `cut` says why inflating stopped early (a cut-short or damaged gzip): the bytes
 * inflated before it may still hold whole records.
 */
export function parseTrailBytes(raw: Buffer, cut: string | undefined): ParsedTrail {
  // Trail files are nearly always pure ASCII; decoding those as latin1 gives the same string at a third of the cost.
  const ascii = isAscii(raw);
  if (cut === undefined) {
    const records = parseInPieces(raw, ascii);
    if (records !== undefined) return { records, problem: undefined };
  }
  const text = ascii ? raw.toString('latin1') : raw.toString('utf8');
  if (cut !== undefined) {
    const found = recoverRecords(text);
    if (found.records.length === 0 && raw.length === 0) return { unreadable: cut };
    return {
      records: found.records,
      problem: {
        kind: 'truncated',
        reason: `${cut}: ${found.records.length} record(s) before the damage were read, the rest of the file is lost`,
      },
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const found = recoverRecords(text);
    if (found.end === 'no-records') return { unreadable: `invalid JSON, and no "Records" array to read records from` };
    return {
      records: found.records,
      problem:
        found.end === 'complete'
          ? {
              kind: 'malformed-records',
              reason: `invalid JSON: ${found.malformed} record(s) do not parse; the other ${found.records.length} were read`,
              records: found.malformed,
            }
          : {
              kind: 'truncated',
              reason: `invalid JSON ${found.end === 'truncated' ? 'cut short' : 'damaged'} at byte ${found.offset}: ${found.records.length} record(s) before it were read, the rest of the file is lost`,
            },
    };
  }
  const r = typeof doc === 'object' && doc !== null ? (doc as { Records?: unknown }).Records : undefined;
  if (!Array.isArray(r)) return { unreadable: 'not a CloudTrail log file: no "Records" array at the top level' };
  return { records: r, problem: undefined };
}

/** What a trail file starts with: the Records array and the opening of its first record's first key. */
const RECORDS_OPEN = Buffer.from('{"Records":[{"', 'latin1');

/**
 * JSON parsed at a time from a large trail file: well below 128 KiB, the size from which V8 makes a string a large
 * object (see parseInPieces), with room for the record that ends a piece.
 */
export const PIECE_BYTES = 64 * 1024;

/**
 * The records of an intact trail file laid out as CloudTrail writes it, `{"Records":[{"k":...},{"k":...}]}` (no
 * spaces, each record opening with the same key), parsed a piece of about PIECE_BYTES of whole records at a time;
 * undefined when the file is small or not laid out so, or when a piece does not parse: the caller parses it
 * whole, as before.
 *
 * Why pieces: the whole file as one string costs memory that grows with the scan. Node makes a string of more than
 * about 1 MB (nearly every trail file) an external string, which V8 puts in its old generation: it is freed only by
 * a full garbage collection, which V8 starts once 64 MiB of such strings have built up, in each thread that parses
 * (the main thread and every worker). A string of 128 KiB to 1 MB is a large object, whose memory V8 takes fresh
 * from the system each time (several times slower than the copy it holds). A piece is an ordinary young string,
 * freed by the next minor collection, and parses as fast.
 *
 * Where a piece ends is a guess (the next `},{"k"` after PIECE_BYTES, which a nested array of objects opening with
 * the same key could also hold), but the result never depends on it: every piece must parse as an array (`[` piece
 * `]`), and then the file is exactly `{"Records":[` piece `,` piece ... `]}`, whose records JSON.parse reads as
 * those of the pieces in turn. A piece cut inside a record does not parse, and the file is then parsed whole.
 * The bytes are left as they were found (a piece is wrapped in `[` `]` by writing over the byte on either side of
 * it for as long as it takes to copy it out).
 */
export function parseInPieces(raw: Buffer, ascii: boolean): unknown[] | undefined {
  const end = raw.length - 2;
  if (
    raw.length <= PIECE_BYTES ||
    raw.compare(RECORDS_OPEN, 0, RECORDS_OPEN.length, 0, RECORDS_OPEN.length) !== 0 ||
    raw[end - 1] !== 0x7d ||
    raw[end] !== 0x5d ||
    raw[end + 1] !== 0x7d
  )
    return undefined;
  const first = RECORDS_OPEN.length - 2;
  const keyEnd = raw.indexOf(0x22, first + 2);
  // `},` and the first record's opening `{"k"`: where a record starts that opens as the first one does.
  if (keyEnd < 0 || keyEnd - first > 256 || raw.subarray(first, keyEnd).includes(0x5c)) return undefined;
  const next = Buffer.concat([Buffer.from('},', 'latin1'), raw.subarray(first, keyEnd + 1)]);
  const records: unknown[] = [];
  for (let from = first; from < end;) {
    let to = end;
    if (end - from > PIECE_BYTES) {
      const at = raw.indexOf(next, from + PIECE_BYTES);
      if (at >= 0 && at < end) to = at + 1;
    }
    // from - 1 is `[` or the `,` before the piece; `to` is the `,` after it or the closing `]`.
    const before = raw[from - 1]!;
    const after = raw[to]!;
    raw[from - 1] = 0x5b;
    raw[to] = 0x5d;
    const text = ascii ? raw.toString('latin1', from - 1, to + 1) : raw.toString('utf8', from - 1, to + 1);
    raw[from - 1] = before;
    raw[to] = after;
    let piece: unknown;
    try {
      piece = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(piece)) return undefined;
    for (let i = 0; i < piece.length; i++) records.push(piece[i]);
    from = to + 1;
  }
  return records;
}

/**
 * What primeAllocator frees: large enough that glibc's malloc afterwards keeps up to twice as much free memory for
 * reuse, small enough that a trail file larger than it is rare.
 */
const ALLOCATOR_PRIME_BYTES = 4 * 2 ** 20;
let primed = false;

/**
 * Lets the allocator reuse the memory of one file's inflated bytes for the next (once per thread; call before
 * reading). Each file is inflated into a new buffer of its size (about 1.2 MB for CloudTrail's files), freed by
 * the next minor garbage collection. glibc's malloc returns free memory at the top of its heap to the system once
 * there is more than twice the largest block it has unmapped (2.4 MB after the first file), and a scan frees two
 * or three such buffers at a time: without this, every file's buffer was new memory, faulted in page by page (a
 * tenth of the scan's CPU time). A buffer of ALLOCATOR_PRIME_BYTES, never written (so never resident), mapped and
 * unmapped once raises that threshold to twice its size. Other allocators ignore it.
 */
export function primeAllocator(): void {
  if (primed) return;
  primed = true;
  Buffer.allocUnsafeSlow(ALLOCATOR_PRIME_BYTES);
}

/**
 * The output chunk to inflate a whole gzip file with: its inflated size as the gzip trailer states it (plus one
 * byte, so a single chunk holds it and needs no copy), within what the compressed size can inflate to (deflate
 * reaches about 1,032:1), `limit`, and 16 MiB. The trailer is only a hint: a wrong one costs more chunks, never
 * a wrong result.
 */
export function inflateChunkSize(raw: Buffer, limit: number): number {
  const stated = raw.length >= 18 ? raw.readUInt32LE(raw.length - 4) + 1 : 16 * 1024;
  return Math.max(4096, Math.min(stated, raw.length * 1032 + 1024, limit + 1, 16 * 2 ** 20));
}

/** Adds the malformed records of a file to what else kept it from being read completely. */
export function withMalformed(
  problem: ParseProblem | undefined,
  bad: number,
  firstBad: string | undefined,
  good: number,
): ParseProblem | undefined {
  if (bad === 0) return problem;
  const note = `${bad} malformed record(s) skipped (first: ${firstBad}); the other ${good} were read`;
  return problem
    ? { ...problem, reason: `${problem.reason}; ${note}`, records: (problem.records ?? 0) + bad }
    : { kind: 'malformed-records', reason: note, records: bad };
}
