import type { Command } from 'commander';
import { ExitCode } from '../../constants.js';
import { withAuditedGuard } from '../auditedGuard.js';
import { CliError, UsageError } from '../errors.js';
import { printErr } from '../output.js';

interface GatewayFlags {
  config?: string;
  host: string;
  port: string;
  upstream?: string;
  region?: string;
  printEnv?: boolean;
  maxBody: string;
}

function parseFlags(flags: GatewayFlags): {
  port: number;
  upstream: URL | undefined;
  region: string;
  maxBodyBytes: number;
} {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number 0-65535 (got ${JSON.stringify(flags.port)})`);
  let upstream: URL | undefined;
  if (flags.upstream !== undefined) {
    try {
      upstream = new URL(flags.upstream);
    } catch {
      throw new UsageError(
        `--upstream must be a URL such as http://127.0.0.1:4566 (got ${JSON.stringify(flags.upstream)})`,
      );
    }
    if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
      throw new UsageError(`--upstream must be an http or https URL (got ${upstream.protocol})`);
  }
  const maxBodyBytes = Number(flags.maxBody);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new UsageError(`--max-body must be a positive number of bytes (got ${JSON.stringify(flags.maxBody)})`);
  const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new UsageError(`--region must be an AWS region such as eu-west-1 (got ${JSON.stringify(region)})`);
  return { port, upstream, region, maxBodyBytes };
}

/** Runs `work` with a listening gateway wired to the configured guard pipeline; the gateway closes after. */
async function withGateway<T>(
  flags: GatewayFlags,
  work: (gateway: import('../../gateway/index.js').GatewayServer, region: string) => Promise<T>,
): Promise<T> {
  const { port, upstream, region, maxBodyBytes } = parseFlags(flags);
  return withAuditedGuard(flags.config, async (guardOptions) => {
    const [{ GatewayServer, isGatewayError }, { OperationGuard }, { ProductionSafetyMonitor }, { defaultProvider }] =
      await Promise.all([
        import('../../gateway/index.js'),
        import('../../guard/index.js'),
        import('../../monitor/index.js'),
        import('@aws-sdk/credential-provider-node'),
      ]);
    const monitor = new ProductionSafetyMonitor({ enablePerformanceMonitoring: false });
    const guard = new OperationGuard({ ...guardOptions, monitor, recordParameters: true, logger: { warn: printErr } });
    const gateway = new GatewayServer({
      host: flags.host,
      port,
      ...(upstream === undefined ? {} : { upstream }),
      region,
      maxBodyBytes,
      credentials: defaultProvider(),
      guard,
      logger: { warn: printErr },
    });
    try {
      await gateway.listen();
    } catch (error) {
      if (isGatewayError(error)) throw new CliError(`gateway: ${error.message}`, ExitCode.INTERNAL, { cause: error });
      throw error;
    }
    try {
      const result = await work(gateway, region);
      failIfTheGatewayFailed(gateway);
      return result;
    } finally {
      await gateway.close();
    }
  });
}

/** Exit 70 when the gateway could not decide or record some request: its audit trail is not the whole story. */
function failIfTheGatewayFailed(gateway: import('../../gateway/index.js').GatewayServer): void {
  const failures = gateway.failures;
  if (failures.length === 0) return;
  throw new CliError(
    `the gateway failed ${failures.length === 100 ? '100 or more times' : `${failures.length} time(s)`} while serving (those requests were refused, not forwarded; the audit trail may miss them): ${failures[0]!}`,
    ExitCode.INTERNAL,
  );
}

const GATEWAY_OPTIONS = (cmd: Command): Command =>
  cmd
    .option('--config <file>', 'configuration file (standard, overrides, CUSTOM rules, audit store)')
    .option('--upstream <url>', 'send admitted reads here instead of the AWS regional endpoints')
    .option('--region <region>', 'region of the session environment (default: AWS_REGION, else us-east-1)')
    .option('--max-body <bytes>', 'largest request body the gateway reads', String(10 * 1024 * 1024));

