/**
 * CloudTrail log file integrity validation, as `aws cloudtrail validate-logs`
 * does it: walk each trail's digest chain, check each digest's RSA signature
 * with the key its fingerprint names, then check each log file the digests
 * list against its SHA-256. Files are streamed (a log file is hashed as it
 * inflates, never held), several at once; what is kept is one small record
 * per digest and per log file name.
 */
import { createHash, verify as verifySignature } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { availableParallelism } from 'node:os';
import { createGunzip } from 'node:zlib';
import type { DigestFile, DigestName } from './digestFormat.js';
import {
  digestSigningString,
  layoutTail,
  logFileTime,
  parseDigestName,
  SIGNATURE_ALGORITHM,
  toDigestFile,
} from './digestFormat.js';
import { TrailObjectMissingError } from './errors.js';
import type { PublicKeyRecord } from './PublicKeyRing.js';
import { PublicKeyRing } from './PublicKeyRing.js';
import type { TrailFileRef, TrailWalkOptions } from './trailLayout.js';
import { findTrailFiles, mapLimit } from './trailLayout.js';
import type { TrailObject, TrailStore } from './trailStore.js';

/** What can be wrong, one stable code each. */
export const IntegrityCode = {
  /** A log file's SHA-256 differs from the one its digest lists (or it no longer inflates). */
  LOG_MODIFIED: 'LOG_MODIFIED',
  /** A digest lists the log file; it is not there. */
  LOG_DELETED: 'LOG_DELETED',
  /** A log file of the window no digest lists: delivered while validation was off, or planted. */
  LOG_NOT_COVERED: 'LOG_NOT_COVERED',
  /** The log file's hash matches, but the digest listing it could not be verified. */
  LOG_UNVERIFIED: 'LOG_UNVERIFIED',
  /** A digest the chain names as a previous digest is missing. */
  CHAIN_GAP: 'CHAIN_GAP',
  /** A digest starts a new chain although older digests exist: logging or validation was off in between. */
  CHAIN_RESTART: 'CHAIN_RESTART',
  /** The digest's signature does not verify (the digest or its signature was changed). */
  DIGEST_BAD_SIGNATURE: 'DIGEST_BAD_SIGNATURE',
  /** The digest names a public key that is not among CloudTrail's keys. */
  DIGEST_UNKNOWN_KEY: 'DIGEST_UNKNOWN_KEY',
  /** The digest is not gzip, not JSON, not in the documented shape, or not where it says it was delivered. */
  DIGEST_INVALID: 'DIGEST_INVALID',
  /** No signature to check: a local copy keeps no S3 metadata and no later digest names this one. */
  DIGEST_UNCHECKED: 'DIGEST_UNCHECKED',
} as const;
export type IntegrityCode = (typeof IntegrityCode)[keyof typeof IntegrityCode];

/** Codes that mean the evidence was changed, removed or forged (as opposed to: could not be checked). */
export const TAMPER_CODES: ReadonlySet<IntegrityCode> = new Set([
  IntegrityCode.LOG_MODIFIED,
  IntegrityCode.LOG_DELETED,
  IntegrityCode.LOG_NOT_COVERED,
  IntegrityCode.CHAIN_GAP,
  IntegrityCode.DIGEST_BAD_SIGNATURE,
  IntegrityCode.DIGEST_UNKNOWN_KEY,
  IntegrityCode.DIGEST_INVALID,
]);

export interface IntegrityIssue {
  readonly code: IntegrityCode;
  /** The file the issue is about (for a gap, the missing digest). */
  readonly file: string;
  /** The digest that lists the file or names the missing one. */
  readonly digest?: string;
  readonly detail: string;
}

export const IntegrityResult = {
  /** Every digest and every log file of the window verified. */
  VERIFIED: 'VERIFIED',
  /** Nothing was found changed, but some files could not be verified. */
  NOT_VERIFIED: 'NOT_VERIFIED',
  /** A file was modified, deleted, planted, or a digest is missing or forged. */
  TAMPERED: 'TAMPERED',
} as const;
export type IntegrityResult = (typeof IntegrityResult)[keyof typeof IntegrityResult];

