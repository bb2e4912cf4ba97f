import { randomUUID } from 'node:crypto';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsOptionsFromConfig, createAwsClient } from '../aws/clientConfig.js';
import { RiskLevel } from '../constants.js';
import { gatherPermissionEvidence } from '../identity/gatherPermissionEvidence.js';
import { NOT_COLLECTED } from '../identity/collectPrincipalPolicies.js';
import { ComplianceManager } from '../manager/ComplianceManager.js';
import type { ComplianceConfiguration } from '../manager/config.js';
import { TOOL_VERSION } from '../manager/version.js';
import { PolicyAnalyzer } from '../policy/analysis/PolicyAnalyzer.js';
import type { ReportFormat } from '../report/saveReport.js';
import type { ProgressListener } from '../util/progress.js';
import { baseCredentialsFor } from '../sessions/profileCredentials.js';
import { SanctionedRoles } from '../sessions/SanctionedRoles.js';
import { selectAccounts } from './accounts.js';
import { OrgInputError } from './errors.js';
import { emptyCounts, evaluateAccount } from './evaluateAccount.js';
import { orgVerdict } from './orgVerdict.js';
import { runPool } from './pool.js';
import { AccountVerdict, ORG_REPORT_SCHEMA_VERSION, type OrgReport } from './types.js';

export interface OrgCheckOptions {
  config: ComplianceConfiguration;
  /** Account ids to check (`--accounts`); @default every ACTIVE account ListAccounts returns */
  accounts?: readonly string[];
  /** @default config.sessions.roleName */
  roleName?: string;
  /** Accounts checked at a time. @default 4 */
  concurrency?: number;
  /** Accept a COMPLIANT verdict over the evaluated accounts while some are NOT_EVALUATED (the verdict says so). @default false */
  allowPartial?: boolean;
  minScore?: number;
  window?: { start: Date; end: Date };
  /** Where the org report goes; each account's reports go to `accounts/<id>/` beneath it. */
  outDir: string;
  formats: readonly ReportFormat[];
  /** Credentials of the base principal that assumes the role in each account. @default the SDK's default chain */
  baseCredentials?: AwsCredentialIdentityProvider;
  /**
   * Progress: each step's label (listing accounts, the base principal's policies with their counts, then
   * `checking N account(s), ...` with accounts done/total, NOT_EVALUATED ones named in the unit).
   */
  onProgress?: ProgressListener;
}

/** Default of `--concurrency`: four accounts at a time keep one process busy without tripping STS quotas. */
export const DEFAULT_ORG_CONCURRENCY = 4;

/**
 * `inventag check --org`: the accounts of the organization (or those named),
 * the role assumed in each through the sanctioned session provider, the whole
 * check run per account through the session's credentials, and one org
 * report. One audit trail holds every account's calls, each attributed to
 * its account, and one session record per account.
 */
