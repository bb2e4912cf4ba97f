import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { COMPLIANCE_STANDARDS, ExitCode } from '../../constants.js';
import { addAwsFlags, applyAwsFlags, type AwsFlags } from '../awsFlags.js';
import { configFromFlags } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { addListOutputFlags, printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { colourEnabled, printErr, printLine } from '../output.js';
import type { AttemptsRead } from '../../audit/attemptsThread.js';
import type { AuditStore } from '../../audit/AuditStore.js';
import type { ComprehensiveComplianceReport } from '../../report/types.js';
import type { OrgFlags } from './checkOrg.js';
import type { StatusVerification } from '../../manager/statusVerify.js';

interface CheckOptions extends AwsFlags, ListOutputFlags {
  config?: string;
  standard?: string;
  minScore?: string;
  out: string;
  format: string;
  evidence?: string;
  since?: string;
  publicKeys?: string;
  json?: boolean;
  quiet?: boolean;
}

const FORMATS = ['json', 'md', 'html'];
const CI_FORMATS = ['sarif', 'junit', 'csv'];
type BaseFormat = 'json' | 'md' | 'html';
type CiFormat = 'sarif' | 'junit' | 'csv';
/** Errors of a full or failing device: exit 74, not bad usage. */
const IO_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EFBIG']);

function parseMinScore(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new UsageError(`--min-score must be a number from 0 to 100, got ${JSON.stringify(value)}`);
  return n;
}

function parseFormats(value: string): { base: BaseFormat[]; ci: CiFormat[] } {
  const list = value
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const bad = list.filter((f) => !FORMATS.includes(f) && !CI_FORMATS.includes(f));
  if (bad.length || list.length === 0)
    throw new UsageError(
      `--format takes a comma-separated list of ${[...FORMATS, ...CI_FORMATS].join(', ')}; got ${JSON.stringify(value)}`,
    );
  return {
    base: list.filter((f) => FORMATS.includes(f)) as BaseFormat[],
    ci: list.filter((f) => CI_FORMATS.includes(f)) as CiFormat[],
  };
}

/** Maps errors of an assessment to CLI exit codes: bad evidence 2, AWS problems 6. */
export async function toCheckError(err: unknown, timeoutSeconds?: number): Promise<unknown> {
  const { isCredentialsError, isIdentityError } = await import('../../identity/IdentityError.js');
  const { isCloudTrailError } = await import('../../cloudtrail/errors.js');
  const { isPolicyAnalysisError } = await import('../../policy/analysis/PolicyAnalysisError.js');
  const { isAuditStoreError } = await import('../../audit/errors.js');
  const { toAwsNetworkError } = await import('../../aws/errors.js');
  const { isSessionRefusedError } = await import('../../sessions/errors.js');
  const e = err as Error;
  if (isSessionRefusedError(err)) return new UsageError(e.message, { cause: err });
  const network = toAwsNetworkError(err, 'AWS did not answer', timeoutSeconds);
  if (network) return new CliError(network.message, ExitCode.AWS_ERROR, { cause: err });
  if ((err as { isEvidenceError?: boolean })?.isEvidenceError || isPolicyAnalysisError(err))
    return new UsageError(e.message, { cause: err });
  if (isCredentialsError(err) || isIdentityError(err) || isCloudTrailError(err))
    return new CliError(e.message, ExitCode.AWS_ERROR, { cause: err });
  if (isAuditStoreError(err)) return new CliError(e.message, ExitCode.USAGE, { cause: err });
  const ioCode = ((err as { cause?: NodeJS.ErrnoException })?.cause ?? (err as NodeJS.ErrnoException))?.code;
  if ((err as { isFileWriteError?: boolean })?.isFileWriteError && ioCode && IO_CODES.has(ioCode))
    return new CliError(e.message, ExitCode.IO_ERROR, { cause: err });
  if ((err as { isFileWriteError?: boolean })?.isFileWriteError || (err as { name?: string })?.name === 'ReportError')
    return new UsageError(e.message, { cause: err });
  const name = (err as { name?: string })?.name ?? '';
  if (
    /Credential|Token|AccessDenied|Unauthorized/.test(name) ||
    (err as NodeJS.ErrnoException)?.code === 'ECONNREFUSED' ||
    (err as NodeJS.ErrnoException)?.code === 'ENOTFOUND'
  ) {
    return new CliError(`AWS: ${e.message}`, ExitCode.AWS_ERROR, { cause: err });
  }
  return err;
}

async function windowOf(since: string): Promise<{ start: Date; end: Date }> {
  const { parseDuration } = await import('../../cloudtrail/window.js');
  const ms = parseDuration(since);
  if (typeof ms === 'string') throw new UsageError(`--since: ${ms}`);
  return { start: new Date(Date.now() - ms), end: new Date() };
}

async function runAssessment(opts: CheckOptions, evidenceDir: string | undefined) {
  const minScore = parseMinScore(opts.minScore);
  const formats = parseFormats(opts.format);
  // A large audit trail in the evidence is read on a worker thread from now on, while the configuration loads.
  const auditRead = evidenceDir
    ? (await import('../../manager/check/earlyAudit.js')).startEarlyEvidenceAudit(evidenceDir)
    : undefined;
  try {
    return await assess(opts, evidenceDir, minScore, formats, auditRead);
  } finally {
    auditRead?.cancel();
  }
}

async function assess(
  opts: CheckOptions,
  evidenceDir: string | undefined,
  minScore: number | undefined,
  formats: { base: BaseFormat[]; ci: CiFormat[] },
  auditRead: AttemptsRead | undefined,
) {
  const config = await configFromFlags(opts.config, {
    complianceStandard: opts.standard,
    ...(minScore !== undefined ? { minComplianceScore: minScore } : {}),
  });
  applyAwsFlags(config.aws, opts);
  let window: { start: Date; end: Date } | undefined;
  if (opts.since) {
    const { parseDuration } = await import('../../cloudtrail/window.js');
    const ms = parseDuration(opts.since);
    if (typeof ms === 'string') throw new UsageError(`--since: ${ms}`);
    window = { start: new Date(Date.now() - ms), end: new Date() };
  }
  const { runCheck } = await import('../../manager/check/runCheck.js');
  const { progressMode, progressReporter } = await import('../progress.js');
  const mode = progressMode({ quiet: opts.quiet, json: wantsListOutput(opts) });
  const progress = mode === 'off' ? undefined : progressReporter(mode);
  const publicKeys = opts.publicKeys
    ? await (await import('./cloudtrail.js')).readPublicKeyFile(opts.publicKeys)
    : undefined;
  let result;
  try {
    result = await runCheck({
      config,
      ...(publicKeys ? { publicKeys } : {}),
      ...(evidenceDir ? { evidenceDir } : {}),
      ...(auditRead ? { auditRead } : {}),
      ...(minScore !== undefined ? { minScore } : {}),
      ...(window ? { window } : {}),
      ...(progress ? { onProgress: progress } : {}),
    });
  } catch (err) {
    progress?.done();
    const { AWS_TIMEOUT_DEFAULTS } = await import('../../aws/clientConfig.js');
    throw await toCheckError(err, config.aws.timeoutSeconds ?? AWS_TIMEOUT_DEFAULTS.requestSeconds);
  }
  progress?.done();
  const { saveReports } = await import('../../report/saveReport.js');
  let saved: { path: string }[];
  try {
    saved = formats.base.length ? await saveReports(result.report, resolve(opts.out), formats.base) : [];
    if (formats.ci.length) {
      const { saveCiReports } = await import('../../report/saveCiReports.js');
      saved.push(...(await saveCiReports(result.report, resolve(opts.out), formats.ci)));
    }
    await writeGithubOutputs(result.report, !wantsListOutput(opts));
  } catch (err) {
    throw await toCheckError(err);
  }
  if (!evidenceDir) {
    const { lastReportPath } = await import('../../manager/paths.js');
    const { saveReport } = await import('../../report/saveReport.js');
    await saveReport(result.report, lastReportPath(config.dataDirectory), 'json', { mkdirs: true }).catch(
      () => undefined,
    );
  }
  await result.manager.close();
  return { report: result.report, saved: saved.map((s) => s.path) };
}

/** On GitHub Actions: the job summary and annotations for CRITICAL/HIGH findings. */
async function writeGithubOutputs(report: ComprehensiveComplianceReport, annotate: boolean): Promise<void> {
  if (process.env.GITHUB_ACTIONS !== 'true') return;
  const { githubAnnotations, githubStepSummary } = await import('../../report/renderGithub.js');
  // Workflow commands go to stdout, where the runner reads them (not with --json, --output or --query: stdout is the report).
  if (annotate) for (const line of githubAnnotations(report)) process.stdout.write(`${line}\n`);
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) {
    const { appendFile } = await import('node:fs/promises');
    const { FileWriteError } = await import('../../util/atomicWrite.js');
    await appendFile(file, githubStepSummary(report)).catch((err: unknown) => {
      throw new FileWriteError(file, err);
    });
  }
}

