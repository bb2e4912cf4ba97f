/**
 * Where trail log files live: a local directory or an S3 bucket and prefix.
 * The layout walker lists one "folder" at a time through this interface, so
 * the same pruning by account, region and date serves both.
 */
import type { Readable } from 'node:stream';

export interface TrailObject {
  /** Store key (S3 key, or path relative to the local root, `/`-separated). */
  readonly key: string;
  /** What reports call the file: `s3://bucket/key` or a local path. */
  readonly name: string;
  readonly size: number | undefined;
}

export interface TrailListing {
  /** Child folder names (one segment, no slash). */
  readonly dirs: string[];
  readonly files: TrailObject[];
}

export interface TrailStore {
  /** `s3://bucket/prefix` or the local directory, for messages. */
  readonly location: string;
  /** The path segments of the root itself, so a root inside the AWSLogs layout is recognised. */
  readonly rootSegments: readonly string[];
  /** Lists one folder; a folder that does not exist lists as empty. */
  list(prefix: string): Promise<TrailListing>;
  /** Opens an object for reading; a missing one rejects with TrailObjectMissingError. */
  open(object: TrailObject): Promise<Readable>;
  /**
   * Opens an object with its user metadata (S3 `x-amz-meta-*`, names lower-case
   * without the prefix); a store that keeps none (a local copy) leaves it undefined.
   */
  openWithMetadata?(object: TrailObject): Promise<{ body: Readable; metadata: Record<string, string> | undefined }>;
  /** The file's path on this machine, for a store of local files (a worker thread then reads it itself). */
  localPath?(object: TrailObject): string;
  /**
   * Reads a small object whole, synchronously: a store of local files reads a small trail file with a few system
   * calls instead of a stream. Undefined when it is larger than `maxBytes` (the caller then streams it); a
   * missing one throws TrailObjectMissingError, any other failure the error of the read.
   */
  readSmall?(object: TrailObject, maxBytes: number): Buffer | undefined;
  /** Checks the root can be read at all (bucket exists, permissions, directory exists). */
  check(): Promise<void>;
}

export type TrailLocation = { kind: 'local'; path: string } | { kind: 's3'; bucket: string; prefix: string };

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/prefix` or a local path. */
export function parseTrailLocation(value: string): TrailLocation | string {
  if (value.trim() === '') return 'the trail location is empty; give a directory or s3://bucket/prefix';
  if (!/^s3:\/\//i.test(value)) return { kind: 'local', path: value };
  const rest = value.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET_RE.test(bucket)) {
    return `"${bucket}" in ${value} is not an S3 bucket name (3-63 characters: lower-case letters, digits, dots and hyphens)`;
  }
  return { kind: 's3', bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}