export interface DigestChainSummary {
  readonly account: string;
  readonly region: string;
  readonly trail: string;
  readonly homeRegion: string;
  readonly digests: number;
  readonly backfill: number;
  /** Digest start of the oldest and end of the newest digest in the window. */
  readonly from: string | undefined;
  readonly to: string | undefined;
}

export interface IntegrityReport {
  readonly location: string;
  readonly window: { start: string; end: string } | undefined;
  readonly result: IntegrityResult;
  readonly chains: DigestChainSummary[];
  readonly digests: { readonly total: number; readonly verified: number };
  readonly logFiles: {
    readonly listed: number;
    readonly verified: number;
    /** Uncompressed bytes hashed. */
    readonly bytesHashed: number;
    readonly compressedBytes: number;
  };
  /** Layout keys (`AWSLogs/...`) of the log files that verified, for callers that read them. */
  readonly verifiedLogFiles: string[];
  /** Every problem, sorted by file. */
  readonly issues: IntegrityIssue[];
  readonly durationMs: number;
}

/** Public keys for the digests of one home region, over a time range. */
export type PublicKeySource = (homeRegion: string, start: Date, end: Date) => Promise<readonly PublicKeyRecord[]>;

export interface DigestVerifyOptions extends Omit<TrailWalkOptions, 'records'> {
  /** CloudTrail's public keys: a ring (offline, `--public-keys`) or a source asked per home region (ListPublicKeys). */
  publicKeys: PublicKeyRing | PublicKeySource;
  /**
   * Files read at once.
   * @default the number of CPU cores, at least 2 and at most 8
   */
  concurrency?: number;
  /**
   * A digest larger than this once inflated is invalid (digests are a few KB to a few MB).
   * @default 64 MiB
   */
  maxDigestBytes?: number;
  /** Called after each file hashed or digest read, for progress. */
  onProgress?: (done: { digests: number; logFiles: number; bytes: number }) => void;
  /** Called with the name (as `TrailFileRef.name` gives it) of each log file that verified. */
  onVerifiedLogFile?: (name: string) => void;
}

interface DigestEntry {
  readonly ref: TrailFileRef;
  readonly name: DigestName;
  readonly tail: string;
  /** Full-path segments before `AWSLogs`. */
  readonly base: string[];
  digest?: DigestFile;
  sha256?: string;
  /** S3 metadata signature; undefined on a store that keeps no metadata. */
  metaSignature?: string | undefined;
  metaAlgorithm?: string | undefined;
  hasMetadata: boolean;
  problem?: string;
  /** Signature verified. */
  verified: boolean;
  inScope: boolean;
}

class TooLarge extends Error {}
const HOUR_MS = 3_600_000;
const SIGNATURE_HEX_RE = /^[0-9a-f]+$/i;

const fullSegments = (store: TrailStore, key: string): string[] => [...store.rootSegments, ...key.split('/')];

/** The store key of a layout key that sits under the same base as a known file, or undefined when outside the root. */
function storeKeyOf(store: TrailStore, base: readonly string[], tail: string): string | undefined {
  const segs = [...base, ...tail.split('/')];
  const root = store.rootSegments;
  if (segs.length <= root.length || root.some((s, i) => segs[i] !== s)) return undefined;
  return segs.slice(root.length).join('/');
}

function nameOf(store: TrailStore, key: string): string {
  return /^s3:\/\//i.test(store.location) ? `${store.location}${key}` : join(store.location, ...key.split('/'));
}

async function openWithMetadata(
  store: TrailStore,
  object: TrailObject,
): Promise<{ body: Readable; metadata: Record<string, string> | undefined }> {
  if (store.openWithMetadata) return store.openWithMetadata(object);
  return { body: await store.open(object), metadata: undefined };
}

const gzipProblem = (err: unknown): string | undefined => {
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.startsWith('Z_')
    ? `not a valid gzip file (${(err as Error).message})`
    : undefined;
};

