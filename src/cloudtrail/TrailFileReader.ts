import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { CloudTrailEvent, EventVerdictSource } from './CloudTrailEvent.js';
import { toCloudTrailEvent } from './CloudTrailEvent.js';
import { EventClassifier } from './EventClassifier.js';
import { BudgetExceededError, DecompressionBudget } from './DecompressionBudget.js';
import { isCloudTrailError, TrailObjectMissingError } from './errors.js';
import { principalMatcher } from './principal.js';
import { ScanPool, TrailWorkerError, workersAvailable, type WorkerReply } from './scanPool.js';
import { inflateChunkSize, parseTrailBytes, primeAllocator, withMalformed, type ParseProblem } from './trailParse.js';
import { selectRecords, type EventSelection, type SelectOptions, type SkippedEvents } from './trailSelect.js';
import type { TrailFileRef, TrailWalkOptions } from './trailLayout.js';
import { findTrailFiles } from './trailLayout.js';
import type { TrailStore } from './trailStore.js';
import type { ProgressListener } from '../util/progress.js';

export interface TrailScanOptions extends TrailWalkOptions {
  /**
   * Files read at once. Each file is held in memory while it is parsed, so
   * memory is about `concurrency` x the largest file, whatever the file count.
   * @default the number of CPU cores, at least 2 and at most 8
   */
  concurrency?: number;
  /**
   * A decompressed file larger than this is reported and skipped rather than
   * parsed (CloudTrail delivers files of a few MB).
   * @default 256 MiB
   */
  maxFileBytes?: number;
  /**
   * Inflated bytes held by all the files being read at once, together: many
   * gzip bombs read concurrently stay within it (the one holding most is refused).
   * @default twice `maxFileBytes`
   */
  maxTotalBytes?: number;
  /** Gives each event our verdict. @default an EventClassifier on the IAM access levels */
  classifier?: EventVerdictSource;
  /** Called after each file, read or skipped: for progress. */
  onFile?: (file: TrailFileResult) => void;
  /**
   * Progress with a total: when given, the trail is listed completely first (`listing`, once per file found),
   * then read (`reading`, once per file done, with the total). Without it files are read as they are listed.
   */
  onProgress?: (progress: TrailScanProgress) => void;
  /**
   * Worker threads that read, inflate, parse and select the files, so gunzip and JSON.parse use every core and
   * only the selected events cross back. Each holds one file at a time, so at most `maxTotalBytes / maxFileBytes`
   * run (2 by default). 0 reads in this thread, as does a scan with its own `classifier`, and a small trail: with
   * `onProgress` (the trail listed first) one of up to 64 files starts none, a larger one is read in workers from
   * its first file; without it the first 64 files are read here. A worker that stops while it holds a file fails
   * the scan with a TrailWorkerError naming the file. @default 0
   */
  workers?: number;
  /**
   * Hand over as objects only these events; the others in the window are only counted, with the
   * disagreements between CloudTrail's flag and IAM (`onSkipped`). @default every event
   */
  select?: EventSelection;
  /** Called per file with what it held in the window that `select` left out. */
  onSkipped?: (skipped: SkippedEvents) => void;
}

export interface TrailScanProgress {
  readonly phase: 'listing' | 'reading';
  /** Files listed so far (`listing`), or all of them (`reading`). */
  readonly found: number;
  /** Files read or skipped so far. */
  readonly read: number;
  /** Decompressed bytes read so far. */
  readonly bytes: number;
}

/** A scan's progress as labelled steps with counts: listing the trail files, then reading them out of the total. */
export function trailScanProgressTo(listener: ProgressListener, location: string): (p: TrailScanProgress) => void {
  return (p) =>
    p.phase === 'listing'
      ? listener(`listing CloudTrail files in ${location}`, { done: p.found, unit: 'files found' })
      : listener(`reading CloudTrail files in ${location}`, {
          done: p.read,
          total: p.found,
          unit: 'files',
          bytes: p.bytes,
        });
}

