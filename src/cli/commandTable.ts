/**
 * The sub-commands of `inventag`, as a static table: what the root program
 * needs for `inventag --help`, `inventag help`, unknown-command suggestions and
 * dispatch, without importing any command module. Only the module of the
 * command that runs is imported (see ./main.ts), so `inventag validate` does
 * not load the audit store, the AWS SDK or the report renderers.
 *
 * test/cli/commandTable.test.ts loads every command module and checks this
 * table against them: names, aliases, descriptions, help lines and order.
 */
import type { Command } from 'commander';

/** A sub-command module's registration function: adds its command to the root program. */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  readonly name: string;
  readonly aliases: readonly string[];
  /** The one-line description `inventag --help` lists. */
  readonly description: string;
  /** The command's term in `inventag --help`: name, `[options]` and arguments, as commander prints them. */
  readonly term: string;
  /** Imports the modules of the command and returns their registration functions, to be run in order. */
  readonly load: () => Promise<readonly RegisterCommand[]>;
}

/** Every sub-command, in the order `inventag --help` lists them. */
export const COMMAND_TABLE: readonly CommandEntry[] = [
  {
    name: 'demo',
    aliases: [],
    description: 'Run `inventag check` on the bundled demo evidence (no AWS account needed) and write the reports.',
    term: 'demo [options]',
    load: async () => [(await import('./commands/check.js')).registerDemo],
  },
  {
    name: 'check',
    aliases: [],
    description:
      'Run the whole assessment (identity, permission probes, policy analysis, CloudTrail for the principal, audit trail) and gate on the result.',
    term: 'check [options]',
    load: async () => [(await import('./commands/check.js')).registerCheck],
  },
  {
    name: 'validate',
    aliases: [],
    description: 'Classify AWS operations as read-only or not, from the IAM access level of every AWS action.',
    term: 'validate [options] [service] [operation]',
    load: async () => [(await import('./commands/validate.js')).registerValidate],
  },
  {
    name: 'report',
    aliases: [],
    description: 'Write one report: render a saved JSON report in another format, or run the assessment and write it.',
    term: 'report [options]',
    load: async () => [(await import('./commands/check.js')).registerReport],
  },
  {
    name: 'status',
    aliases: [],
    description: 'Show the local state: the audit trail (entries, head, integrity) and the last check.',
    term: 'status [options]',
    load: async () => [(await import('./commands/check.js')).registerStatus],
  },
  {
    name: 'audit',
    aliases: [],
    description: 'verify, export, clean up and read the tamper-evident audit trail',
    term: 'audit',
    load: async () => [(await import('./commands/audit.js')).registerAudit],
  },
  {
    name: 'cloudtrail',
    aliases: [],
    description: 'CloudTrail evidence: did the guarded principal change anything?',
    term: 'cloudtrail',
    load: async () => [(await import('./commands/cloudtrail.js')).registerCloudtrail],
  },
  {
    name: 'identity',
    aliases: [],
    description:
      'Show who the AWS credentials belong to (STS GetCallerIdentity through the guard): account, ARN, principal type, key kind, findings.',
    term: 'identity [options]',
    load: async () => [(await import('./commands/identity.js')).registerIdentity],
  },
  {
    name: 'permissions',
    aliases: [],
    description:
      "Check the AWS credentials: read probes through the guard, then every write the caller's own IAM policies allow.",
    term: 'permissions [options]',
    load: async () => [(await import('./commands/identity.js')).registerPermissions],
  },
  {
    name: 'policy',
    aliases: [],
    description: 'Offline IAM policy analysis.',
    term: 'policy',
    load: async () => {
      const [analysis, generate] = await Promise.all([
        import('./commands/identity.js'),
        import('./commands/policyGenerate.js'),
      ]);
      return [analysis.registerPolicy, generate.registerPolicyGenerate];
    },
  },
  {
    name: 'monitor',
    aliases: [],
    description: 'Production safety monitor: resource thresholds and circuit breaker state.',
    term: 'monitor',
    load: async () => [(await import('./commands/monitor.js')).registerMonitor],
  },
  {
    name: 'metrics',
    aliases: [],
    description:
      'Prometheus metrics of the compliance history: a /metrics endpoint, a node_exporter textfile, a Pushgateway push.',
    term: 'metrics',
    load: async () => [(await import('./commands/metrics.js')).registerMetrics],
  },
  {
    name: 'dashboard',
    aliases: [],
    description:
      'serve the live compliance dashboard (scores, operations over time, errors, breakers, resources, CloudTrail findings) until stopped',
    term: 'dashboard [options]',
    load: async () => [(await import('./commands/dashboard.js')).registerDashboard],
  },
  {
    name: 'config',
    aliases: [],
    description: 'Show the effective configuration.',
    term: 'config',
    load: async () => [(await import('./commands/check.js')).registerConfig],
  },
  {
    name: 'gateway',
    aliases: [],
    description:
      'Serve a read-only AWS endpoint on loopback: clients sign with a session key, writes are refused, reads are forwarded re-signed with the real credentials.',
    term: 'gateway [options]',
    load: async () => [(await import('./commands/gateway.js')).registerGateway],
  },
  {
    name: 'exec',
    aliases: [],
    description:
      'Run a command against a private read-only gateway: AWS_ENDPOINT_URL and a session key are set, real credentials are not passed on.',
    term: 'exec [options] <command> [args...]',
    load: async () => [(await import('./commands/gateway.js')).registerExec],
  },
];

/** The entry whose name or alias is `name`, as commander matches a sub-command. */
export const commandEntry = (name: string | undefined): CommandEntry | undefined =>
  name === undefined ? undefined : COMMAND_TABLE.find((e) => e.name === name || e.aliases.includes(name));
