/**
 * A worker thread of TrailFileReader: inflates, parses and selects the records
 * of one trail file at a time, so gunzip and JSON.parse run on every core and
 * only the events that matter cross back as objects. A file's inflated bytes
 * are capped at `maxFileBytes` (a gzip bomb is refused, not held).
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createGunzip, gunzipSync } from 'node:zlib';
import { EventClassifier } from './EventClassifier.js';
import { principalMatcher } from './principal.js';
import { inflateChunkSize, parseTrailBytes, primeAllocator, withMalformed } from './trailParse.js';
import { selectRecords } from './trailSelect.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './scanPool.js';

const setup = workerData as WorkerSetup;
primeAllocator();
const classifier = new EventClassifier();
const matcher = setup.principal === undefined ? undefined : principalMatcher(setup.principal);
const options = {
  start: setup.start,
  end: setup.end,
  classifier,
  matcher: typeof matcher === 'string' ? undefined : matcher,
  writes: setup.writes,
  principalReadsCounted: setup.principalReadsCounted,
  all: setup.all,
};

type Inflated = { bytes: Buffer; cut: string | undefined } | { unreadable: string };

/** The bytes inflated before a damaged or cut-short gzip stops, and why it stopped. */
function inflateDamaged(raw: Buffer, limit: number): Promise<Inflated> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    gunzip.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        gunzip.destroy();
        resolve({ unreadable: `larger than ${limit} bytes once decompressed; not a CloudTrail log file` });
      } else chunks.push(c);
    });
    gunzip.on('error', (err: NodeJS.ErrnoException) => {
      const cut = err.code === 'Z_BUF_ERROR' ? `cut short (${err.message})` : `not a valid gzip file (${err.message})`;
      resolve({ bytes: Buffer.concat(chunks, size), cut });
    });
    gunzip.on('end', () => resolve({ bytes: Buffer.concat(chunks, size), cut: undefined }));
    gunzip.end(raw);
  });
}

async function inflate(raw: Buffer, gzip: boolean, limit: number): Promise<Inflated> {
  if (!gzip) return raw.length > limit ? { unreadable: `larger than ${limit} bytes` } : { bytes: raw, cut: undefined };
  try {
    return {
      bytes: gunzipSync(raw, { maxOutputLength: limit, chunkSize: inflateChunkSize(raw, limit) }),
      cut: undefined,
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      return { unreadable: `larger than ${limit} bytes once decompressed; not a CloudTrail log file` };
    if (typeof code === 'string' && code.startsWith('Z_')) return inflateDamaged(raw, limit);
    throw err;
  }
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  let raw: Buffer;
  if (req.path !== undefined) {
    try {
      raw = readFileSync(req.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      return { id: req.id, unreadable: `cannot be read (${code})`, compressed: 0, bytes: 0 };
    }
  } else raw = Buffer.from(req.bytes!);
  const inflated = await inflate(raw, req.gzip, setup.maxFileBytes);
  if ('unreadable' in inflated)
    return { id: req.id, unreadable: inflated.unreadable, compressed: raw.length, bytes: 0 };
  const parsed = parseTrailBytes(inflated.bytes, inflated.cut);
  const bytes = inflated.bytes.length;
  if ('unreadable' in parsed) return { id: req.id, unreadable: parsed.unreadable, compressed: raw.length, bytes };
  const s = selectRecords(parsed.records, options);
  return {
    id: req.id,
    compressed: raw.length,
    bytes,
    good: s.good,
    selected: s.selected,
    skipped: s.skipped,
    problem: withMalformed(parsed.problem, s.bad, s.firstBad, s.good),
  };
}

parentPort!.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: unknown) =>
      parentPort!.postMessage({
        id: req.id,
        error: err instanceof Error ? err.message : String(err),
        compressed: 0,
        bytes: 0,
      } satisfies WorkerReply),
  );
});
