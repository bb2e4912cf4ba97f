#!/usr/bin/env node
/**
 * The `inventag` command. Each sub-command lives in ./commands and imports its
 * heavy dependencies (AWS SDK, SQLite, prom-client) inside its action, so a
 * `inventag validate` cold start loads only the catalog.
 */
import { parseLogLevel, setLogLevel } from '../logging/debugLog.js';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../constants.js';
import { isAuditKeyMissingError, isAuditStoreTrustError } from '../manager/auditStoreErrors.js';
import { TOOL_VERSION } from '../manager/version.js';
import { CliError, UsageError } from './errors.js';
import { disableColour, printErr } from './output.js';
import { commands } from './commands/index.js';

// The SDK warns on Node 20 in releases after early 2027; keep CLI output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `inventag ... | head`: a closed pipe ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const EXIT_CODES_HELP = `
Exit codes:
  0   success / compliant / every operation allowed
  1   non-compliant (check)
  2   bad usage or unreadable input (message names the argument, file or field)
  3   an operation was blocked (validate)
  4   audit trail tampered (audit verify; any command whose audit store's keyed-ness differs from the configuration)
  5   a policy allows writes (policy check, permissions)
  6   AWS error (credentials, permissions, bucket not found, network, timeout)
  70  internal error
  74  I/O error writing output (disk full, device error, read-only filesystem)`;

export function buildProgram(): Command {
  const program = new Command('inventag')
    .description(
      'Prove your AWS automation only read: read-only guard, audit trail, CloudTrail and IAM evidence, compliance reports.',
    )
    // The package's own version: npm_package_version would be the version of the app that runs `npx inventag`.
    .version(TOOL_VERSION)
    .option('--no-color', 'no colour in the output (also NO_COLOR=1; FORCE_COLOR=1 forces colour, TERM=dumb has none)')
    .option(
      '--debug',
      'log each decision with its evidence, each AWS call and each evidence file read to stderr, redacted (also INVENTAG_LOG_LEVEL=debug)',
    )
    .hook('preAction', (command) => {
      const opts = command.opts<{ color?: boolean; debug?: boolean }>();
      if (opts.color === false) disableColour();
      try {
        if (opts.debug) setLogLevel('debug');
        else if (process.env.INVENTAG_LOG_LEVEL)
          setLogLevel(parseLogLevel(process.env.INVENTAG_LOG_LEVEL, 'INVENTAG_LOG_LEVEL'));
      } catch (error) {
        throw new UsageError((error as Error).message, { cause: error });
      }
    })
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return ExitCode.OK;
      return ExitCode.USAGE;
    }
    if (err instanceof CliError) {
      printErr(`inventag: ${err.message}`);
      return err.exitCode;
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