export function registerGateway(program: Command): void {
  GATEWAY_OPTIONS(
    program
      .command('gateway')
      .description(
        'Serve a read-only AWS endpoint on loopback: clients sign with a session key, writes are refused, reads are forwarded re-signed with the real credentials.',
      ),
  )
    .option('--host <host>', 'address to listen on (loopback only)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '0')
    .option('--print-env', 'print the client environment as shell export lines on standard output')
    .addHelpText(
      'after',
      `
Examples:
  eval "$(inventag gateway --port 8787 --print-env)" &   # in one shell
  inventag gateway --upstream http://127.0.0.1:4566      # in front of an emulator

Exit codes: 0 stopped by a signal, 2 bad usage, 70 the gateway failed (it could not start, its server\nstopped, or some request could not be decided or recorded).`,
    )
    .action(async (flags: GatewayFlags) => {
      if (!['127.0.0.1', 'localhost', '::1'].includes(flags.host))
        throw new UsageError(
          `--host must be a loopback address (127.0.0.1, localhost or ::1), got ${JSON.stringify(flags.host)}`,
        );
      await withGateway(flags, async (gateway, region) => {
        const { childEnvironment } = await import('../../gateway/index.js');
        const env = childEnvironment({}, gateway.url, gateway.session, region);
        if (flags.printEnv) {
          for (const name of [
            'AWS_ENDPOINT_URL',
            'AWS_ACCESS_KEY_ID',
            'AWS_SECRET_ACCESS_KEY',
            'AWS_REGION',
            'AWS_DEFAULT_REGION',
          ])
            process.stdout.write(`export ${name}=${env[name]!}\n`);
          process.stdout.write('unset AWS_PROFILE AWS_SESSION_TOKEN\n');
        }
        printErr(
          `inventag gateway: listening on ${gateway.url} (session key ${gateway.session.accessKeyId}); Ctrl-C stops`,
        );
        const serverFailure = await new Promise<string | undefined>((resolve) => {
          process.once('SIGINT', () => resolve(undefined));
          process.once('SIGTERM', () => resolve(undefined));
          void gateway.whenServerFails().then(resolve);
        });
        if (serverFailure !== undefined)
          throw new CliError(`gateway: the server stopped: ${serverFailure}`, ExitCode.INTERNAL);
        const s = gateway.stats;
        printErr(
          `inventag gateway: stopped after ${s.requests} requests (${s.forwarded} forwarded, ${s.blocked} blocked, ${s.refused} refused)`,
        );
      });
    });
}

export function registerExec(program: Command): void {
  GATEWAY_OPTIONS(
    program
      .command('exec')
      .description(
        'Run a command against a private read-only gateway: AWS_ENDPOINT_URL and a session key are set, real credentials are not passed on.',
      )
      .argument('<command>', 'the command to run')
      .argument('[args...]', 'its arguments (put -- before the command)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  inventag exec -- aws ec2 describe-instances
  inventag exec -- python3 inventory.py
  inventag exec -- terraform plan

Exit codes: the command's own exit code; 2 bad usage; 70 the gateway failed (some request could not\nbe decided or recorded in the audit trail: it was refused, and the run's evidence is incomplete).`,
    )
    .action(async (command: string, args: string[], flags: GatewayFlags) => {
      const code = await withGateway({ ...flags, host: '127.0.0.1', port: '0' }, async (gateway, region) => {
        const { childEnvironment, runChild } = await import('../../gateway/index.js');
        try {
          return await runChild(command, args, childEnvironment(process.env, gateway.url, gateway.session, region));
        } catch (error) {
          throw new UsageError(`cannot run ${JSON.stringify(command)}: ${(error as Error).message}`, { cause: error });
        }
      });
      process.exitCode = code;
    });
}
