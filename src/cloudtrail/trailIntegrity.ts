/**
 * Were the trail files a scan read the ones CloudTrail delivered? The answer
 * `inventag check` gives for its CloudTrail evidence: the digest chains of the
 * time the files cover are verified (DigestVerifier), then every file read is
 * looked up among the files that verified.
 */
import {
  DigestVerifier,
  IntegrityCode,
  TAMPER_CODES,
  type IntegrityIssue,
  type PublicKeySource,
} from './DigestVerifier.js';
import { logFileTime } from './digestFormat.js';
import { isCloudTrailError } from './errors.js';
import type { PublicKeyRing } from './PublicKeyRing.js';
import { findTrailFiles, type TrailWalkOptions } from './trailLayout.js';
import type { TrailStore } from './trailStore.js';

export const TrailIntegrityStatus = {
  /** Every file read verified against a signed digest. */
  VERIFIED: 'VERIFIED',
  /** A file was modified, deleted or planted, or a digest is missing or fails its signature. */
  TAMPERED: 'TAMPERED',
  /** Whether the files are genuine cannot be told: no digests, no keys, or some files not covered yet. */
  NOT_EVALUATED: 'NOT_EVALUATED',
} as const;
export type TrailIntegrityStatus = (typeof TrailIntegrityStatus)[keyof typeof TrailIntegrityStatus];

/** Whether log file validation is on for a trail, as `cloudtrail:DescribeTrails` / `GetTrail` say. */
export interface TrailValidationState {
  readonly trail: string;
  readonly homeRegion?: string | undefined;
  readonly enabled: boolean;
}

export interface TrailIntegrityOptions extends Omit<TrailWalkOptions, 'records'> {
  /** Names (as `TrailFileRef.name` gives them) of the log files the scan read. */
  readonly filesRead: Iterable<string>;
  /** CloudTrail's public keys; without them the digests cannot be checked (NOT_EVALUATED). */
  readonly publicKeys?: PublicKeyRing | PublicKeySource | undefined;
  /**
   * Whether validation is on for the trails delivering to the store, asked only when no digest is found: the
   * states, or why they could not be asked.
   */
  readonly validation?: (() => Promise<readonly TrailValidationState[] | string>) | undefined;
  readonly concurrency?: number | undefined;
  /** Called after each digest read or log file hashed, for progress. */
  readonly onProgress?: ((done: { digests: number; logFiles: number; bytes: number }) => void) | undefined;
}

/** A file the scan read that did not verify, and why. */
export interface UnverifiedTrailFile {
  readonly file: string;
  readonly reason: string;
}

export interface TrailIntegrity {
  readonly status: TrailIntegrityStatus;
  /** One sentence: what was verified, what was found, or why nothing could be. */
  readonly reason: string;
  readonly digests: { readonly total: number; readonly verified: number };
  readonly filesRead: number;
  readonly filesVerified: number;
  /** Issues that mean tampering (modified, deleted, not covered, chain gap, bad signature, unknown key, invalid). */
  readonly tampered: readonly IntegrityIssue[];
  /** Files read that did not verify (the first 100), with the reason. */
  readonly unverified: readonly UnverifiedTrailFile[];
  readonly unverifiedCount: number;
  readonly validation?: readonly TrailValidationState[];
}

const HOUR_MS = 3_600_000;
const LIST_CAP = 100;

/** An error reading the digests or the keys that is the account's or the store's, not a bug. */
const isSourceFailure = (err: unknown): boolean =>
  isCloudTrailError(err) || (typeof err === 'object' && err !== null && '$metadata' in err);

const describe = (i: IntegrityIssue): string => `${i.code} ${i.file}`;

async function noDigests(
  store: TrailStore,
  options: TrailIntegrityOptions,
  filesRead: number,
): Promise<TrailIntegrity> {
  const base = { digests: { total: 0, verified: 0 }, filesRead, filesVerified: 0, tampered: [], unverified: [] };
  const where = `no digest file under ${store.location}`;
  let reason = `${where}: log file validation is not enabled on the trail, or the digests were not kept with the log files`;
  let validation: readonly TrailValidationState[] | undefined;
  if (options.validation) {
    const states = await options.validation();
    if (typeof states === 'string')
      reason = `${where}; whether log file validation is enabled could not be asked (${states})`;
    else {
      validation = states;
      const on = states.filter((s) => s.enabled).map((s) => s.trail);
      const off = states.filter((s) => !s.enabled).map((s) => s.trail);
      reason =
        states.length === 0
          ? `${where}, and cloudtrail:DescribeTrails names no trail delivering there`
          : on.length === 0
            ? `log file validation is not enabled on ${off.join(', ')} (cloudtrail:DescribeTrails: LogFileValidationEnabled false): there are no digests to verify the files against`
            : `log file validation is enabled on ${on.join(', ')}, but ${where} can be read: the digests are missing or not readable`;
    }
  }
  return {
    status: TrailIntegrityStatus.NOT_EVALUATED,
    reason,
    ...base,
    unverifiedCount: filesRead,
    ...(validation ? { validation } : {}),
  };
}

/** The window the digests are verified over: the scan's, widened to every file it read (day folders read whole). */
function verifyWindow(names: readonly string[], options: TrailIntegrityOptions): { start?: Date; end?: Date } {
  if (!options.start && !options.end) return {};
  let from = options.start?.getTime() ?? Infinity;
  let to = options.end?.getTime() ?? -Infinity;
  for (const n of names) {
    const t = logFileTime(n)?.getTime();
    if (t === undefined) continue;
    if (t < from) from = t;
    if (t > to) to = t;
  }
  return {
    ...(options.start ? { start: new Date(from - HOUR_MS) } : {}),
    ...(options.end ? { end: new Date(to + HOUR_MS) } : {}),
  };
}