async function printSummary(report: ComprehensiveComplianceReport, saved: string[]): Promise<void> {
  const { renderSummaryText } = await import('../../report/renderSummaryText.js');
  printLine(renderSummaryText(report, { colour: colourEnabled() }));
  printLine('');
  printLine('Reports:');
  for (const p of saved) printLine(`  ${p}`);
}

const sharedOptions = (cmd: Command): Command =>
  addListOutputFlags(cmd)
    .option('--config <file>', 'configuration file (default: inventag.config.yaml|yml|json in the working directory)')
    .addOption(new Option('--standard <standard>', 'compliance standard').choices(COMPLIANCE_STANDARDS))
    .option('--min-score <n>', 'lowest compliance score that passes (default: minComplianceScore, 95)')
    .option('--out <dir>', 'directory for the reports', 'inventag-reports')
    .option(
      '--format <list>',
      'report formats, comma-separated: json,md,html and the CI formats sarif,junit,csv (findings)',
      'json,md,html',
    )
    .option('--since <duration>', 'CloudTrail window, e.g. 1h, 24h, 7d (default: cloudtrail.lookbackHours)')
    .option(
      '--public-keys <file>',
      'CloudTrail public keys to verify trail files offline (aws cloudtrail list-public-keys output); default against AWS: cloudtrail:ListPublicKeys',
    )
    .option('--json', 'print the report as JSON instead of the summary (the document --output and --query work on)')
    .option('--quiet', 'no progress lines on stderr (none with --json, --output or --query either)');

