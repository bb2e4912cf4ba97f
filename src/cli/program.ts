/**
 * The root `inventag` program. Sub-commands come from the static table in
 * ./commandTable.ts: the command that runs (or whose help is asked for) is
 * imported and registered; every other one is a stub with its name, aliases
 * and description, so `inventag --help` and unknown-command suggestions read
 * as if every command were loaded.
 */
import { Command, Help, type OutputConfiguration } from 'commander';
import { parseLogLevel, setLogLevel } from '../logging/debugLog.js';
import { TOOL_VERSION } from '../manager/version.js';
import { COMMAND_TABLE, commandEntry, type CommandEntry } from './commandTable.js';
import { UsageError } from './errors.js';
import { disableColour } from './output.js';

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

/** The root program with its global options and help, and no sub-commands. */
export function rootProgram(output?: OutputConfiguration): Command {
  const program = new Command('inventag');
  if (output) program.configureOutput(output);
  return (
    program
      .description(
        'Prove your AWS automation only read: read-only guard, audit trail, CloudTrail and IAM evidence, compliance reports.',
      )
      // The package's own version: npm_package_version would be the version of the app that runs `npx inventag`.
      .version(TOOL_VERSION)
      .option(
        '--no-color',
        'no colour in the output (also NO_COLOR=1; FORCE_COLOR=1 forces colour, TERM=dumb has none)',
      )
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
      .exitOverride()
  );
}

/**
 * The table entry of the command commander will dispatch `argv` to: the first
 * operand once the root's own options are taken out, exactly as `program`
 * parses them, or the operand after `help`. Undefined when there is none or it
 * is unknown. Parsing the root's options again later sets the same values;
 * `--version` prints the version and ends the run here, as it would there.
 */
function commandFor(program: Command, argv: readonly string[]): CommandEntry | undefined {
  const { operands } = program.parseOptions([...argv]);
  return commandEntry(operands[0] === 'help' ? operands[1] : operands[0]);
}

/**
 * The program for one run: the sub-command `argv` names is imported and
 * registered, every other one is a stub from the table. `all` registers every
 * command (what the table is checked against).
 */
export async function buildProgram(
  argv: readonly string[],
  options: { output?: OutputConfiguration; all?: boolean } = {},
): Promise<Command> {
  const program = rootProgram(options.output);
  const wanted = options.all ? undefined : commandFor(program, argv);
  const loaded = new Map<CommandEntry, readonly ((program: Command) => void)[]>();
  for (const entry of options.all ? COMMAND_TABLE : wanted ? [wanted] : []) loaded.set(entry, await entry.load());
  const stubTerms = new Map<Command, string>();
  for (const entry of COMMAND_TABLE) {
    const registers = loaded.get(entry);
    if (registers) for (const register of registers) register(program);
    else
      stubTerms.set(
        program
          .command(entry.name)
          .aliases([...entry.aliases])
          .description(entry.description),
        entry.term,
      );
  }
  for (const sub of program.commands) sub.exitOverride();
  // The stubs have no options or arguments: their help line is the table's.
  if (stubTerms.size > 0)
    program.configureHelp({
      subcommandTerm(this: Help, cmd: Command): string {
        return stubTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    });
  return program;
}