/**
 * Verifies the trail files a scan read against the digests of log file validation.
 *
 * @example
 * ```ts
 * const read: string[] = [];
 * await new TrailFileReader(store, { onFile: (f) => read.push(f.file) }).scan(analyze);
 * const integrity = await checkTrailIntegrity(store, { filesRead: read, publicKeys: ring });
 * if (integrity.status !== 'VERIFIED') console.log(integrity.reason);
 * ```
 */
export async function checkTrailIntegrity(store: TrailStore, options: TrailIntegrityOptions): Promise<TrailIntegrity> {
  const names = [...new Set(options.filesRead)].sort();
  const walk = {
    ...verifyWindow(names, options),
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.regions ? { regions: options.regions } : {}),
  };
  let digestFiles = 0;
  for await (const ref of findTrailFiles(store, { ...walk, records: 'digests' })) if (ref) digestFiles++;
  if (digestFiles === 0) return noDigests(store, options, names.length);
  const notEvaluated = (reason: string): TrailIntegrity => ({
    status: TrailIntegrityStatus.NOT_EVALUATED,
    reason,
    digests: { total: digestFiles, verified: 0 },
    filesRead: names.length,
    filesVerified: 0,
    tampered: [],
    unverified: [],
    unverifiedCount: names.length,
  });
  if (!options.publicKeys)
    return notEvaluated(
      `${digestFiles} digest file(s) under ${store.location}, but no CloudTrail public keys to check their signatures (give the output of aws cloudtrail list-public-keys as --public-keys FILE)`,
    );

  const verified = new Set<string>();
  let report;
  try {
    report = await new DigestVerifier(store, {
      ...walk,
      publicKeys: options.publicKeys,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onVerifiedLogFile: (name) => verified.add(name),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }).verify();
  } catch (err) {
    if (!isSourceFailure(err)) throw err;
    return notEvaluated(`the digests or CloudTrail's public keys could not be read: ${(err as Error).message}`);
  }
  if (report.digests.total === 0) return noDigests(store, options, names.length);
  const tampered = report.issues.filter((i) => TAMPER_CODES.has(i.code));
  const issueOf = new Map<string, IntegrityIssue>();
  for (const i of report.issues) if (!issueOf.has(i.file)) issueOf.set(i.file, i);
  const unverified: UnverifiedTrailFile[] = [];
  let unverifiedCount = 0;
  for (const n of names) {
    if (verified.has(n)) continue;
    unverifiedCount++;
    if (unverified.length >= LIST_CAP) continue;
    const issue = issueOf.get(n);
    unverified.push({
      file: n,
      reason: issue
        ? issue.code === IntegrityCode.LOG_UNVERIFIED && issue.digest
          ? `${issue.detail} (${issueOf.get(issue.digest)?.detail ?? 'its digest did not verify'})`
          : issue.detail
        : 'no digest lists it: delivered after the newest digest (CloudTrail delivers one an hour), or before validation was enabled',
    });
  }
  const filesVerified = names.length - unverifiedCount;
  const common = {
    digests: report.digests,
    filesRead: names.length,
    filesVerified,
    tampered,
    unverified,
    unverifiedCount,
  };
  if (tampered.length)
    return {
      status: TrailIntegrityStatus.TAMPERED,
      reason: `${tampered.length} integrity problem(s) in the trail files under ${store.location}: ${tampered
        .slice(0, 5)
        .map(describe)
        .join('; ')}${tampered.length > 5 ? '; ...' : ''}`,
      ...common,
    };
  if (unverifiedCount)
    return {
      status: TrailIntegrityStatus.NOT_EVALUATED,
      reason: `${unverifiedCount} of ${names.length} trail file(s) read could not be verified (${unverified
        .slice(0, 3)
        .map((u) => `${u.file}: ${u.reason}`)
        .join('; ')}${unverifiedCount > 3 ? '; ...' : ''})`,
      ...common,
    };
  return {
    status: TrailIntegrityStatus.VERIFIED,
    reason: `all ${names.length} trail file(s) read verified against ${report.digests.verified} signed digest(s)`,
    ...common,
  };
}

/** Whether validation is on for the trails that deliver to `bucket` (and `prefix`), from a DescribeTrails answer. */
export function validationStatesOf(
  trails: readonly {
    Name?: string | undefined;
    HomeRegion?: string | undefined;
    S3BucketName?: string | undefined;
    S3KeyPrefix?: string | undefined;
    LogFileValidationEnabled?: boolean | undefined;
  }[],
  bucket: string,
  prefix: string,
): TrailValidationState[] {
  const want = prefix.replace(/\/+$/, '');
  const seen = new Set<string>();
  const out: TrailValidationState[] = [];
  for (const t of trails) {
    if (t.S3BucketName !== bucket) continue;
    const p = (t.S3KeyPrefix ?? '').replace(/\/+$/, '');
    // The store may be the trail's prefix or a folder above or below it.
    if (want !== '' && p !== '' && !want.startsWith(p) && !p.startsWith(want)) continue;
    const name = t.Name ?? '?';
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ trail: name, homeRegion: t.HomeRegion, enabled: t.LogFileValidationEnabled === true });
  }
  return out;
}