export function registerCheck(program: Command): void {
  addAwsFlags(sharedOptions(program.command('check')), 'many')
    .description(
      'Run the whole assessment (identity, permission probes, policy analysis, CloudTrail for the principal, audit trail) and gate on the result.',
    )
    .option(
      '--evidence <dir>',
      'read evidence from a directory (identity.json, policies/, cloudtrail/, audit.db) instead of AWS',
    )
    .option('--org', 'check every account of the organization through a sanctioned session (see docs/ORG.md)')
    .option('--accounts <ids>', 'with --org: only these accounts, comma-separated 12-digit ids')
    .option('--role-name <name>', 'with --org: role assumed in each account (default: sessions.roleName)')
    .option('--concurrency <n>', 'with --org: accounts checked at a time (default 4)')
    .option('--allow-partial', 'with --org: accept a verdict over the evaluated accounts when some are NOT_EVALUATED')
    .addHelpText(
      'after',
      `
Against AWS it uses the standard credential chain: AWS_PROFILE or aws.profile, AWS_REGION or aws.regions,
and AWS_ENDPOINT_URL for a different endpoint. Every AWS call it makes goes through the read-only guard.

Exit codes: 0 compliant, 1 non-compliant, 2 bad usage, configuration or evidence, 6 AWS error
(credentials, permissions, network), 70 internal error.`,
    )
    .action(async (opts: CheckOptions & OrgFlags & { evidence?: string }) => {
      const { checkOrgFlags, runOrgCommand } = await import('./checkOrg.js');
      checkOrgFlags(opts);
      if (opts.org) {
        const { minScore: minScoreText, ...rest } = opts;
        const minScore = parseMinScore(minScoreText);
        const formats = parseFormats(opts.format);
        if (formats.ci.length)
          throw new UsageError(
            `--format ${formats.ci.join(',')} is for one account's findings; with --org use json, md or html`,
          );
        await runOrgCommand({
          ...rest,
          formats: formats.base,
          ...(minScore !== undefined ? { minScore } : {}),
          ...(opts.since ? { window: await windowOf(opts.since) } : {}),
        });
        return;
      }
      const { report, saved } = await runAssessment(opts, opts.evidence);
      if (wantsListOutput(opts)) await printListOutput(report, opts);
      else await printSummary(report, saved);
      process.exitCode = report.complianceStatus.isCompliant ? ExitCode.OK : ExitCode.NON_COMPLIANT;
    });
}

