import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Help } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_TABLE, type RegisterCommand } from '../../src/cli/commandTable.js';
import { fastValidate, type FastValidate } from '../../src/cli/fastPath.js';
import { buildProgram } from '../../src/cli/program.js';
import { ESM_CLI, ROOT, runCli, runCliTracingLoads, runNode, type CliResult } from '../support/cli.js';

const COMMANDS_DIR = join(ROOT, 'src', 'cli', 'commands');

interface Outcome {
  out: string;
  err: string;
  code: string | undefined;
  exitCode: number | undefined;
}

/** Parses `argv` (help, errors, version: nothing that runs an action) and returns what commander printed and threw. */
async function outcome(argv: string[], all: boolean): Promise<Outcome> {
  let out = '';
  let err = '';
  try {
    const program = await buildProgram(argv, {
      all,
      output: {
        writeOut: (s) => (out += s),
        writeErr: (s) => (err += s),
        getOutHelpWidth: () => 100,
        getErrHelpWidth: () => 100,
      },
    });
    await program.parseAsync(argv, { from: 'user' });
    return { out, err, code: undefined, exitCode: undefined };
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    return { out, err, code: e.code, exitCode: e.exitCode };
  }
}

const summaryOf = (cmd: Command) => {
  const help = new Help();
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    description: help.subcommandDescription(cmd),
    term: help.subcommandTerm(cmd),
  };
};

describe('the static command table', () => {
  it('registers exactly the register functions the command modules export, each once', async () => {
    const exported = new Set<RegisterCommand>();
    for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(pathToFileURL(join(COMMANDS_DIR, file)).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod))
        if (/^register[A-Z]/.test(name) && typeof value === 'function') exported.add(value as RegisterCommand);
    }
    const listed: RegisterCommand[] = [];
    for (const entry of COMMAND_TABLE) listed.push(...(await entry.load()));
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(listed)).toEqual(exported);
  });

  it('names, aliases, descriptions, help lines and order match the commands the modules register', async () => {
    const full = await buildProgram([], { all: true });
    expect(full.commands.map(summaryOf)).toEqual(
      COMMAND_TABLE.map((e) => ({ name: e.name, aliases: e.aliases, description: e.description, term: e.term })),
    );
  });

  it('each command entry registers only its own command', async () => {
    for (const entry of COMMAND_TABLE) {
      const program = new Command('inventag');
      for (const register of await entry.load()) register(program);
      expect(program.commands.map((c) => c.name())).toEqual([entry.name]);
    }
  });
});

describe('the program with one command loaded', () => {
  const names = COMMAND_TABLE.map((e) => e.name);
  const cases: string[][] = [
    [],
    ['--help'],
    ['-h'],
    ['help'],
    ['--version'],
    ['-V'],
    ['valdate'],
    ['bogus', 'x'],
    ['--bogus'],
    ['--bogus', 'validate'],
    ['help', 'bogus'],
    ['--no-color', 'validate', '--help'],
    ['--debug', 'help', 'status'],
    ['validate', '--bogus'],
    ['validate', '--standard', 'nope', 'ec2', 'x'],
    ['audit', '--help'],
    ['audit', 'verify', '--help'],
    ['audit', 'nonsense'],
    ['help', 'audit'],
    ['policy', 'generate', '--help'],
    ['policy', '--help'],
    ['cloudtrail', 'scan', '--help'],
    ['metrics', 'serve', '--help'],
    ['monitor', '--help'],
    ['config', '--help'],
    ['--', 'help', 'validate'],
    ...names.map((n) => [n, '--help']),
    ...names.map((n) => ['help', n]),
  ];

  it.each(cases.map((argv) => [argv.join(' ') || '(no arguments)', argv]))(
    'prints and exits as the program with every command: %s',
    async (_label, argv) => {
      const lazy = await outcome(argv, false);
      const full = await outcome(argv, true);
      expect(lazy).toEqual(full);
      expect(lazy.out + lazy.err).not.toBe('');
    },
  );

  it('loads only the module of the command it runs', async () => {
    const program = await buildProgram(['validate', 'ec2', 'describe_instances']);
    const validate = program.commands.find((c) => c.name() === 'validate')!;
    expect(validate.registeredArguments.map((a) => a.name())).toEqual(['service', 'operation']);
    const audit = program.commands.find((c) => c.name() === 'audit')!;
    expect(audit.commands).toEqual([]);
  });
});

