/**
 * `inventag identity`, `inventag permissions` and `inventag policy check`:
 * who the credentials belong to, whether they can read what InvenTag needs,
 * and every write their policies (or policy files) allow.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode } from '../../constants.js';
import type { AwsAccessOptions, CallerIdentity, PermissionEvidence } from '../../identity/index.js';
import type { PolicyAnalysisReport, PolicyDocument } from '../../policy/analysis/index.js';
import { withAuditedGuard } from '../auditedGuard.js';
import { addAwsFlags, awsOptionsOf, type AwsFlags } from '../awsFlags.js';
import { CliError, UsageError } from '../errors.js';
import { addListOutputFlags, printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { colour, printLine } from '../output.js';

interface IdentityFlags extends AwsFlags, ListOutputFlags {
  config?: string;
}

function addIdentityFlags(command: Command): Command {
  return addListOutputFlags(
    addAwsFlags(command)
      .option(
        '--config <file>',
        'configuration file (audit store, standard and overrides of the guard these calls run under)',
      )
      .option('--json', 'print the result as JSON (the document --output and --query work on)'),
  );
}

const accessOf = (flags: IdentityFlags): AwsAccessOptions => awsOptionsOf(flags);

/** AWS and credential failures become exit 6 with the message (which says what to run). */
async function awsErrors<T>(work: () => Promise<T>, timeoutSeconds?: number): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const { isIdentityError } = await import('../../identity/index.js');
    if (isIdentityError(error)) throw new CliError(error.message, ExitCode.AWS_ERROR, { cause: error });
    const { toAwsNetworkError } = await import('../../aws/errors.js');
    const { AWS_TIMEOUT_DEFAULTS } = await import('../../aws/clientConfig.js');
    const network = toAwsNetworkError(error, 'AWS call failed', timeoutSeconds ?? AWS_TIMEOUT_DEFAULTS.requestSeconds);
    if (network) throw new CliError(network.message, ExitCode.AWS_ERROR, { cause: error });
    const message =
      error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    throw new CliError(`AWS call failed: ${message}`, ExitCode.AWS_ERROR, { cause: error });
  }
}

function identityLines(me: CallerIdentity): string[] {
  const lines = [
    `${colour.bold('Account')}   ${me.account ?? '?'}`,
    `${colour.bold('ARN')}       ${me.arn}`,
    `${colour.bold('UserId')}    ${me.userId}`,
  ];
  let kind: string = me.type;
  if (me.permissionSet) kind += ` (permission set ${me.permissionSet}, role ${me.roleName}, session ${me.sessionName})`;
  else if (me.roleName && me.sessionName) kind += ` (role ${me.roleName}, session ${me.sessionName})`;
  else if (me.name && me.type !== 'ROOT_USER') kind += ` (${me.name})`;
  lines.push(`${colour.bold('Type')}      ${kind}`);
  lines.push(`${colour.bold('Key')}       ${me.credentialKind}${me.accessKeyId ? ` (${me.accessKeyId})` : ''}`);
  for (const f of me.findings) {
    const severity =
      f.severity === 'HIGH' || f.severity === 'CRITICAL' ? colour.red(f.severity) : colour.yellow(f.severity);
    lines.push('', `${severity} ${f.title}`, `  ${f.description}`, `  Recommendation: ${f.recommendation}`);
  }
  return lines;
}