export function registerDemo(program: Command): void {
  sharedOptions(program.command('demo'))
    .description('Run `inventag check` on the bundled demo evidence (no AWS account needed) and write the reports.')
    .action(async (opts: CheckOptions) => {
      const { demoEvidenceDir } = await import('../../manager/paths.js');
      const dir = demoEvidenceDir();
      if (!wantsListOutput(opts)) printLine(`InvenTag demo: checking the bundled evidence in ${dir}\n`);
      const { report, saved } = await runAssessment(opts, dir);
      if (wantsListOutput(opts)) {
        await printListOutput(report, opts);
        return;
      }
      await printSummary(report, saved);
      printLine('');
      const v = report.complianceStatus.verdict;
      const verdict = v === 'COMPLIANT' ? 'COMPLIANT' : v === 'INCONCLUSIVE' ? 'INCONCLUSIVE' : 'NON-COMPLIANT';
      printLine(`The demo ran to completion (exit 0). On this evidence the verdict is ${verdict}:`);
      printLine(
        `in a pipeline, \`inventag check --evidence ${dir}\` exits ${report.complianceStatus.isCompliant ? 0 : 1}, and \`inventag check\` against your account gates the same way.`,
      );
    });
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('Write one report: render a saved JSON report in another format, or run the assessment and write it.')
    .addOption(new Option('--format <format>', 'report format').choices(FORMATS).makeOptionMandatory())
    .requiredOption('--out <file>', 'file to write (atomically)')
    .option('--from <file>', 'a JSON report written by `inventag check`')
    .option('--evidence <dir>', 'run the assessment on an evidence directory')
    .option('--config <file>', 'configuration file')
    .action(
      async (opts: {
        format: 'json' | 'md' | 'html';
        out: string;
        from?: string;
        evidence?: string;
        config?: string;
      }) => {
        const { saveReport } = await import('../../report/saveReport.js');
        let report: ComprehensiveComplianceReport;
        if (opts.from) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(readFileSync(opts.from, 'utf8'));
          } catch (err) {
            throw new UsageError(`cannot read the JSON report ${opts.from}: ${(err as Error).message}`);
          }
          if (
            !parsed ||
            typeof parsed !== 'object' ||
            (parsed as { schemaVersion?: unknown }).schemaVersion === undefined
          )
            throw new UsageError(`${opts.from} is not an InvenTag JSON report (no schemaVersion)`);
          report = parsed as ComprehensiveComplianceReport;
        } else {
          const config = await configFromFlags(opts.config, {});
          const { runCheck } = await import('../../manager/check/runCheck.js');
          try {
            report = (await runCheck({ config, ...(opts.evidence ? { evidenceDir: opts.evidence } : {}) })).report;
          } catch (err) {
            throw await toCheckError(err);
          }
        }
        try {
          printLine(await saveReport(report, resolve(opts.out), opts.format));
        } catch (err) {
          throw await toCheckError(err);
        }
      },
    );
}