/** Inflates a digest into memory (bounded), hashing it as it comes. */
async function readDigest(
  body: Readable,
  limit: number,
): Promise<{ bytes: Buffer; sha256: string } | { problem: string }> {
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) return cb(new TooLarge());
      hash.update(chunk);
      chunks.push(chunk);
      cb();
    },
  });
  try {
    await pipeline(body, createGunzip(), sink);
  } catch (err) {
    if (err instanceof TooLarge) return { problem: `larger than ${limit} bytes once inflated; not a digest file` };
    const gz = gzipProblem(err);
    if (gz) return { problem: gz };
    throw err;
  }
  return { bytes: Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}

/** Hashes a log file's inflated content as it streams. */
async function hashLogFile(
  store: TrailStore,
  object: TrailObject,
): Promise<{ sha256: string; bytes: number; compressed: number } | { missing: true } | { problem: string }> {
  let compressed = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      hash.update(chunk);
      cb();
    },
  });
  try {
    const body = await store.open(object);
    body.on('data', (c: Buffer) => {
      compressed += c.length;
    });
    await pipeline(body, createGunzip({ chunkSize: 256 * 1024 }), sink);
  } catch (err) {
    if (err instanceof TrailObjectMissingError) return { missing: true };
    const gz = gzipProblem(err);
    if (gz) return { problem: gz };
    throw err;
  }
  return { sha256: hash.digest('hex'), bytes, compressed };
}

const chainKeyOf = (e: DigestEntry): string => {
  const dir = e.tail.split('/');
  const at = dir.indexOf('CloudTrail-Digest');
  return `${dir.slice(0, at + 2).join('/')}|${e.name.trail}|${e.name.homeRegion}`;
};

/**
 * Verifies the digest chains and log files under a TrailStore.
 *
 * @example
 * ```ts
 * const keys = new PublicKeyRing();
 * keys.add(parsePublicKeyFile(await readFile('keys.json', 'utf8'), 'keys.json'), 'keys.json');
 * const report = await new DigestVerifier(new LocalTrailStore('evidence'), { publicKeys: keys, start, end }).verify();
 * if (report.result !== 'VERIFIED') console.log(report.issues);
 * ```
 */
export class DigestVerifier {
  readonly #store: TrailStore;
  readonly #options: DigestVerifyOptions;

  constructor(store: TrailStore, options: DigestVerifyOptions) {
    if (options.start && options.end && options.end.getTime() < options.start.getTime())
      throw new RangeError(`the end ${options.end.toISOString()} is before the start ${options.start.toISOString()}`);
    this.#store = store;
    this.#options = options;
  }

