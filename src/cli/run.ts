/**
 * The commander program's side of the `inventag` command: every run the start-up path (./main.ts) does not take
 * itself comes here, with the exit code for every kind of error.
 */
import { ExitCode } from '../constants.js';
import { isAuditKeyMissingError, isAuditStoreTrustError } from '../manager/auditStoreErrors.js';
import { CliError, exitCodeOfError } from './errors.js';
import { printErr } from './output.js';

/** Runs `inventag ARGV...` through the commander program and resolves with its exit code. */
export async function runProgram(argv: string[]): Promise<number> {
  try {
    const { buildProgram } = await import('./program.js');
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (!(err instanceof CliError)) {
      const { CommanderError } = await import('commander');
      if (err instanceof CommanderError) {
        if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
          return ExitCode.OK;
        return ExitCode.USAGE;
      }
      // The configured audit store is not the store the configuration describes (keyed vs plain): tampered.
      if (isAuditStoreTrustError(err)) {
        printErr(`inventag: ${err.message}`);
        return ExitCode.TAMPERED;
      }
      if (isAuditKeyMissingError(err)) {
        printErr(`inventag: ${err.message}`);
        return ExitCode.USAGE;
      }
    }
    return exitCodeOfError(err);
  }
}