export function registerStatus(program: Command): void {
  addListOutputFlags(program.command('status'))
    .description('Show the local state: the audit trail (entries, head, integrity) and the last check.')
    .option('--config <file>', 'configuration file')
    .option('--json', 'print as JSON (the document --output and --query work on)')
    .action(async (opts: { config?: string } & ListOutputFlags) => {
      const config = await configFromFlags(opts.config, {});
      const { existsSync } = await import('node:fs');
      const { lastReportPath, verifiedHeadPath } = await import('../../manager/paths.js');
      const status: Record<string, unknown> = { dataDirectory: config.dataDirectory, auditStore: config.auditStore };
      const { checkAgainstLog, headWentBackwards } = await import('../../audit/knownHead.js');
      const storePath = resolve(config.auditStore!);
      let logged: ReturnType<typeof checkAgainstLog>;
      const { openAuditStore } = await import('../../manager/openAuditStore.js');
      const { isAuditStoreError } = await import('../../audit/errors.js');
      let store: AuditStore | undefined;
      try {
        store = existsSync(storePath) ? openAuditStore(config, { readonly: true }) : undefined;
      } catch (err) {
        // A store file whose trail is gone (its write-ahead log deleted) is compared with the log as a missing one.
        if (!(isAuditStoreError(err) && err.code === 'NOT_FOUND')) throw err;
      }
      if (store !== undefined) {
        try {
          // From the head the last passing `status` recorded when it is still there; `audit verify` walks it all.
          const { verifyForStatus } = await import('../../manager/statusVerify.js');
          const { auditKeyOf } = await import('../../manager/openAuditStore.js');
          const { result: v, verification } = await verifyForStatus(
            store,
            storePath,
            verifiedHeadPath(config.dataDirectory),
            auditKeyOf(config),
          );
          // The newest head the security audit log recorded for this store: a head that went backwards lost entries.
          logged = checkAgainstLog(config.logDirectory, store, storePath);
          status.audit = {
            entries: store.count(),
            head: v.head ? `${v.head.sequence}:${v.head.hash}` : null,
            intact: v.ok && !headWentBackwards(logged?.check),
            ...(v.firstBad ? { firstBad: v.firstBad } : {}),
            verification: { ...verification, checked: v.checked },
            ...(logged
              ? { knownHead: { ...logged.known, status: logged.check.status, message: logged.check.message } }
              : {}),
          };
        } finally {
          store.closeSync();
        }
      } else {
        logged = checkAgainstLog(config.logDirectory, undefined, storePath);
        status.audit = logged
          ? {
              entries: 0,
              head: null,
              intact: false,
              knownHead: { ...logged.known, status: logged.check.status, message: logged.check.message },
            }
          : null;
      }
      const last = lastReportPath(config.dataDirectory);
      if (existsSync(last)) {
        const r = JSON.parse(readFileSync(last, 'utf8')) as ComprehensiveComplianceReport;
        status.lastCheck = {
          generatedAt: r.generatedAt,
          standard: r.complianceStandard,
          isCompliant: r.complianceStatus.isCompliant,
          complianceScore: r.complianceStatus.complianceScore,
          riskScore: r.complianceStatus.riskScore,
          findings: r.findings.length,
        };
      } else status.lastCheck = null;
      if (status.audit !== null && !(status.audit as { intact: boolean }).intact) process.exitCode = ExitCode.TAMPERED;
      if (wantsListOutput(opts)) {
        await printListOutput(status, opts);
        return;
      }
      const audit = status.audit as {
        entries: number;
        head: string | null;
        intact: boolean;
        verification?: StatusVerification & { checked: number };
      } | null;
      printLine(
        `Audit trail: ${audit ? `${audit.entries} entries, head ${audit.head ?? '(empty)'}, ${audit.intact ? 'intact' : 'TAMPERED'}` : `none yet at ${config.auditStore}`}`,
      );
      const how = audit?.verification;
      if (how)
        printLine(
          how.kind === 'incremental'
            ? `  verified incrementally: ${how.checked} entries after the recorded head ${how.from!.slice(0, how.from!.indexOf(':') + 13)}… (inventag audit verify walks the whole chain)`
            : `  verified in full: ${how.checked} entries (${how.reason})`,
        );
      if (how?.notRecorded)
        printLine(`  the verified head was not recorded, so the next status walks in full: ${how.notRecorded}`);
      if (logged && headWentBackwards(logged.check)) printLine(`  TAMPERED: ${logged.check.message}`);
      const lc = status.lastCheck as {
        generatedAt: string;
        isCompliant: boolean;
        complianceScore: number;
        riskScore: number;
        findings: number;
      } | null;
      printLine(
        `Last check: ${lc ? `${lc.generatedAt}: ${lc.isCompliant ? 'COMPLIANT' : 'NON-COMPLIANT'}, score ${lc.complianceScore}, risk ${lc.riskScore}, ${lc.findings} finding(s)` : 'none yet (run inventag check)'}`,
      );
    });
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('Show the effective configuration.');
  addListOutputFlags(config.command('print'))
    .description('Print the effective configuration and where each value came from (default, file, env, flag).')
    .option('--config <file>', 'configuration file')
    .option('--json', 'print as JSON (the document --output and --query work on)')
    .action(async (opts: { config?: string } & ListOutputFlags) => {
      const { loadConfiguration, ConfigError, envName } = await import('../../manager/config.js');
      let loaded;
      try {
        loaded = loadConfiguration(opts.config ? { file: opts.config } : {});
      } catch (err) {
        if (err instanceof ConfigError) throw new UsageError(err.message);
        throw err;
      }
      for (const w of loaded.warnings) printErr(`inventag: warning: ${w}`);
      if (wantsListOutput(opts)) {
        await printListOutput({ file: loaded.file ?? null, config: loaded.config, sources: loaded.sources }, opts);
        return;
      }
      printLine(`# configuration file: ${loaded.file ?? '(none)'}`);
      for (const [key, value] of Object.entries(loaded.config)) {
        const source = loaded.sources[key] ?? 'default';
        printLine(`${key}: ${JSON.stringify(value)}  # ${source}${source === 'env' ? ` (${envName(key)})` : ''}`);
      }
    });
}