export interface TrailFileResult {
  readonly file: string;
  /** Read completely: every record of the file parsed. */
  readonly ok: boolean;
  /** What kept the file from being read completely: bad gzip, cut short, bad JSON, malformed records. */
  readonly problem: string | undefined;
  /** Records read from the file (all of them, or those before the damage). */
  readonly events: number;
  readonly bytes: number;
}

export interface CorruptTrailFile {
  readonly file: string;
  readonly problem: string;
}

/**
 * How a file was not read completely. The kinds are those of the evidence
 * model: `unreadable` (nothing read: not gzip, not a trail file, too large),
 * `truncated` (cut short: records before the cut were read), `malformed-records`
 * (some records did not parse; the others were read).
 */
export interface TrailReadProblem {
  readonly location: string;
  readonly kind: 'unreadable' | 'truncated' | 'malformed-records';
  readonly reason: string;
  /** Records of the file that were read despite the problem. */
  readonly recordsRead: number;
  /** Records known to be lost (malformed ones); undefined when the damage hides how many. */
  readonly records?: number;
}

export interface TrailScanSummary {
  readonly location: string;
  /** Files read completely. */
  readonly filesRead: number;
  /** Files not read completely (their readable records still count). */
  readonly filesCorrupt: number;
  readonly corrupt: CorruptTrailFile[];
  /** False when any file could not be read completely: the evidence cannot show the absence of a write. */
  readonly complete: boolean;
  /** Why, one entry per file not read completely, sorted by file. */
  readonly problems: TrailReadProblem[];
  /** Records read, from complete files and the readable part of the others. */
  readonly records: number;
  /** Records in the time window, passed to the caller. */
  readonly events: number;
  /** Decompressed JSON bytes of good files. */
  readonly bytes: number;
  readonly compressedBytes: number;
  /** The most inflated bytes held at once across the files being read. */
  readonly peakBufferedBytes: number;
  readonly durationMs: number;
}

class FileTooLarge extends Error {}

/** Compressed files up to this size are read whole and inflated in one call when the store can; others stream. */
const SMALL_FILE_BYTES = 8 * 2 ** 20;

/** Files read in the scan's own thread before worker threads start (a small trail never starts them). */
const WORKERS_AFTER_FILES = 64;

interface FileRead {
  /** Events in the window handed over. */
  events: CloudTrailEvent[];
  skipped: SkippedEvents | undefined;
  /** Records that parsed as events, in the window or not. */
  good: number;
  problem: Omit<TrailReadProblem, 'location' | 'recordsRead'> | undefined;
  bytes: number;
  compressed: number;
}

/**
 * Reads trail log files (gzip JSON `{"Records":[...]}`) from a TrailStore,
 * several at once, and hands each event in the window to a callback. A
 * corrupt file is reported by name and skipped; the rest are still read.
 *
 * @example
 * ```ts
 * const reader = new TrailFileReader(new LocalTrailStore('evidence/cloudtrail'), { start, end });
 * const summary = await reader.scan((event) => { if (event.verdict.isWrite) writes.push(event); });
 * ```
 */
export class TrailFileReader {
  readonly #store: TrailStore;
  readonly #options: TrailScanOptions;
  readonly #classifier: EventVerdictSource;

  constructor(store: TrailStore, options: TrailScanOptions = {}) {
    if (options.start && options.end && options.end.getTime() < options.start.getTime()) {
      throw new RangeError(`the end ${options.end.toISOString()} is before the start ${options.start.toISOString()}`);
    }
    this.#store = store;
    this.#options = options;
    this.#classifier = options.classifier ?? new EventClassifier();
  }