  async verify(): Promise<IntegrityReport> {
    const began = performance.now();
    const store = this.#store;
    const opts = this.#options;
    const concurrency = Math.max(1, opts.concurrency ?? Math.min(8, Math.max(2, availableParallelism())));
    const limit = opts.maxDigestBytes ?? 64 * 2 ** 20;
    const start = opts.start?.getTime() ?? -Infinity;
    const end = opts.end?.getTime() ?? Infinity;
    const walk = { start: opts.start, end: opts.end, accounts: opts.accounts, regions: opts.regions };
    const issues: IntegrityIssue[] = [];
    const progress = { digests: 0, logFiles: 0, bytes: 0 };
    await store.check();

    // 1. Read every digest of the listed days (one more day than the window: the digest after
    // the window carries the previous signature a local copy lacks).
    const entries: DigestEntry[] = [];
    for await (const ref of findTrailFiles(store, { ...walk, records: 'digests' })) {
      const layout = layoutTail(fullSegments(store, ref.key));
      const name = parseDigestName(ref.key);
      if (!layout) continue;
      if (!name) {
        issues.push({
          code: IntegrityCode.DIGEST_INVALID,
          file: ref.name,
          detail:
            'the name is not <account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz',
        });
        continue;
      }
      const t = name.end.getTime();
      entries.push({
        ref,
        name,
        tail: layout.tail,
        base: layout.base,
        hasMetadata: false,
        verified: false,
        inScope: t >= start && t - HOUR_MS <= end,
      });
    }
    await mapLimit(entries, concurrency, async (e) => {
      const { body, metadata } = await openWithMetadata(store, e.ref);
      e.hasMetadata = metadata !== undefined;
      e.metaSignature = metadata?.signature;
      e.metaAlgorithm = metadata?.['signature-algorithm'];
      const read = await readDigest(body, limit);
      progress.digests++;
      opts.onProgress?.(progress);
      if ('problem' in read) {
        e.problem = read.problem;
        return;
      }
      e.sha256 = read.sha256;
      let doc: unknown;
      try {
        doc = JSON.parse(read.bytes.toString('utf8'));
      } catch (err) {
        e.problem = `not valid JSON (${(err as Error).message})`;
        return;
      }
      const digest = toDigestFile(doc);
      if (typeof digest === 'string') {
        e.problem = digest;
        return;
      }
      e.digest = digest;
      const s = Date.parse(digest.digestStartTime);
      const en = Date.parse(digest.digestEndTime);
      e.inScope = en >= start && s <= end;
      const claimed = layoutTail(digest.digestS3Object.split('/'))?.tail;
      if (claimed !== e.tail)
        e.problem = `moved: the digest says it was delivered to s3://${digest.digestS3Bucket}/${digest.digestS3Object}`;
      else if (digest.digestSignatureAlgorithm !== SIGNATURE_ALGORITHM)
        e.problem = `digestSignatureAlgorithm is ${JSON.stringify(digest.digestSignatureAlgorithm)}; expected ${SIGNATURE_ALGORITHM}`;
    });
    const scoped = entries.filter((e) => e.inScope);

    // 2. The public keys, per home region, over the time the digests cover.
    const ring = opts.publicKeys instanceof PublicKeyRing ? opts.publicKeys : new PublicKeyRing();
    if (!(opts.publicKeys instanceof PublicKeyRing)) {
      const byHome = new Map<string, { from: number; to: number }>();
      for (const e of scoped) {
        const r = byHome.get(e.name.homeRegion) ?? { from: Infinity, to: -Infinity };
        r.from = Math.min(r.from, e.name.end.getTime() - HOUR_MS);
        r.to = Math.max(r.to, e.name.end.getTime());
        byHome.set(e.name.homeRegion, r);
      }
      for (const [home, r] of byHome)
        ring.add(
          await opts.publicKeys(home, new Date(r.from - HOUR_MS), new Date(r.to + 2 * HOUR_MS)),
          `cloudtrail:ListPublicKeys in ${home}`,
        );
    }

    // 3. Chains: link each digest to the previous one it names.
    const chains = new Map<string, DigestEntry[]>();
    for (const e of entries) {
      const k = chainKeyOf(e);
      chains.set(k, [...(chains.get(k) ?? []), e]);
    }
    const chainSummaries: DigestChainSummary[] = [];
    for (const list of chains.values()) {
      list.sort((a, b) => a.name.end.getTime() - b.name.end.getTime() || (a.tail < b.tail ? -1 : 1));
      const regular = list.filter((e) => !e.name.backfill);
      const byTail = new Map(list.map((e) => [e.tail, e]));
      const nextSignature = new Map<DigestEntry, string | null>();
      const firstListedDay = list[0]!.name.end.toISOString().slice(0, 10);
      for (const [i, e] of regular.entries()) {
        const d = e.digest;
        if (!d) continue;
        const prevTail = d.previousDigestS3Object ? layoutTail(d.previousDigestS3Object.split('/'))?.tail : undefined;
        const prev = prevTail === undefined ? undefined : byTail.get(prevTail);
        if (prev) {
          nextSignature.set(prev, d.previousDigestSignature);
          if (prev.hasMetadata && prev.metaSignature !== undefined && prev.metaSignature !== d.previousDigestSignature)
            issues.push({
              code: IntegrityCode.CHAIN_GAP,
              file: prev.ref.name,
              digest: e.ref.name,
              detail: `the chain is broken: the next digest's previousDigestSignature is not this digest's signature`,
            });
        } else if (prevTail !== undefined) {
          const missing = parseDigestName(prevTail);
          const missingEnd = missing?.end.getTime() ?? e.name.end.getTime() - HOUR_MS;
          // Before the first listed day the previous digest was not looked for.
          const looked = new Date(missingEnd).toISOString().slice(0, 10) >= firstListedDay;
          if (looked && missingEnd >= start - HOUR_MS && e.inScope) {
            const key = storeKeyOf(store, e.base, prevTail);
            issues.push({
              code: IntegrityCode.CHAIN_GAP,
              file: key === undefined ? prevTail : nameOf(store, key),
              digest: e.ref.name,
              detail: `digest missing from the chain: ${e.ref.name} names it as the previous digest; the log files it listed cannot be verified`,
            });
          }
        } else if (i > 0 && e.inScope) {
          issues.push({
            code: IntegrityCode.CHAIN_RESTART,
            file: e.ref.name,
            detail: `a new chain starts here although older digests exist (the last ended ${regular[i - 1]!.name.end.toISOString()}): logging or log file validation was off in between, and events of that time are not covered`,
          });
        }
      }

      // 4. Signatures.
      for (const e of list) {
        if (!e.inScope) continue;
        if (e.problem !== undefined || !e.digest || e.sha256 === undefined) {
          issues.push({ code: IntegrityCode.DIGEST_INVALID, file: e.ref.name, detail: e.problem ?? 'unreadable' });
          continue;
        }
        let signature: string | null | undefined;
        if (e.hasMetadata) {
          signature = e.metaSignature;
          if (signature === undefined) {
            issues.push({
              code: IntegrityCode.DIGEST_BAD_SIGNATURE,
              file: e.ref.name,
              detail: 'the object has no x-amz-meta-signature metadata',
            });
            continue;
          }
          if (e.metaAlgorithm !== undefined && e.metaAlgorithm !== SIGNATURE_ALGORITHM) {
            issues.push({
              code: IntegrityCode.DIGEST_INVALID,
              file: e.ref.name,
              detail: `x-amz-meta-signature-algorithm is ${JSON.stringify(e.metaAlgorithm)}; expected ${SIGNATURE_ALGORITHM}`,
            });
            continue;
          }
        } else {
          signature = nextSignature.get(e);
          if (typeof signature !== 'string') {
            issues.push({
              code: IntegrityCode.DIGEST_UNCHECKED,
              file: e.ref.name,
              detail: e.name.backfill
                ? 'a backfill digest in a local copy: its signature lives only in the S3 object metadata'
                : 'the newest digest of a local copy: its signature lives only in the S3 object metadata and no later digest names it; verify against the S3 location to check it',
            });
            continue;
          }
        }
        const key = ring.get(e.digest.digestPublicKeyFingerprint);
        if (!key.ok) {
          issues.push({ code: IntegrityCode.DIGEST_UNKNOWN_KEY, file: e.ref.name, detail: key.detail });
          continue;
        }
        const good =
          SIGNATURE_HEX_RE.test(signature) &&
          signature.length % 2 === 0 &&
          verifySignature(
            'sha256',
            Buffer.from(digestSigningString(e.digest, e.sha256), 'utf8'),
            key.key,
            Buffer.from(signature, 'hex'),
          );
        if (good) e.verified = true;
        else
          issues.push({
            code: IntegrityCode.DIGEST_BAD_SIGNATURE,
            file: e.ref.name,
            detail: `the signature does not verify with the key ${e.digest.digestPublicKeyFingerprint}: the digest or its signature was changed`,
          });
      }
      const inWindow = list.filter((e) => e.inScope);
      chainSummaries.push({
        account: list[0]!.name.account,
        region: list[0]!.name.region,
        trail: list[0]!.name.trail,
        homeRegion: list[0]!.name.homeRegion,
        digests: inWindow.length,
        backfill: inWindow.filter((e) => e.name.backfill).length,
        from: inWindow[0]?.digest?.digestStartTime,
        to: inWindow.at(-1)?.digest?.digestEndTime,
      });
    }

    // 5. Log files the digests of the window list: hash each against its digest.
    const covered = new Set<string>();
    const toCheck = new Map<string, { hash: string; digest: DigestEntry }>();
    for (const e of entries) {
      for (const f of e.digest?.logFiles ?? []) {
        const tail = layoutTail(f.s3Object.split('/'))?.tail ?? f.s3Object;
        covered.add(tail);
        if (!e.inScope) continue;
        const had = toCheck.get(tail);
        if (!had || (!had.digest.verified && e.verified)) toCheck.set(tail, { hash: f.hashValue, digest: e });
      }
    }
    const verifiedLogFiles: string[] = [];
    let bytesHashed = 0;
    let compressedBytes = 0;
    await mapLimit([...toCheck.entries()], concurrency, async ([tail, { hash, digest }]) => {
      const key = storeKeyOf(store, digest.base, tail);
      const file = key === undefined ? tail : nameOf(store, key);
      const issue = (code: IntegrityCode, detail: string): void => {
        issues.push({ code, file, digest: digest.ref.name, detail });
      };
      if (key === undefined) {
        issue(IntegrityCode.LOG_DELETED, `listed by the digest but outside ${store.location}`);
        return;
      }
      const got = await hashLogFile(store, { key, name: file, size: undefined });
      progress.logFiles++;
      if ('sha256' in got) {
        progress.bytes += got.bytes;
        bytesHashed += got.bytes;
        compressedBytes += got.compressed;
      }
      opts.onProgress?.(progress);
      if ('missing' in got) issue(IntegrityCode.LOG_DELETED, 'listed by the digest, not found');
      else if ('problem' in got) issue(IntegrityCode.LOG_MODIFIED, `${got.problem}; the digest lists SHA-256 ${hash}`);
      else if (got.sha256 !== hash)
        issue(IntegrityCode.LOG_MODIFIED, `SHA-256 of the content is ${got.sha256}; the digest lists ${hash}`);
      else if (!digest.verified)
        issue(IntegrityCode.LOG_UNVERIFIED, 'the hash matches, but the digest listing it could not be verified');
      else {
        verifiedLogFiles.push(tail);
        opts.onVerifiedLogFile?.(file);
      }
    });

    // 6. Log files of the window no digest lists, inside the time the chains cover.
    const spans = new Map<string, { from: number; to: number }>();
    for (const e of entries) {
      if (!e.digest || e.name.backfill) continue;
      const k = `${e.name.account}|${e.name.region}|${e.base.join('/')}`;
      const s = spans.get(k) ?? { from: Infinity, to: -Infinity };
      s.from = Math.min(s.from, Date.parse(e.digest.digestStartTime));
      s.to = Math.max(s.to, Date.parse(e.digest.digestEndTime));
      spans.set(k, s);
    }
    let listed = 0;
    for await (const ref of findTrailFiles(store, { ...walk, records: 'logs' })) {
      const layout = layoutTail(fullSegments(store, ref.key));
      if (!layout) continue;
      const t = logFileTime(layout.tail)?.getTime();
      if (t !== undefined && (t < start || t > end)) continue;
      listed++;
      if (covered.has(layout.tail)) continue;
      const span = spans.get(`${ref.account}|${ref.region}|${layout.base.join('/')}`);
      if (span && t !== undefined && (t < span.from || t > span.to)) continue;
      issues.push({
        code: IntegrityCode.LOG_NOT_COVERED,
        file: ref.name,
        detail: span
          ? 'no digest lists this log file although digests cover its time: planted, or delivered while log file validation was off'
          : `no digest covers account ${ref.account ?? '?'} region ${ref.region ?? '?'}: log file validation is off for its trail, or the digests are not readable`,
      });
    }

    issues.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.code < b.code ? -1 : 1));
    verifiedLogFiles.sort();
    const result = issues.some((i) => TAMPER_CODES.has(i.code))
      ? IntegrityResult.TAMPERED
      : issues.length > 0
        ? IntegrityResult.NOT_VERIFIED
        : IntegrityResult.VERIFIED;
    return {
      location: store.location,
      window: opts.start && opts.end ? { start: opts.start.toISOString(), end: opts.end.toISOString() } : undefined,
      result,
      chains: chainSummaries.sort((a, b) =>
        `${a.account}/${a.region}/${a.trail}` < `${b.account}/${b.region}/${b.trail}` ? -1 : 1,
      ),
      digests: { total: scoped.length, verified: scoped.filter((e) => e.verified).length },
      logFiles: {
        listed: Math.max(listed, toCheck.size),
        verified: verifiedLogFiles.length,
        bytesHashed,
        compressedBytes,
      },
      verifiedLogFiles,
      issues,
      durationMs: performance.now() - began,
    };
  }
}