export function registerIdentity(program: Command): void {
  addIdentityFlags(
    program
      .command('identity')
      .description(
        'Show who the AWS credentials belong to (STS GetCallerIdentity through the guard): account, ARN, principal type, key kind, findings.',
      ),
  )
    .addHelpText(
      'after',
      `
Principal types: ROOT_USER, IAM_USER, ASSUMED_ROLE, SSO, FEDERATED_USER, IAM_ROLE, UNKNOWN.
Findings: root use (HIGH), long-term AKIA access key (MEDIUM).

Examples:
  inventag identity
  inventag identity --profile prod-readonly --json
  inventag identity --query arn --output text

Exit codes: 0 identity shown, 2 bad usage, 6 credentials missing, expired or refused (the message says what to run).`,
    )
    .action(async (flags: IdentityFlags) => {
      const access = accessOf(flags);
      const { getIdentity } = await import('../../identity/index.js');
      const me = await withAuditedGuard(flags.config, (guard) =>
        awsErrors(() => getIdentity({ ...access, guard }), access.timeoutSeconds),
      );
      if (wantsListOutput(flags)) await printListOutput(me, flags);
      else for (const line of identityLines(me)) printLine(line);
    });
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function probeOf(text: string): { service: string; operation: string } {
  const match = /^([a-z0-9-]+)[:\s]+([A-Za-z0-9_]+)$/.exec(text.trim());
  if (!match)
    throw new UsageError(
      `--probe ${JSON.stringify(text)}: expected SERVICE:OPERATION, e.g. ec2:describe_regions or cloudtrail:LookupEvents`,
    );
  return { service: match[1] as string, operation: match[2] as string };
}

function evidenceLines(evidence: PermissionEvidence, formatReport: (r: PolicyAnalysisReport) => string): string[] {
  const lines: string[] = [];
  if (evidence.identity) lines.push(...identityLines(evidence.identity), '');
  const probes = evidence.probes;
  const statusColour =
    probes.overallStatus === 'VALID' ? colour.green : probes.overallStatus === 'PARTIAL' ? colour.yellow : colour.red;
  lines.push(`${colour.bold('Read probes')}: ${statusColour(probes.overallStatus)}`);
  for (const check of probes.permissionChecks) {
    const mark = check.status === 'PASSED' ? colour.green(check.status) : colour.red(check.status);
    lines.push(
      `  ${check.service}:${check.operation} - ${mark}${check.status === 'PASSED' ? '' : `: ${check.message}`}`,
    );
  }
  lines.push('', colour.bold('Policies of the caller:'));
  if (evidence.collectionError) lines.push(`  ${colour.red('not collected')}: ${evidence.collectionError}`);
  for (const p of evidence.policies) lines.push(`  ${p.source}${p.group ? ` (via group ${p.group})` : ''}`);
  if (evidence.analysis) lines.push('', formatReport(evidence.analysis));
  if (evidence.recommendations.length > 0) {
    lines.push('', colour.bold('Recommendations:'));
    for (const r of evidence.recommendations) lines.push(`  - ${r}`);
  }
  return lines;
}

export function registerPermissions(program: Command): void {
  addIdentityFlags(
    program
      .command('permissions')
      .description(
        "Check the AWS credentials: read probes through the guard, then every write the caller's own IAM policies allow.",
      ),
  )
    .option(
      '--probe <service:operation>',
      'a read probe to run instead of the defaults (repeatable), e.g. cloudtrail:lookup_events',
      collect,
    )
    .option('--quiet', 'no progress lines on stderr (none with --json, --output or --query either)')
    .addHelpText(
      'after',
      `
Default probes: sts:get_caller_identity, ec2:describe_regions, s3:list_buckets.
Policies read: attached managed policies (default version) and inline policies of the
role or user, and of the user's groups; their progress (done/total, ETA) goes to stderr.
Not evaluated: permission boundaries, SCPs,
RCPs, session policies, resource-based policies.

Examples:
  inventag permissions --profile prod-readonly
  inventag permissions --probe cloudtrail:lookup_events --probe s3:list_buckets --json
  inventag permissions --query "probes.permissionChecks[].[service, operation, status]" --output table

Exit codes: 0 probes passed and the policies allow nothing outside Read/List,
5 the policies allow writes, 6 a probe did not pass or the policies could not be read,
2 bad usage.`,
    )
    .action(async (flags: IdentityFlags & { probe?: string[]; quiet?: boolean }) => {
      const access = accessOf(flags);
      const probes = flags.probe?.map(probeOf);
      const { gatherPermissionEvidence } = await import('../../identity/index.js');
      const { formatPolicyReport } = await import('../../policy/analysis/index.js');
      const { progressMode, progressReporter } = await import('../progress.js');
      const mode = progressMode({ quiet: flags.quiet, json: wantsListOutput(flags) });
      const progress = mode === 'off' ? undefined : progressReporter(mode);
      const evidence = await withAuditedGuard(flags.config, (guard) =>
        awsErrors(
          () =>
            gatherPermissionEvidence({
              ...access,
              guard,
              ...(probes ? { probes } : {}),
              ...(progress ? { onProgress: progress } : {}),
            }),
          access.timeoutSeconds,
        ),
      ).finally(() => progress?.done());
      if (wantsListOutput(flags)) await printListOutput(evidence, flags);
      else for (const line of evidenceLines(evidence, (r) => formatPolicyReport(r, colour))) printLine(line);
      if (evidence.writeVerdict === 'writes-allowed') process.exitCode = ExitCode.WRITES_ALLOWED;
      else if (evidence.writeVerdict === 'unknown' || evidence.probes.overallStatus !== 'VALID')
        process.exitCode = ExitCode.AWS_ERROR;
      else process.exitCode = ExitCode.OK;
    });
}

async function readPolicyFile(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : error instanceof Error
              ? error.message
              : String(error);
    throw new UsageError(`${file}: cannot read the policy file (${why})`, { cause: error });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('Offline IAM policy analysis.');
  addListOutputFlags(policy.command('check'))
    .description(
      'Show every action identity policy files allow, by access level: writes grouped by danger and service, sensitive reads apart.',
    )
    .argument('<file...>', 'policy files, analysed together as one principal\'s policies ("-" reads standard input)')
    .option('--json', 'print the analysis as JSON (the document --output and --query work on)')
    .addHelpText(
      'after',
      `
Accepted forms: a policy document; {"PolicyVersion":{"Document":...}} as
"aws iam get-policy-version" prints it; {"PolicyDocument":...} as
"aws iam get-role-policy" prints it; a URL-encoded document as IAM's API returns it.

Examples:
  inventag policy check policies/inventag-readonly.json
  aws iam get-policy-version --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess --version-id v1 > ro.json
  inventag policy check ro.json inline.json --json
  inventag policy check ro.json --query "writes[].actions[].action" --output text

Exit codes: 0 nothing outside Read/List is allowed, 5 writes (Write, Permissions
management, Tagging, or actions the catalog does not know) are allowed, 2 unreadable
or invalid input (the message names the file, statement index and field).`,
    )
    .action(async (files: string[], flags: ListOutputFlags) => {
      if (files.filter((f) => f === '-').length > 1) throw new UsageError('standard input ("-") can be given once');
      const { analyzePolicies, formatPolicyReport, isPolicyDocumentError, parsePolicyText } =
        await import('../../policy/analysis/index.js');
      const documents: PolicyDocument[] = [];
      for (const file of files) {
        const text = await readPolicyFile(file);
        try {
          documents.push(parsePolicyText(text, file === '-' ? '<stdin>' : file));
        } catch (error) {
          if (isPolicyDocumentError(error)) throw new UsageError(error.message, { cause: error });
          throw error;
        }
      }
      const report = analyzePolicies(documents);
      if (wantsListOutput(flags)) await printListOutput(report, flags);
      else printLine(formatPolicyReport(report, colour));
      process.exitCode = report.readOnly ? ExitCode.OK : ExitCode.WRITES_ALLOWED;
    });
}
