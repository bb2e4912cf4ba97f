import { ExitCode } from '../constants.js';
import { printErr } from './output.js';

/** An error the CLI turns into a message and an exit code, without a stack trace. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad arguments, bad input files: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.USAGE, options);
    this.name = 'UsageError';
  }
}

/**
 * Prints what went wrong and returns the exit code: a {@link CliError}'s message and code; anything else is an
 * internal error (exit 70) with its stack.
 */
export function exitCodeOfError(err: unknown): ExitCode {
  if (err instanceof CliError) {
    printErr(`inventag: ${err.message}`);
    return err.exitCode;
  }
  printErr(`inventag: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return ExitCode.INTERNAL;
}
