/**
 * Errors of the CloudTrail evidence feature. Every one carries a brand so
 * `isCloudTrailError` works across copies of the module, and a `kind` the CLI
 * maps to an exit code: bad input is the caller's to fix, an AWS error is the
 * account's (permissions, a missing bucket, the network).
 */

const BRAND = Symbol.for('inventag.CloudTrailError');

export const CloudTrailErrorKind = {
  /** Bad arguments: a window in the wrong order, too old, an unknown attribute. */
  USAGE: 'usage',
  /** AWS refused or failed: access denied, bucket missing, throttled past every retry. */
  AWS: 'aws',
  /** A local file or directory that cannot be read. */
  SOURCE: 'source',
} as const;
export type CloudTrailErrorKind = (typeof CloudTrailErrorKind)[keyof typeof CloudTrailErrorKind];

export class CloudTrailError extends Error {
  readonly [BRAND] = true;
  readonly kind: CloudTrailErrorKind;
  constructor(message: string, kind: CloudTrailErrorKind, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CloudTrailError';
    this.kind = kind;
  }
}

/** The requested time window cannot be served (end before start, older than LookupEvents keeps). */
export class LookupWindowError extends CloudTrailError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, CloudTrailErrorKind.USAGE, options);
    this.name = 'LookupWindowError';
  }
}

/** LookupEvents failed in one region after the retries allowed. */
export class LookupEventsError extends CloudTrailError {
  readonly region: string;
  /** The AWS error code, e.g. `AccessDeniedException`. */
  readonly code: string | undefined;
  constructor(
    message: string,
    region: string,
    code: string | undefined,
    kind: CloudTrailErrorKind,
    options?: ErrorOptions,
  ) {
    super(message, kind, options);
    this.name = 'LookupEventsError';
    this.region = region;
    this.code = code;
  }
}

/** The trail log location cannot be listed (no such directory or bucket, access denied). */
export class TrailSourceError extends CloudTrailError {
  readonly location: string;
  constructor(message: string, location: string, kind: CloudTrailErrorKind, options?: ErrorOptions) {
    super(message, kind, options);
    this.name = 'TrailSourceError';
    this.location = location;
  }
}

/** An object the store was asked to open does not exist (a log file a digest lists, for instance). */
export class TrailObjectMissingError extends TrailSourceError {
  readonly object: string;
  constructor(object: string, location: string, options?: ErrorOptions) {
    super(`${object} does not exist`, location, CloudTrailErrorKind.SOURCE, options);
    this.name = 'TrailObjectMissingError';
    this.object = object;
  }
}

export function isCloudTrailError(value: unknown): value is CloudTrailError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