describe('inventag as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every command in --help, suggests the nearest one for a typo and prints the same help both ways', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const entry of COMMAND_TABLE) expect(help.stdout).toContain(`  ${entry.term}`);
    const typo = await runCli(['valdate', 'ec2', 'describe_instances']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("error: unknown command 'valdate'");
    expect(typo.stderr).toContain('(Did you mean validate?)');
    const a = await runCli(['help', 'audit']);
    const b = await runCli(['audit', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('Usage: inventag audit');
    expect(a.stdout).toBe(b.stdout);
  });

  it('inventag validate loads no other command module and no package, not even commander', async () => {
    const r = await runCliTracingLoads(['validate', 'ec2', 'describe_instances']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { loaded } = r;
    const inDist = loaded.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/') + 1));
    // One file of ours, the bin, and no ES module: the validate path is bundled into it. (Under the trace hook's
    // loader the bin is seen twice: by the module hooks and in require.cache.)
    expect([...new Set(inDist)]).toEqual(['dist/cli/inventag.cjs']);
    expect(r.packages).toEqual([]);
    // As an ES module the same run loads validate's own module and none of the other commands' modules:
    // neither the audit store, the assessment, the AWS clients nor the report renderers.
    const esm = await runCliTracingLoads(['validate', 'ec2', 'describe_instances'], { cli: ESM_CLI });
    expect(esm.code).toBe(0);
    expect(esm.stdout).toBe(r.stdout);
    const esmInDist = esm.loaded.filter((u) => u.includes('/dist/')).map((u) => u.slice(u.indexOf('/dist/') + 1));
    expect(esmInDist.filter((f) => f.startsWith('dist/cli/commands/'))).toEqual(['dist/cli/commands/validateRun.js']);
    expect(esmInDist).not.toContain('dist/cli/program.js');
    expect(
      esmInDist.filter((f) => /^dist\/(audit\/AuditStore|manager\/check|aws|report\/render|cloudtrail)/.test(f)),
    ).toEqual([]);
    expect(esm.packages).toEqual([]);
    // The program's own path loads commander (help, anything the start-up path does not take).
    const help = await runCliTracingLoads(['validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.packages).toContain('commander');
    // Its help loads neither the catalog nor the verdict engine (validate's action imports them when it runs).
    expect(help.loaded.filter((u) => /\/dist\/(policy|catalog|validator)\//.test(u))).toEqual([]);
  });
});

/** Runs the validate action of the program with every command, capturing what commander parsed instead of running. */
async function commanderParse(argv: string[]): Promise<FastValidate> {
  const program = await buildProgram(argv, { all: true, output: { writeOut: () => {}, writeErr: () => {} } });
  let parsed: FastValidate | undefined;
  program.commands
    .find((c) => c.name() === 'validate')!
    .action((service: string | undefined, operation: string | undefined, opts: FastValidate['opts']) => {
      parsed = { service, operation, opts: { ...opts } };
    });
  await program.parseAsync(argv, { from: 'user' });
  if (!parsed) throw new Error(`validate did not run for ${argv.join(' ')}`);
  return parsed;
}

describe('the bin of a damaged install', () => {
  it('validates from the bundle alone, and fails any other command with exit 70 naming the missing module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inventag-damaged-'));
    try {
      for (const part of ['package.json', 'dist', 'data'])
        cpSync(join(ROOT, part), join(dir, part), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      rmSync(join(dir, 'dist', 'cli', 'run.js'));
      const bin = join(dir, 'dist', 'cli', 'inventag.cjs');
      const ok = await runNode([bin, 'validate', 'ec2', 'describe_instances']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain('ALLOWED ec2:DescribeInstances');
      const broken = await runNode([bin, 'status']);
      expect(broken.code).toBe(70);
      expect(broken.stdout).toBe('');
      expect(broken.stderr).toMatch(/^inventag: internal error: .*dist\/cli\/run\.js/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the validate start-up path (without commander)', () => {
  const taken: string[][] = [
    ['validate', 'ec2', 'describe_instances'],
    ['validate', 'S3Client', 'PutObjectCommand', '--standard', 'soc2', '--json'],
    ['validate', '--json', 'lambda', 'Invoke'],
    ['validate', 'ec2:DescribeInstances'],
    ['validate', 'ec2'],
    ['validate'],
    ['validate', ''],
    ['validate', 'help'],
    ['validate', 'help', 'ec2'],
    ['validate', '--allow', 'athena:StartQueryExecution', 'athena', 'StartQueryExecution'],
    ['validate', '--deny', 's3:GetObject', '--deny', 's3:ListBucket', 's3', 'GetObject', '--json'],
    ['validate', '--allow', 'not a pattern', 'ec2', 'DescribeInstances'],
    ['validate', '--standard', 'general', '--standard', 'iso27001', 'ec2', 'TerminateInstances'],
    ['validate', '--standard', 'custom', 'ec2', 'DescribeInstances'],
    ['validate', '--json', '--json', 'nosuchservice', 'DoThing'],
    ['validate', '--stdin'],
    ['validate', '--stdin', '--json'],
    ['validate', '--stdin', 'ec2', 'x'],
  ];
  const notTaken: [string, string[], NodeJS.ProcessEnv?][] = [
    ['help', ['validate', '--help']],
    ['short help', ['validate', '-h']],
    ['a third operand', ['validate', 'a', 'b', 'c']],
    ['an unknown standard', ['validate', '--standard', 'nope', 'a', 'b']],
    ['a missing value', ['validate', '--standard']],
    ['an option as a value', ['validate', '--allow', '--json', 'a', 'b']],
    ['--output', ['validate', '--output', 'json', 'a', 'b']],
    ['--query', ['validate', '--query', 'isValid', 'a', 'b']],
    ['--opt=value', ['validate', '--standard=soc2', 'a', 'b']],
    ['--', ['validate', '--', 'a', 'b']],
    ['a root option after the command', ['validate', 'a', 'b', '--debug']],
    ['a root option before it', ['--no-color', 'validate', 'a', 'b']],
    ['an unknown option', ['validate', '--bogus', 'a', 'b']],
    ['a negative-looking operand', ['validate', '-1', 'b']],
    ['another command', ['check']],
    ['INVENTAG_LOG_LEVEL set', ['validate', 'a', 'b'], { INVENTAG_LOG_LEVEL: 'debug' }],
  ];

  it.each(taken.map((argv) => [argv.join(' '), argv]))('reads %j as commander does', async (_label, argv) => {
    expect(fastValidate(argv, {})).toEqual(await commanderParse(argv));
  });

  it.each(notTaken)('leaves %s to the program', (_what, argv, env) => {
    expect(fastValidate(argv, env ?? {})).toBeUndefined();
  });

  // NO_COLOR=1 (runNode sets it) makes --no-color change nothing but the path: it sends the run through commander.
  it.each(taken.map((argv) => [argv.join(' '), argv]))(
    'inventag %s prints and exits as the run through the program does',
    async (_label, argv) => {
      const input = 'ec2 DescribeInstances\nlambda Invoke\nbad line here\n';
      // Apart from the time each verdict was made.
      const untimed = (r: CliResult) => ({
        ...r,
        stdout: r.stdout.replace(/"timestamp": ?"[^"]+"/g, '"timestamp":"T"'),
      });
      const fast = untimed(await runCli(argv, { input }));
      const program = untimed(await runCli(['--no-color', ...argv], { input }));
      expect(fast).toEqual(program);
      // The bin is built from dist/cli/main.js: the ES module prints and exits the same.
      expect(untimed(await runNode([ESM_CLI, ...argv], { input }))).toEqual(fast);
      expect(fast.stdout + fast.stderr).not.toBe('');
    },
  );
});
