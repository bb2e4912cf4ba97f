/** Why a report could not be rendered or saved. */
export const ReportErrorCode = {
  UNKNOWN_FORMAT: 'UNKNOWN_FORMAT',
} as const;
export type ReportErrorCode = (typeof ReportErrorCode)[keyof typeof ReportErrorCode];

/**
 * Base error of the report renderers. Writing failures are not wrapped: they
 * stay the `FileWriteError` of the atomic writer, which names the path.
 */
export class ReportError extends Error {
  /** Brand checked by {@link isReportError}, so the check works across copies of the module. */
  readonly isReportError = true;
  readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}

export const isReportError = (err: unknown): err is ReportError =>
  typeof err === 'object' && err !== null && (err as { isReportError?: unknown }).isReportError === true;
