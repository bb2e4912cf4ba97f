#!/usr/bin/env node
/**
 * The `inventag` command. Each sub-command lives in ./commands and imports its
 * heavy dependencies (AWS SDK, SQLite, prom-client) inside its action; only the
 * module of the command that runs is imported (./program.ts, ./commandTable.ts),
 * so a `inventag validate` cold start loads only validate and the catalog. A
 * plain `inventag validate SERVICE OPERATION` does not load commander either
 * (./fastPath.ts).
 */
import { ExitCode } from '../constants.js';
import { isAuditKeyMissingError, isAuditStoreTrustError } from '../manager/auditStoreErrors.js';
import { CliError } from './errors.js';
import { fastValidate } from './fastPath.js';
import { printErr } from './output.js';

// The SDK warns on Node 20 in releases after early 2027; keep CLI output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `inventag ... | head`: a closed pipe ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

export async function main(argv: string[]): Promise<number> {
  try {
    const validate = fastValidate(argv);
    if (validate) {
      const { runValidate } = await import('./commands/validateRun.js');
      await runValidate(validate.service, validate.operation, validate.opts);
    } else {
      const { buildProgram } = await import('./program.js');
      const program = await buildProgram(argv);
      await program.parseAsync(argv, { from: 'user' });
    }
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CliError) {
      printErr(`inventag: ${err.message}`);
      return err.exitCode;
    }
    // Commander is loaded when one of its errors can have been thrown (not on the validate start-up path).
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
    printErr(`inventag: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return ExitCode.INTERNAL;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