  async scan(onEvent: (event: CloudTrailEvent, file: TrailFileRef) => void): Promise<TrailScanSummary> {
    const began = performance.now();
    const concurrency = Math.max(1, this.#options.concurrency ?? Math.min(8, Math.max(2, availableParallelism())));
    const maxFile = this.#options.maxFileBytes ?? 256 * 2 ** 20;
    const maxTotal = this.#options.maxTotalBytes ?? 2 * maxFile;
    const budget = new DecompressionBudget(maxTotal);
    const start = this.#options.start?.getTime() ?? -Infinity;
    const end = this.#options.end?.getTime() ?? Infinity;
    const select = this.#options.select;
    const matcher = select?.principal === undefined ? undefined : principalMatcher(select.principal);
    if (typeof matcher === 'string') throw new TypeError(matcher);
    const selection: SelectOptions = {
      start,
      end,
      classifier: this.#classifier,
      matcher,
      writes: select?.writes ?? false,
      principalReadsCounted: select?.principalReadsCounted ?? false,
      all: select === undefined,
    };
    await this.#store.check();
    primeAllocator();
    const onProgress = this.#options.onProgress;
    let files: AsyncIterator<TrailFileRef> = findTrailFiles(this.#store, this.#options);
    let found = 0;
    if (onProgress) {
      // Listed first so the reading has a total (the refs are small; the contents are read as before).
      const listed: TrailFileRef[] = [];
      for (let r = await files.next(); !r.done; r = await files.next()) {
        listed.push(r.value);
        onProgress({ phase: 'listing', found: listed.length, read: 0, bytes: 0 });
      }
      found = listed.length;
      files = (async function* () {
        yield* listed;
      })();
    }
    let filesDone = 0;
    const corrupt: CorruptTrailFile[] = [];
    const problems: TrailReadProblem[] = [];
    let filesRead = 0;
    let records = 0;
    let events = 0;
    let bytes = 0;
    let compressedBytes = 0;
    let done = false;

    // Workers pull the next file from the shared walker, so at most
    // `concurrency` files are in memory however many the trail holds.
    const nextFile = async (): Promise<TrailFileRef | undefined> => {
      if (done) return undefined;
      const r = await files.next();
      if (r.done) done = true;
      return r.done ? undefined : r.value;
    };
    let pulling: Promise<unknown> = Promise.resolve();
    const pull = (): Promise<TrailFileRef | undefined> => {
      const p = pulling.then(nextFile);
      pulling = p.catch(() => undefined);
      return p;
    };
    // Each worker thread holds one file's inflated bytes: together they stay within maxTotalBytes.
    const threads =
      this.#options.classifier || !workersAvailable
        ? 0
        : Math.min(Math.max(0, Math.floor(this.#options.workers ?? 0)), Math.max(1, Math.floor(maxTotal / maxFile)));
    // Starting a worker costs tens of milliseconds: a small trail is read here, a large one moves to workers.
    let pool: ScanPool | undefined;
    let begun = 0;
    const poolFor = (): ScanPool | undefined => {
      // With the trail listed first its size is known: a large one starts the workers at its first file.
      if (pool || threads === 0 || (found > 0 ? found : begun) <= WORKERS_AFTER_FILES) return pool;
      pool = new ScanPool(threads, {
        start,
        end,
        principal: matcher?.principal,
        writes: selection.writes,
        principalReadsCounted: selection.principalReadsCounted,
        all: selection.all,
        maxFileBytes: maxFile,
      });
      return pool;
    };

    const reader = async (slot: number): Promise<void> => {
      for (let file = await pull(); file; file = await pull()) {
        begun++;
        const workers = poolFor();
        const result = workers
          ? await this.#readInWorker(workers, slot, file, maxFile)
          : await this.#readFile(file, maxFile, budget, selection);
        compressedBytes += result.compressed;
        bytes += result.bytes;
        records += result.good;
        // Records read before a problem still count: one bad record never hides the others of its file.
        for (const event of result.events) {
          events++;
          onEvent(event, file);
        }
        if (result.skipped && result.skipped.events > 0) {
          events += result.skipped.events;
          this.#options.onSkipped?.(result.skipped);
        }
        if (result.problem) {
          corrupt.push({ file: file.name, problem: result.problem.reason });
          problems.push({ location: file.name, recordsRead: result.good, ...result.problem });
        } else filesRead++;
        this.#options.onFile?.({
          file: file.name,
          ok: !result.problem,
          problem: result.problem?.reason,
          events: result.good,
          bytes: result.bytes,
        });
        filesDone++;
        onProgress?.({ phase: 'reading', found, read: filesDone, bytes });
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(concurrency, threads) }, (_, i) => reader(i)));
    } finally {
      await pool?.close();
    }
    corrupt.sort((a, b) => (a.file < b.file ? -1 : 1));
    problems.sort((a, b) => (a.location < b.location ? -1 : 1));
    return {
      location: this.#store.location,
      filesRead,
      filesCorrupt: corrupt.length,
      corrupt,
      complete: problems.length === 0,
      problems,
      records,
      events,
      bytes,
      compressedBytes,
      peakBufferedBytes: budget.peak,
      durationMs: performance.now() - began,
    };
  }

  /** The events of a worker's answer: the selected records become objects here. */
  #fromWorker(reply: WorkerReply, file: TrailFileRef): FileRead {
    const base = { bytes: reply.bytes, compressed: reply.compressed };
    if (reply.error !== undefined)
      throw new TrailWorkerError(
        `reading ${file.name} failed in a worker thread (${reply.error}); the scan cannot show what the file holds`,
        [file.name],
      );
    if (reply.unreadable !== undefined)
      return {
        ...base,
        events: [],
        skipped: undefined,
        good: 0,
        problem: { kind: 'unreadable', reason: reply.unreadable },
      };
    const out: CloudTrailEvent[] = [];
    for (const raw of reply.selected ?? []) {
      const e = toCloudTrailEvent(raw, this.#classifier);
      if (typeof e !== 'string') out.push(e);
    }
    return { ...base, events: out, skipped: reply.skipped, good: reply.good ?? 0, problem: reply.problem };
  }

  /** Reads one file in a worker thread: a local file by its path, any other by its bytes. */
  async #readInWorker(pool: ScanPool, slot: number, file: TrailFileRef, limit: number): Promise<FileRead> {
    const gzip = file.key.endsWith('.gz');
    const path = this.#store.localPath?.(file);
    if (path !== undefined) return this.#fromWorker(await pool.run(slot, file.name, { path, gzip }), file);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      const source = await this.#store.open(file);
      for await (const c of source as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > limit) {
          source.destroy();
          return {
            events: [],
            skipped: undefined,
            good: 0,
            problem: { kind: 'unreadable', reason: `larger than ${limit} bytes; not a CloudTrail log file` },
            bytes: 0,
            compressed: size,
          };
        }
        chunks.push(c);
      }
    } catch (err) {
      if (err instanceof TrailObjectMissingError)
        return {
          events: [],
          skipped: undefined,
          good: 0,
          problem: { kind: 'unreadable', reason: 'cannot be read (ENOENT)' },
          bytes: 0,
          compressed: size,
        };
      throw err;
    }
    const whole = Buffer.concat(chunks, size);
    const bytes = whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength);
    return this.#fromWorker(await pool.run(slot, file.name, { bytes, gzip }), file);
  }

  /** Reads one file: every record that can be read, and what kept the rest from being read. An unreadable store throws. */
  async #readFile(
    file: TrailFileRef,
    limit: number,
    budget: DecompressionBudget,
    selection: SelectOptions,
  ): Promise<FileRead> {
    return this.#readSmall(file, limit, budget, selection) ?? this.#streamFile(file, limit, budget, selection);
  }

  /**
   * A small file of a local store, read whole and inflated in one call: what nearly every trail file gets (a
   * stream costs several times more than inflating a small file). Undefined whenever it is not that simple, and
   * the file is then streamed: larger, missing or unreadable, damaged, too large once inflated, over the budget.
   */
  #readSmall(
    file: TrailFileRef,
    limit: number,
    budget: DecompressionBudget,
    selection: SelectOptions,
  ): FileRead | undefined {
    if (this.#store.readSmall === undefined) return undefined;
    let raw: Buffer | undefined;
    try {
      raw = this.#store.readSmall(file, SMALL_FILE_BYTES);
    } catch {
      return undefined;
    }
    if (raw === undefined) return undefined;
    let inflated: Buffer;
    if (file.key.endsWith('.gz')) {
      try {
        inflated = gunzipSync(raw, { maxOutputLength: limit, chunkSize: inflateChunkSize(raw, limit) });
      } catch {
        return undefined;
      }
    } else if (raw.length > limit) return undefined;
    else inflated = raw;
    const lease = budget.lease();
    try {
      if (!lease.tryTake(inflated.length)) return undefined;
      const bytes = inflated.length;
      const compressed = raw.length;
      const parsed = parseTrailBytes(inflated, undefined);
      if ('unreadable' in parsed)
        return {
          events: [],
          skipped: undefined,
          good: 0,
          problem: { kind: 'unreadable', reason: parsed.unreadable },
          bytes,
          compressed,
        };
      return { ...this.#eventsOf(parsed.records, parsed.problem, selection), bytes, compressed };
    } finally {
      lease.release();
    }
  }

  /** Reads one file through a stream and an inflating stream, within the budget. */
  async #streamFile(
    file: TrailFileRef,
    limit: number,
    budget: DecompressionBudget,
    selection: SelectOptions,
  ): Promise<FileRead> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let compressed = 0;
    const lease = budget.lease();
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (bytes + chunk.length > limit) return cb(new FileTooLarge());
        lease.take(chunk.length).then(
          () => {
            bytes += chunk.length;
            chunks.push(chunk);
            cb();
          },
          (err: unknown) => cb(err as Error),
        );
      },
    });
    const unreadable = (reason: string): FileRead => ({
      events: [],
      skipped: undefined,
      good: 0,
      problem: { kind: 'unreadable', reason },
      bytes,
      compressed,
    });
    try {
      let cut: string | undefined;
      try {
        const source = await this.#store.open(file);
        source.on('data', (c: Buffer) => {
          compressed += c.length;
        });
        // Large output chunks: fewer callbacks per file (the default 16 KiB chunks cost a fifth of the scan).
        if (file.key.endsWith('.gz')) await pipeline(source, createGunzip({ chunkSize: 256 * 1024 }), sink);
        else await pipeline(source, sink);
      } catch (err) {
        if (err instanceof TrailObjectMissingError) return unreadable('cannot be read (ENOENT)');
        if (isCloudTrailError(err)) throw err;
        if (err instanceof FileTooLarge)
          return unreadable(`larger than ${limit} bytes once decompressed; not a CloudTrail log file`);
        if (err instanceof BudgetExceededError) return unreadable(err.message);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'ENOENT') return unreadable(`cannot be read (${code})`);
        if (typeof code !== 'string' || !code.startsWith('Z_')) throw err;
        // What inflated before the damage may still hold whole records.
        cut =
          code === 'Z_BUF_ERROR'
            ? `cut short (${(err as Error).message})`
            : `not a valid gzip file (${(err as Error).message})`;
      }
      const raw = Buffer.concat(chunks, bytes);
      chunks.length = 0;
      const parsed = parseTrailBytes(raw, cut);
      if ('unreadable' in parsed) return unreadable(parsed.unreadable);
      return { ...this.#eventsOf(parsed.records, parsed.problem, selection), bytes, compressed };
    } finally {
      lease.release();
    }
  }

  /** The events of a file's records in the window: every one, or those `select` wants and a count of the rest. */
  #eventsOf(
    recs: readonly unknown[],
    problem: ParseProblem | undefined,
    selection: SelectOptions,
  ): Omit<FileRead, 'bytes' | 'compressed'> {
    const out: CloudTrailEvent[] = [];
    if (!selection.all) {
      const s = selectRecords(recs, selection);
      for (const raw of s.selected) {
        const e = toCloudTrailEvent(raw, this.#classifier);
        if (typeof e !== 'string') out.push(e);
      }
      return {
        events: out,
        skipped: s.skipped,
        good: s.good,
        problem: withMalformed(problem, s.bad, s.firstBad, s.good),
      };
    }
    let bad = 0;
    let good = 0;
    let firstBad: string | undefined;
    for (let i = 0; i < recs.length; i++) {
      const e = toCloudTrailEvent(recs[i], this.#classifier);
      if (typeof e === 'string') {
        bad++;
        firstBad ??= `Records[${i}]: ${e}`;
        continue;
      }
      good++;
      const t = e.eventTime.getTime();
      if (t >= selection.start && t <= selection.end) out.push(e);
    }
    return { events: out, skipped: undefined, good, problem: withMalformed(problem, bad, firstBad, good) };
  }
}
