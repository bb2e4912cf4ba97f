import { resolve } from 'node:path';
import { ExitCode } from '../../constants.js';
import { applyAwsFlags, type AwsFlags } from '../awsFlags.js';
import { configFromFlags } from '../config.js';
import { CliError, UsageError } from '../errors.js';
import { printListOutput, wantsListOutput, type ListOutputFlags } from '../listOutput.js';
import { printLine } from '../output.js';

/** The flags of `check` that belong to `--org`. */
export interface OrgFlags {
  org?: boolean;
  accounts?: string;
  roleName?: string;
  concurrency?: string;
  allowPartial?: boolean;
}

/** Refuses org flags without `--org`, and `--org` with `--evidence`. */
export function checkOrgFlags(opts: OrgFlags & { evidence?: string }): void {
  if (opts.org) {
    if (opts.evidence) throw new UsageError('--org checks AWS accounts; it cannot be combined with --evidence');
    return;
  }
  const stray = (
    [
      ['accounts', '--accounts'],
      ['roleName', '--role-name'],
      ['concurrency', '--concurrency'],
      ['allowPartial', '--allow-partial'],
    ] as const
  ).filter(([k]) => opts[k] !== undefined);
  if (stray.length) throw new UsageError(`${stray.map(([, f]) => f).join(', ')} only apply with --org`);
}

export function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 64)
    throw new UsageError(`--concurrency: expected a whole number from 1 to 64, got ${JSON.stringify(value)}`);
  return n;
}

/** `inventag check --org`: every account of the organization (or `--accounts`), one org report; exit 0 only when COMPLIANT. */
export async function runOrgCommand(
  opts: OrgFlags &
    AwsFlags &
    ListOutputFlags & {
      config?: string;
      standard?: string;
      minScore?: number;
      out: string;
      formats: ('json' | 'md' | 'html')[];
      window?: { start: Date; end: Date };
      quiet?: boolean;
    },
): Promise<void> {
  const concurrency = parseConcurrency(opts.concurrency);
  const { parseAccountIds, runOrgCheck, saveOrgReport, isOrgInputError } = await import('../../org/index.js');
  let accounts: string[] | undefined;
  try {
    accounts = opts.accounts === undefined ? undefined : parseAccountIds(opts.accounts);
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  const config = await configFromFlags(opts.config, {
    complianceStandard: opts.standard,
    ...(opts.minScore !== undefined ? { minComplianceScore: opts.minScore } : {}),
  });
  applyAwsFlags(config.aws, opts);
  const { isSessionRefusedError } = await import('../../sessions/errors.js');
  const { progressMode, progressReporter } = await import('../progress.js');
  const mode = progressMode({ quiet: opts.quiet, json: wantsListOutput(opts) });
  const progress = mode === 'off' ? undefined : progressReporter(mode);
  const out = resolve(opts.out);
  let result;
  try {
    result = await runOrgCheck({
      config,
      ...(accounts ? { accounts } : {}),
      ...(opts.roleName !== undefined ? { roleName: opts.roleName } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      allowPartial: opts.allowPartial ?? false,
      ...(opts.minScore !== undefined ? { minScore: opts.minScore } : {}),
      ...(opts.window ? { window: opts.window } : {}),
      outDir: out,
      formats: opts.formats,
      ...(progress ? { onProgress: progress } : {}),
    });
  } catch (err) {
    progress?.done();
    if (isOrgInputError(err)) throw new UsageError((err as Error).message, { cause: err });
    if (isSessionRefusedError(err)) throw new UsageError((err as Error).message, { cause: err });
    const { toCheckError } = await import('./check.js');
    const mapped = await toCheckError(err);
    if (mapped !== err) throw mapped;
    const name = (err as { name?: string })?.name ?? '';
    if (/^(AccessDenied|AWSOrganizationsNotInUse|Throttling)/.test(name))
      throw new CliError(`AWS: ${(err as Error).message}`, ExitCode.AWS_ERROR, { cause: err });
    throw err;
  }
  progress?.done();
  const saved = await saveOrgReport(result.report, out, opts.formats);
  {
    // The accounts of this run become the `account` series of metrics and the dashboard (bounded to the run).
    const { lastOrgReportPath } = await import('../../manager/paths.js');
    const { renderOrgJson } = await import('../../org/renderOrgReport.js');
    const { writeFileAtomic } = await import('../../util/atomicWrite.js');
    await writeFileAtomic(lastOrgReportPath(config.dataDirectory), renderOrgJson(result.report), {
      mkdirs: true,
    }).catch(() => undefined);
  }
  await result.manager.close();
  const { report } = result;
  if (wantsListOutput(opts)) await printListOutput(report, opts);
  else {
    printLine(`Organization: ${report.verdict}`);
    printLine(report.verdictReason);
    printLine('');
    for (const r of report.accounts)
      printLine(
        `  ${r.accountId}  ${r.verdict.padEnd(13)}  ${r.evaluated ? `score ${r.complianceScore ?? '-'}, writes ${r.writesFound ?? '-'}, findings C${r.findings.CRITICAL} H${r.findings.HIGH} M${r.findings.MEDIUM} L${r.findings.LOW}` : (r.reason ?? '')}`,
      );
    printLine('');
    printLine('Reports:');
    for (const p of saved) printLine(`  ${p}`);
  }
  process.exitCode = report.verdict === 'COMPLIANT' ? ExitCode.OK : ExitCode.NON_COMPLIANT;
}
