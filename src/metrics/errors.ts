/**
 * Errors of the exporters and the local HTTP servers (metrics and dashboard).
 * Each carries a brand so `isMetricsError` works across module copies.
 */

const BRAND = Symbol.for('inventag.MetricsError');

export type MetricsErrorCode =
  | 'BIND_REFUSED'
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
  | 'TEXTFILE_DIR_MISSING'
  | 'TEXTFILE_WRITE_FAILED'
  | 'PUSHGATEWAY_BAD_URL'
  | 'PUSHGATEWAY_UNREACHABLE'
  | 'PUSHGATEWAY_REJECTED'
  | 'SNAPSHOT_INVALID'
  | 'WRONG_MODE';

export class MetricsError extends Error {
  readonly [BRAND] = true;
  readonly code: MetricsErrorCode;
  constructor(code: MetricsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MetricsError';
    this.code = code;
  }
}

/** A server could not listen: refused bind rule, port in use, bad address. */
export class BindError extends MetricsError {
  readonly host: string;
  readonly port: number;
  constructor(
    code: 'BIND_REFUSED' | 'PORT_IN_USE' | 'LISTEN_FAILED',
    message: string,
    where: { host: string; port: number },
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'BindError';
    this.host = where.host;
    this.port = where.port;
  }
}

export class TextfileError extends MetricsError {
  readonly path: string;
  constructor(
    code: 'TEXTFILE_DIR_MISSING' | 'TEXTFILE_WRITE_FAILED',
    message: string,
    path: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'TextfileError';
    this.path = path;
  }
}

export class PushgatewayError extends MetricsError {
  /** The gateway URL with any credentials removed. */
  readonly url: string;
  readonly status: number | undefined;
  constructor(
    code: 'PUSHGATEWAY_BAD_URL' | 'PUSHGATEWAY_UNREACHABLE' | 'PUSHGATEWAY_REJECTED',
    message: string,
    url: string,
    status?: number,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'PushgatewayError';
    this.url = url;
    this.status = status;
  }
}

/** A snapshot file that is not JSON or does not have the snapshot's shape. */
export class SnapshotError extends MetricsError {
  readonly file: string;
  constructor(message: string, file: string, options?: ErrorOptions) {
    super('SNAPSHOT_INVALID', message, options);
    this.name = 'SnapshotError';
    this.file = file;
  }
}

export function isMetricsError(value: unknown): value is MetricsError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
