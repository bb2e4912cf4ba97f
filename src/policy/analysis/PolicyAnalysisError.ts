/**
 * Errors of the policy analysis. A bad policy document is refused with the
 * place it went wrong (file, statement index, field), so a person can fix it
 * without reading our code.
 */
export class PolicyAnalysisError extends Error {
  /** Brand: survives a second copy of this module, where `instanceof` does not. */
  readonly isPolicyAnalysisError = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PolicyAnalysisError';
  }
}

/** Where in a policy document a problem was found. */
export interface PolicyLocation {
  /** The file name, or a label such as `inline:role/Admin/Extra`. */
  readonly source: string;
  /** Zero-based index into `Statement`, when the problem is inside one. */
  readonly statementIndex?: number;
  /** The field, e.g. `Effect` or `Action[2]`. */
  readonly field?: string;
  /** 1-based line and column, for JSON syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

/** A policy document that cannot be read or does not follow the IAM policy grammar. */
export class PolicyDocumentError extends PolicyAnalysisError {
  readonly source: string;
  readonly statementIndex: number | undefined;
  readonly field: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The problem alone, without the location prefix. */
  readonly problem: string;

  constructor(location: PolicyLocation, problem: string, options?: ErrorOptions) {
    super(`${formatLocation(location)}: ${problem}`, options);
    this.name = 'PolicyDocumentError';
    this.source = location.source;
    this.statementIndex = location.statementIndex;
    this.field = location.field;
    this.line = location.line;
    this.column = location.column;
    this.problem = problem;
  }
}

function formatLocation(location: PolicyLocation): string {
  let text = location.source;
  if (location.line !== undefined) text += `:${location.line}:${location.column ?? 1}`;
  const path: string[] = [];
  if (location.statementIndex !== undefined) path.push(`Statement[${location.statementIndex}]`);
  if (location.field !== undefined) path.push(location.field);
  if (path.length > 0) text += `: ${path.join('.')}`;
  return text;
}

export function isPolicyAnalysisError(error: unknown): error is PolicyAnalysisError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { isPolicyAnalysisError?: unknown }).isPolicyAnalysisError === true
  );
}

export function isPolicyDocumentError(error: unknown): error is PolicyDocumentError {
  return isPolicyAnalysisError(error) && (error as { name?: unknown }).name === 'PolicyDocumentError';
}
