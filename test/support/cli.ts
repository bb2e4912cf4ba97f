import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The package's bin: the built command as users run it (one CommonJS file, scripts/bundle-cli.mjs). */
export const CLI = join(ROOT, 'dist', 'cli', 'inventag.cjs');
/** The same command as an ES module (`node dist/cli/main.js`), which the bin is built from. */
export const ESM_CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a Node.js script to completion as a child process, with optional stdin and environment; killed after `timeoutMs`. */
export function runNode(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.input ?? '');
  return outputOf(child, options.timeoutMs ?? 60_000);
}

/** What a child printed and how it ended; it is killed (SIGKILL) once `timeoutMs` have passed. */
function outputOf(
  child: ChildProcessByStdio<Writable | null, Readable, Readable>,
  timeoutMs: number,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs an inline ES module program whose piped stdout nobody reads for `quietMs` (time for it to fill the pipe),
 * then read to its end: a synchronous write larger than the pipe must wait, never fail or write only part.
 */
export async function runWithStalledStdout(program: string, quietMs: number): Promise<CliResult> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pause();
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((r) => setTimeout(r, quietMs));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stdout.resume();
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on('close', (c, sig) => r([c, sig])),
  );
  return { code, signal, stdout, stderr };
}

/** Runs the built `inventag` CLI as a user would. */
export const runCli = (args: string[], options: RunOptions = {}): Promise<CliResult> =>
  runNode([CLI, ...args], options);

/** What {@link runCliTracingLoads} saw: the run, every module URL it loaded, and the packages among them. */
export interface TracedRun extends CliResult {
  loaded: string[];
  /** Package names (`commander`, `@smithy/core`) with a file among `loaded`, sorted. */
  packages: string[];
}

/** Runs the built CLI under the load-trace hook (test/support/loadTrace): what it loaded, ES modules and CommonJS. */
export async function runCliTracingLoads(
  args: string[],
  options: RunOptions & { cli?: string } = {},
): Promise<TracedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-load-trace-'));
  try {
    const log = join(dir, 'load.log');
    const register = pathToFileURL(join(ROOT, 'test/support/loadTrace/register.mjs')).href;
    const r = await runNode(['--import', register, options.cli ?? CLI, ...args], {
      ...options,
      env: { ...options.env, INVENTAG_TEST_LOAD_LOG: log },
    });
    // The hook writes the log as the first module loads: a missing log fails here, never reads as "nothing loaded".
    const loaded = readFileSync(log, 'utf8').trim().split('\n');
    const packages = new Set(
      loaded.flatMap((u) => {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
        return m ? [m[1] as string] : [];
      }),
    );
    return { ...r, loaded, packages: [...packages].sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A long-running CLI command (a server) and the first line it printed. */
export interface ServingCli {
  child: ChildProcess;
  /** The first line on stdout, where a server says where it listens. */
  line: string;
  /** What it wrote to stderr so far. */
  stderr: () => string;
  /** Stops it (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop: () => Promise<void>;
}

/** Starts a long-running `inventag` command and resolves with its first stdout line; rejects if it exits first. */
export function startCli(args: string[], options: RunOptions = {}): Promise<ServingCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    };
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const end = stdout.indexOf('\n');
      if (end >= 0) resolve({ child, line: stdout.slice(0, end).trim(), stderr: () => stderr, stop });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`inventag ${args.join(' ')} exited ${code} first: ${stderr}`)));
  });
}

/**
 * The environment of a CLI run against the loopback AWS server: its endpoint, temporary test credentials, and no
 * shared config or credentials files of the machine (`dir` holds neither).
 */
export function awsCliEnv(url: string, dir: string): NodeJS.ProcessEnv {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIATESTTEMPORARY001',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'token',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  };
}

/**
 * Runs the built `inventag` CLI on a pseudo-terminal (stdin, stdout and stderr all the terminal) through util-linux
 * `script`, as a person at a terminal sees it: what it wrote, stdout and stderr interleaved, is `stdout`. The
 * environment is PATH, TERM=xterm-256color and `options.env` only.
 */
export function runOnTerminal(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd ?? ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TERM: 'xterm-256color',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outputOf(child, options.timeoutMs ?? 120_000);
}

/** `text` as a regular expression that matches it literally. */
export function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
