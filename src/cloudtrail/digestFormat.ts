/**
 * The documented shape of CloudTrail log file validation: digest file names,
 * digest contents, and the string a digest's RSA signature covers.
 *
 *   AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 *     <account>_CloudTrail-Digest_<region>_<trail>_<home-region>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz
 *
 * Signed string (SHA256withRSA, signature hex in the object's `x-amz-meta-signature`):
 *
 *   digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(inflated digest)) \n previousDigestSignature
 *
 * where a first digest's missing previous signature is the text `null`.
 */

/** One log file a digest lists. */
export interface DigestLogFile {
  readonly s3Bucket: string;
  readonly s3Object: string;
  /** Hex SHA-256 of the log file's uncompressed content. */
  readonly hashValue: string;
}

/** The fields of a digest file the verification uses. */
export interface DigestFile {
  readonly awsAccountId: string;
  readonly digestStartTime: string;
  readonly digestEndTime: string;
  readonly digestS3Bucket: string;
  readonly digestS3Object: string;
  readonly digestPublicKeyFingerprint: string;
  readonly digestSignatureAlgorithm: string;
  readonly previousDigestS3Bucket: string | null;
  readonly previousDigestS3Object: string | null;
  readonly previousDigestHashValue: string | null;
  readonly previousDigestSignature: string | null;
  readonly logFiles: readonly DigestLogFile[];
}

/** What a digest file's name says: the chain it belongs to and its end time. */
export interface DigestName {
  readonly account: string;
  /** The region whose events the digest covers. */
  readonly region: string;
  readonly trail: string;
  /** The trail's home region, whose key signs the digest. */
  readonly homeRegion: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly stamp: string;
  readonly end: Date;
  readonly backfill: boolean;
}

export const SIGNATURE_ALGORITHM = 'SHA256withRSA';

const DIGEST_NAME_RE =
  /^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_([A-Za-z0-9._-]+)_([a-z]{2}(?:-[a-z0-9]+)+-\d+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$/;
const LOG_STAMP_RE = /^\d{12}_CloudTrail_[a-z0-9-]+_(\d{8}T\d{4})Z_[^/]*\.json\.gz$/;

const stampToDate = (stamp: string): Date =>
  new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.length > 13 ? stamp.slice(13, 15) : '00'}Z`,
  );

/** Parses the last segment of a digest key; undefined when it is not a digest name. */
export function parseDigestName(key: string): DigestName | undefined {
  const m = DIGEST_NAME_RE.exec(key.slice(key.lastIndexOf('/') + 1));
  if (!m) return undefined;
  const end = stampToDate(m[5]!);
  if (Number.isNaN(end.getTime())) return undefined;
  return { account: m[1]!, region: m[2]!, trail: m[3]!, homeRegion: m[4]!, stamp: m[5]!, end, backfill: !!m[6] };
}

/** The delivery minute in a log file's name (`..._20240501T1230Z_uniq.json.gz`), or undefined. */
export function logFileTime(key: string): Date | undefined {
  const m = LOG_STAMP_RE.exec(key.slice(key.lastIndexOf('/') + 1));
  if (!m) return undefined;
  const t = stampToDate(m[1]!);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const HEX_RE = /^[0-9a-f]+$/i;

/**
 * Checks a parsed digest against the documented shape; returns a message
 * naming the first field that is wrong.
 */
export function toDigestFile(value: unknown): DigestFile | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a digest file: the top level is not a JSON object';
  const d = value as Record<string, unknown>;
  for (const field of ['awsAccountId', 'digestS3Bucket', 'digestS3Object', 'digestPublicKeyFingerprint'] as const) {
    if (typeof d[field] !== 'string' || d[field] === '') return `field "${field}": expected a non-empty string`;
  }
  for (const field of ['digestStartTime', 'digestEndTime'] as const) {
    if (!isTime(d[field])) return `field "${field}": expected an ISO 8601 time such as 2024-05-01T13:00:00Z`;
  }
  if (typeof d.digestSignatureAlgorithm !== 'string') return 'field "digestSignatureAlgorithm": expected a string';
  for (const field of [
    'previousDigestS3Bucket',
    'previousDigestS3Object',
    'previousDigestHashValue',
    'previousDigestSignature',
  ] as const) {
    if (d[field] !== null && d[field] !== undefined && typeof d[field] !== 'string')
      return `field "${field}": expected a string or null`;
  }
  if (typeof d.previousDigestSignature === 'string' && !HEX_RE.test(d.previousDigestSignature))
    return 'field "previousDigestSignature": expected hex';
  if (!Array.isArray(d.logFiles)) return 'field "logFiles": expected an array';
  const logFiles: DigestLogFile[] = [];
  for (const [i, f] of (d.logFiles as unknown[]).entries()) {
    const lf = f as Record<string, unknown> | null;
    if (
      typeof lf !== 'object' ||
      lf === null ||
      typeof lf.s3Bucket !== 'string' ||
      typeof lf.s3Object !== 'string' ||
      typeof lf.hashValue !== 'string' ||
      !HEX_RE.test(lf.hashValue)
    )
      return `logFiles[${i}]: expected { s3Bucket, s3Object, hashValue (hex SHA-256) }`;
    if (lf.hashAlgorithm !== undefined && lf.hashAlgorithm !== 'SHA-256')
      return `logFiles[${i}].hashAlgorithm: expected "SHA-256", got ${JSON.stringify(lf.hashAlgorithm)}`;
    logFiles.push({ s3Bucket: lf.s3Bucket, s3Object: lf.s3Object, hashValue: lf.hashValue.toLowerCase() });
  }
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    awsAccountId: d.awsAccountId as string,
    digestStartTime: d.digestStartTime as string,
    digestEndTime: d.digestEndTime as string,
    digestS3Bucket: d.digestS3Bucket as string,
    digestS3Object: d.digestS3Object as string,
    digestPublicKeyFingerprint: d.digestPublicKeyFingerprint as string,
    digestSignatureAlgorithm: d.digestSignatureAlgorithm,
    previousDigestS3Bucket: str(d.previousDigestS3Bucket),
    previousDigestS3Object: str(d.previousDigestS3Object),
    previousDigestHashValue: str(d.previousDigestHashValue),
    previousDigestSignature: str(d.previousDigestSignature),
    logFiles,
  };
}

/** The exact bytes a digest's signature covers. `digestSha256Hex` is of the inflated digest file. */
export function digestSigningString(digest: DigestFile, digestSha256Hex: string): string {
  return `${digest.digestEndTime}\n${digest.digestS3Bucket}/${digest.digestS3Object}\n${digestSha256Hex}\n${digest.previousDigestSignature ?? 'null'}`;
}

/**
 * The part of a key from its `AWSLogs` segment on: the same for a file in S3
 * and its local copy, whatever prefix or directory holds it.
 */
export function layoutTail(segments: readonly string[]): { base: string[]; tail: string } | undefined {
  const i = segments.lastIndexOf('AWSLogs');
  if (i < 0) return undefined;
  return { base: segments.slice(0, i), tail: segments.slice(i).join('/') };
}
