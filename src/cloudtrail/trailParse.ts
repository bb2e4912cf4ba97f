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
  const text = isAscii(raw) ? raw.toString('latin1') : raw.toString('utf8');
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
