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

/**
 * The directory of `inventag check --evidence DIR` (or `--evidence=DIR`), for reading its audit trail while
 * the program loads; undefined for anything else (another command, `--org`, help). A wrong guess costs
 * nothing: the command takes the read only for the directory it was given.
 */
function evidenceDirOf(argv: string[]): string | undefined {
  if (argv[0] !== 'check' || argv.some((a) => a === '--org' || a === '--help' || a === '-h')) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return undefined;
    if (a === '--evidence') return argv[i + 1];
    if (a.startsWith('--evidence=')) return a.slice('--evidence='.length);
  }
  return undefined;
}

/** Runs `inventag ARGV...` and resolves with its exit code. */
async function main(argv: string[]): Promise<number> {
  const validate = fastValidate(argv);
  try {
    if (!validate) {
      const evidence = evidenceDirOf(argv);
      // Bundled into the bin (scripts/bundle-cli.mjs): a large trail's worker starts before the program loads.
      if (evidence) (await import('../manager/check/earlyAudit.js')).prestartEvidenceAudit(evidence);
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
