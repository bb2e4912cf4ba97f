import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { printLine } from '../output.js';
import {
  addServeOptions,
  closeSource,
  openSnapshotSource,
  parsePort,
  toCliError,
  tokenOption,
  untilStopped,
} from './metrics.js';
import type { ServeOptions } from './metrics.js';

interface DashboardCommandOptions extends ServeOptions {
  refresh: string;
}

export function registerDashboard(program: Command): void {
  addServeOptions(
    program
      .command('dashboard')
      .description(
        'serve the live compliance dashboard (scores, operations over time, errors, breakers, resources, CloudTrail findings) until stopped',
      )
      .option('--refresh <seconds>', 'how often the page refreshes', '5')
      .addHelpText(
        'after',
        `
Examples:
  inventag dashboard --evidence examples/demo   # http://127.0.0.1:8080/ with the bundled demo evidence
  INVENTAG_TOKEN=$(openssl rand -hex 24) inventag dashboard --host 0.0.0.0`,
      ),
    8080,
    'require the token: open the page as /?token=<token>; API clients send "Authorization: Bearer <token>"',
  ).action(async (opts: DashboardCommandOptions) => {
    const port = parsePort(opts.port);
    const refreshSeconds = Number(opts.refresh);
    if (!Number.isFinite(refreshSeconds) || refreshSeconds < 1 || refreshSeconds > 3600) {
      throw new UsageError(`--refresh must be a number of seconds from 1 to 3600, got ${JSON.stringify(opts.refresh)}`);
    }
    const token = tokenOption(opts.token);
    const source = await openSnapshotSource(opts);
    const { startDashboard } = await import('../../dashboard/dashboardServer.js');
    const server = await startDashboard({
      source,
      port,
      host: opts.host,
      token,
      refreshSeconds,
      onError: (err) =>
        process.stderr.write(`inventag: snapshot failed: ${err instanceof Error ? err.message : String(err)}\n`),
    }).catch((err: unknown) => {
      throw toCliError(err);
    });
    printLine(`dashboard at ${server.url}/${token === undefined ? '' : '?token=<your token>'}`);
    await untilStopped();
    await server.close();
    await closeSource(source);
  });
}