export async function runOrgCheck(
  options: OrgCheckOptions,
): Promise<{ report: OrgReport; manager: ComplianceManager }> {
  const { config } = options;
  const concurrency = options.concurrency ?? DEFAULT_ORG_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new OrgInputError(`--concurrency: expected a whole number from 1 to 64, got ${String(concurrency)}`);
  const roleName = options.roleName ?? config.sessions.roleName;
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new OrgInputError(
      `--role-name: ${JSON.stringify(roleName)} is not an IAM role name (1-64 characters of [\\w+=,.@-])`,
    );
  const sanctioned = new SanctionedRoles(config.sessions.assumeRoles);
  const progress = options.onProgress ?? (() => undefined);

  // The run's own manager: its guard covers the calls made as the base principal; its trail is every account's.
  const manager = new ComplianceManager(config, { subject: { mode: 'aws' } });
  const auditStore = manager.auditStore();
  if (!auditStore) throw new Error('inventag: check --org needs an audit trail (auditStore)');
  const guard = { verdicts: manager.verdicts, monitor: manager.operationMonitor, audit: auditStore };
  const baseCredentials = options.baseCredentials ?? (await baseCredentialsFor(config, { audit: auditStore }));
  const access = awsOptionsFromConfig(config.aws, baseCredentials);

  progress('listing the organization accounts');
  const organizations = manager.guard(createAwsClient(OrganizationsClient, access));
  const { accounts, source } = await selectAccounts(organizations, options.accounts);

  progress('checking the base principal and the roles its policies let it assume');
  const base = await gatherPermissionEvidence({
    ...access,
    guard,
    probes: [{ service: 'sts', operation: 'get_caller_identity' }],
    analyzer: new PolicyAnalyzer({ notEvaluated: [...NOT_COLLECTED, 'condition values'], sessionRoles: sanctioned }),
    onProgress: progress,
  });
  const grants = base.analysis?.sessionGrants ?? [];
  const baseFindings: OrgReport['basePrincipal']['findings'][number][] = [];
  for (const g of grants.filter((x) => !x.expected))
    baseFindings.push({
      severity: RiskLevel.HIGH,
      title: `sts:AssumeRole allowed on roles that are not sanctioned: ${g.roles.join(', ')}`,
      description: `${g.statement} lets the base principal assume ${g.roles.join(', ')}; only the roles of sessions.assumeRoles (${sanctioned.patterns.join(', ') || 'none'}) are sanctioned.`,
    });
  const otherWrites = (base.analysis?.writes ?? [])
    .flatMap((g) => g.actions.map((a) => a.action))
    .filter((a) => a !== 'sts:AssumeRole');
  if (otherWrites.length)
    baseFindings.push({
      severity: RiskLevel.HIGH,
      title: `the base principal's policies allow ${otherWrites.length} non-read action(s)`,
      description: `${otherWrites.slice(0, 10).join(', ')}${otherWrites.length > 10 ? ', ...' : ''}`,
    });
  if (!base.analysis)
    baseFindings.push({
      severity: RiskLevel.MEDIUM,
      title: "the base principal's policies were not checked",
      description: base.collectionError ?? 'no policy analysis',
    });

  const checking = `checking ${accounts.length} account(s), ${concurrency} at a time, as ${roleName}`;
  let done = 0;
  let notEvaluated = 0;
  const counts = () => ({
    done,
    total: accounts.length,
    unit: `accounts${notEvaluated ? ` (${notEvaluated} not evaluated)` : ''}`,
  });
  progress(checking, counts());
  const loggers = manager.loggers();
  const rows = await runPool(accounts, concurrency, async (account) => {
    const row = await evaluateAccount(account, {
      config,
      roleName,
      sanctioned,
      baseCredentials,
      auditStore,
      loggers,
      outDir: options.outDir,
      formats: options.formats,
      ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
      ...(options.window ? { window: options.window } : {}),
    });
    done++;
    if (row.verdict === AccountVerdict.NOT_EVALUATED) notEvaluated++;
    progress(checking, counts());
    return row;
  });

  const allowPartial = options.allowPartial ?? false;
  const { verdict, reason } = orgVerdict({ rows, allowPartial, baseFindings });
  const findings = emptyCounts();
  for (const r of rows) for (const k of Object.keys(findings) as RiskLevel[]) findings[k] += r.findings[k];
  const head = auditStore.verify().head;
  const report: OrgReport = {
    schemaVersion: ORG_REPORT_SCHEMA_VERSION,
    reportId: randomUUID(),
    generatedAt: new Date().toISOString(),
    tool: { name: 'inventag', version: TOOL_VERSION },
    complianceStandard: config.complianceStandard,
    roleName,
    accountSource: source,
    verdict,
    verdictReason: reason,
    allowPartial,
    totals: {
      accounts: rows.length,
      compliant: rows.filter((r) => r.verdict === AccountVerdict.COMPLIANT).length,
      nonCompliant: rows.filter((r) => r.verdict === AccountVerdict.NON_COMPLIANT).length,
      notEvaluated: rows.filter((r) => r.verdict === AccountVerdict.NOT_EVALUATED).length,
      writesFound: rows.reduce((n, r) => n + (r.writesFound ?? 0), 0),
      findings,
    },
    basePrincipal: {
      arn: base.identity?.arn ?? null,
      account: base.identity?.account ?? null,
      sessionGrants: grants.map((g) => ({ statement: g.statement, roles: [...g.roles], expected: g.expected })),
      findings: baseFindings,
      policiesChecked: base.analysis !== undefined,
    },
    accounts: rows,
    ...(head ? { auditChainHead: { sequence: head.sequence, hash: head.hash } } : {}),
  };
  return { report, manager };
}
