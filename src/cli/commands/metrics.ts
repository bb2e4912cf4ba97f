import type { Command } from 'commander';
import { ExitCode } from '../../constants.js';
import type { SnapshotSource } from '../../metrics/snapshot.js';
import { CliError, UsageError } from '../errors.js';
import { printLine } from '../output.js';

/** Where a command's snapshots come from: a saved snapshot file, or the manager over a store and evidence. */
export interface SnapshotSourceOptions {
  snapshot?: string;
  config?: string;
  store?: string;
  evidence?: string;
}

export interface ServeOptions extends SnapshotSourceOptions {
  port: string;
  host: string;
  token?: string;
}

interface WriteOptions extends SnapshotSourceOptions {
  pushgateway?: string;
  job: string;
  group?: string[];
}

/** The options every metrics and dashboard command shares. */
export function addSourceOptions(command: Command): Command {
  return command
    .option(
      '--snapshot <file>',
      'read a saved compliance snapshot (JSON, as /api/snapshot serves it) instead of the history',
    )
    .option('--config <file>', 'compliance configuration file')
    .option('--store <path>', 'audit store to follow (default: the configured one)')
    .option('--evidence <dir>', 'an evidence directory to assess once, e.g. the bundled examples/demo');
}

const SERVE_EXIT_CODES =
  '\nExit codes: 0 stopped cleanly, 2 bad option, port in use, non-loopback address without a token, or bad snapshot.';

/** `--port`, `--host`, `--token` and the source options of a long-running server command. */
export function addServeOptions(command: Command, defaultPort: number, tokenHelp: string): Command {
  return addSourceOptions(
    command
      .option('--port <port>', 'port to listen on (0 picks a free one)', String(defaultPort))
      .option('--host <host>', 'address to listen on; a non-loopback address needs --token', '127.0.0.1')
      .option('--token <token>', `${tokenHelp} (or set INVENTAG_TOKEN)`),
  ).addHelpText('after', SERVE_EXIT_CODES);
}

/** Opens the snapshot source and reads it once, so bad input fails before anything starts. */
export async function openSnapshotSource(opts: SnapshotSourceOptions): Promise<SnapshotSource> {
  let source: SnapshotSource;
  if (opts.snapshot !== undefined) {
    if (opts.config !== undefined || opts.store !== undefined || opts.evidence !== undefined) {
      throw new UsageError(
        '--snapshot reads a saved snapshot; it cannot be combined with --config, --store or --evidence',
      );
    }
    const { FileSnapshotSource } = await import('../../metrics/FileSnapshotSource.js');
    source = new FileSnapshotSource(opts.snapshot);
  } else {
    const { loadSnapshotSource } = await import('../../manager/snapshot/snapshotSource.js');
    source = await loadSnapshotSource({ config: opts.config, store: opts.store, evidence: opts.evidence });
  }
  await source.getSnapshot().catch((err: unknown) => {
    throw toCliError(err);
  });
  return source;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** `--token`, else the INVENTAG_TOKEN environment variable (which keeps the token out of `ps`). */
export function tokenOption(token: string | undefined): string | undefined {
  return token ?? (process.env.INVENTAG_TOKEN || undefined);
}

/** Exporter errors as CLI errors: bad arguments and files exit 2, an unreachable or refusing Pushgateway exits 6. */
export function toCliError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null || !('code' in err) || !(err instanceof Error)) return err;
  switch ((err as { code: unknown }).code) {
    case 'BIND_REFUSED':
    case 'PORT_IN_USE':
    case 'LISTEN_FAILED':
    case 'TEXTFILE_DIR_MISSING':
    case 'TEXTFILE_WRITE_FAILED':
    case 'SNAPSHOT_INVALID':
    case 'PUSHGATEWAY_BAD_URL':
      return new UsageError(err.message, { cause: err });
    case 'PUSHGATEWAY_UNREACHABLE':
    case 'PUSHGATEWAY_REJECTED':
      return new CliError(err.message, ExitCode.AWS_ERROR, { cause: err });
    default:
      return err;
  }
}

