/**
 * The start-up path of the commonest scripted run, `inventag validate SERVICE OPERATION` (with `--json`,
 * `--standard`, `--allow`, `--deny` or `--stdin`): its arguments are read here and validate runs without loading
 * commander, which with its `node:child_process` import is a third of that run's start-up.
 *
 * Only argument lists whose meaning is plain are taken: anything else (help, `--version`, root options,
 * `--output`/`--query`, `--opt=value`, `--`, a value that starts with `-`, an unknown standard, a third operand,
 * INVENTAG_LOG_LEVEL set) goes to the commander program, which prints its own messages and exit codes.
 * test/cli/commandTable.test.ts runs each accepted form both ways and compares output and exit codes.
 */
import { COMPLIANCE_STANDARDS } from '../constants.js';
import type { ValidateOptions } from './commands/validateRun.js';

/** A validate run as the program would parse it. */
export interface FastValidate {
  readonly service: string | undefined;
  readonly operation: string | undefined;
  readonly opts: ValidateOptions;
}

/**
 * What `argv` (the arguments after `inventag`) asks validate to do, exactly as the commander program would parse
 * it, or undefined when it is not such a plain validate run.
 */
export function fastValidate(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): FastValidate | undefined {
  if (argv[0] !== 'validate' || env.INVENTAG_LOG_LEVEL !== undefined) return undefined;
  const operands: string[] = [];
  const opts: { standard: string; json?: true; stdin?: true; allow?: string[]; deny?: string[] } = {
    standard: 'general',
  };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    if (arg === '--json') opts.json = true;
    else if (arg === '--stdin') opts.stdin = true;
    else if (arg === '--standard' || arg === '--allow' || arg === '--deny') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
      if (arg === '--standard') {
        if (!(COMPLIANCE_STANDARDS as readonly string[]).includes(value)) return undefined;
        opts.standard = value;
      } else if (arg === '--allow') opts.allow = [...(opts.allow ?? []), value];
      else opts.deny = [...(opts.deny ?? []), value];
    } else return undefined;
  }
  if (operands.length > 2) return undefined;
  return { service: operands[0], operation: operands[1], opts };
}
