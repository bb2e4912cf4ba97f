#!/usr/bin/env node
/**
 * The `inventag` command. The package's `bin` is `dist/cli/inventag.cjs`: this module and the validate command
 * bundled into one CommonJS file by scripts/bundle-cli.mjs, so the commonest scripted run, a plain
 * `inventag validate SERVICE OPERATION` (./fastPath.ts), reads and compiles one file and starts no ES module
 * loader. Every other run imports ./run.ts (the commander program) from dist/ as an ES module; each sub-command
 * lives in ./commands and imports its heavy dependencies (AWS SDK, SQLite, prom-client) inside its action, and
 * only the module of the command that runs is imported (./program.ts, ./commandTable.ts).
 *
 * `node dist/cli/main.js` is the same command as an ES module.
 */
import { ExitCode } from '../constants.js';
import { exitCodeOfError } from './errors.js';
import { fastValidate } from './fastPath.js';

// The SDK warns on Node 20 in releases after early 2027; keep CLI output clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `inventag ... | head`: a closed pipe ends the output, not the process with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** Runs `inventag ARGV...` and resolves with its exit code. */
async function main(argv: string[]): Promise<number> {
  const validate = fastValidate(argv);
  try {
    if (!validate) {
      // A program that cannot even be loaded (a damaged install) is an internal error (exit 70), like any other.
      const { runProgram } = await import('./run.js');
      return await runProgram(argv);
    }
    // Bundled into the bin (scripts/bundle-cli.mjs): no module to load.
    const { runValidate } = await import('./commands/validateRun.js');
    await runValidate(validate.service, validate.operation, validate.opts);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    return exitCodeOfError(err);
  }
}

// No top-level await: the bin is this module as CommonJS.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