/** Releases what a source holds open (the manager's audit store), if it can. */
export async function closeSource(source: SnapshotSource): Promise<void> {
  const closable = source as SnapshotSource & { close?: () => unknown };
  if (typeof closable.close === 'function') await closable.close();
}

/** Resolves on Ctrl-C or SIGTERM, so a server command can close cleanly. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function parseGrouping(pairs: string[] | undefined): Record<string, string> {
  const grouping: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--group expects label=value, got ${JSON.stringify(pair)}`);
    grouping[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return grouping;
}

export function registerMetrics(program: Command): void {
  const metrics = program
    .command('metrics')
    .description(
      'Prometheus metrics of the compliance history: a /metrics endpoint, a node_exporter textfile, a Pushgateway push.',
    );

  addServeOptions(
    metrics.command('serve').description('serve /metrics for Prometheus to scrape, until stopped (Ctrl-C)'),
    9464,
    'require "Authorization: Bearer <token>"',
  ).action(async (opts: ServeOptions) => {
    const port = parsePort(opts.port);
    const source = await openSnapshotSource(opts);
    const { ComplianceMetrics } = await import('../../metrics/ComplianceMetrics.js');
    const { startMetricsServer } = await import('../../metrics/metricsServer.js');
    const server = await startMetricsServer({
      metrics: new ComplianceMetrics(),
      source,
      port,
      host: opts.host,
      token: tokenOption(opts.token),
      onError: (err) =>
        process.stderr.write(
          `inventag: snapshot failed during a scrape: ${err instanceof Error ? err.message : String(err)}\n`,
        ),
    }).catch((err: unknown) => {
      throw toCliError(err);
    });
    printLine(`serving metrics at ${server.url}/metrics`);
    await untilStopped();
    await server.close();
    await closeSource(source);
  });

  addSourceOptions(
    metrics
      .command('write')
      .description(
        'write the metrics once: to FILE for node_exporter (atomically; "-" for stdout) and/or to a Pushgateway',
      )
      .argument('[file]', 'target file, e.g. /var/lib/node_exporter/textfile/inventag.prom; "-" writes to stdout')
      .option('--pushgateway <url>', 'also push to this Pushgateway (http://host:9091; user:password@ for Basic auth)')
      .option('--job <name>', 'Pushgateway job name', 'inventag')
      .option('--group <label=value>', 'Pushgateway grouping label (repeatable), e.g. instance=nightly', collect),
  )
    .addHelpText(
      'after',
      `
Examples:
  inventag metrics write /var/lib/node_exporter/textfile/inventag.prom
  inventag metrics write --pushgateway http://pushgateway:9091 --group instance=nightly

Exit codes: 0 written, 2 bad option, missing directory or bad snapshot, 6 Pushgateway unreachable or refusing.
When both FILE and --pushgateway are given, each is attempted; a failure of one does not stop the other.`,
    )
    .action(async (file: string | undefined, opts: WriteOptions) => {
      if (file === undefined && opts.pushgateway === undefined)
        throw new UsageError('metrics write needs a FILE ("-" for stdout), --pushgateway URL, or both');
      const grouping = parseGrouping(opts.group);
      const source = await openSnapshotSource(opts);
      const { ComplianceMetrics } = await import('../../metrics/ComplianceMetrics.js');
      const registry = new ComplianceMetrics();
      registry.update(await source.getSnapshot());
      const text = await registry.render();
      await closeSource(source);

      const failures: unknown[] = [];
      if (file === '-') process.stdout.write(text);
      else if (file !== undefined) {
        const { writeTextfile } = await import('../../metrics/textfile.js');
        await writeTextfile(file, text).catch((err: unknown) => failures.push(toCliError(err)));
      }
      if (opts.pushgateway !== undefined) {
        const { pushToGateway } = await import('../../metrics/pushgateway.js');
        await pushToGateway(text, { url: opts.pushgateway, job: opts.job, grouping }).catch((err: unknown) =>
          failures.push(toCliError(err)),
        );
      }
      if (failures.length === 0) return;
      const [first, ...rest] = failures;
      for (const err of rest) process.stderr.write(`inventag: ${err instanceof Error ? err.message : String(err)}\n`);
      throw first;
    });
}
