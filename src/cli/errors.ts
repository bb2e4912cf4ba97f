import { ExitCode } from '../constants.js';

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
