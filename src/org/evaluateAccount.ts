import { join } from 'node:path';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AuditStore } from '../audit/AuditStore.js';
import { awsClientConfig, awsOptionsFromConfig } from '../aws/clientConfig.js';
import { RISK_ORDER } from '../constants.js';
import { isAccessDenied } from '../identity/awsAccess.js';
import type { InventagLoggers } from '../logging/LogFiles.js';
import type { ComplianceConfiguration } from '../manager/config.js';
import { saveReports, type ReportFormat } from '../report/saveReport.js';
import type { ComprehensiveComplianceReport } from '../report/types.js';
import { accountSession } from '../sessions/AccountSession.js';
import { isSessionRefusedError } from '../sessions/errors.js';
import type { SanctionedRoles } from '../sessions/SanctionedRoles.js';
import { sessionCredentials } from '../sessions/sessionCredentials.js';
import { AccountVerdict, type AccountRow, type FindingCounts, type OrgAccount } from './types.js';

export interface EvaluateAccountOptions {
  config: ComplianceConfiguration;
  roleName: string;
  sanctioned: SanctionedRoles;
  baseCredentials: AwsCredentialIdentityProvider | undefined;
  auditStore: AuditStore;
  loggers: InventagLoggers | false;
  /** Directory of the org report; the account's reports go to `accounts/<id>/` beneath it. */
  outDir: string;
  formats: readonly ReportFormat[];
  minScore?: number;
  window?: { start: Date; end: Date };
  partition?: string;
}

export const emptyCounts = (): FindingCounts => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 });

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Why AssumeRole failed, in the words an operator acts on. */
function assumeRoleReason(roleArn: string, error: unknown): string {
  if (isSessionRefusedError(error)) return `AssumeRole blocked: ${roleArn} matches no sessions.assumeRoles pattern`;
  if (isAccessDenied(error)) return `AssumeRole denied: ${messageOf(error)}`;
  const name = (error as { name?: string })?.name;
  return `AssumeRole failed: ${name && name !== 'Error' ? `${name}: ` : ''}${messageOf(error)}`;
}

const notEvaluated = (account: OrgAccount, roleArn: string, reason: string, started: number): AccountRow => ({
  accountId: account.id,
  name: account.name ?? null,
  roleArn,
  verdict: AccountVerdict.NOT_EVALUATED,
  evaluated: false,
  reason,
  complianceScore: null,
  writesFound: null,
  findings: emptyCounts(),
  findingTitles: [],
  reports: [],
  durationMs: Math.round(performance.now() - started),
});

function rowOf(
  account: OrgAccount,
  roleArn: string,
  report: ComprehensiveComplianceReport,
  reports: string[],
  started: number,
): AccountRow {
  const findings = emptyCounts();
  for (const f of report.findings) findings[f.severity]++;
  const writes = report.sections.cloudtrail?.facts.writesByPrincipal;
  return {
    accountId: account.id,
    name: account.name ?? null,
    roleArn,
    verdict: report.complianceStatus.isCompliant ? AccountVerdict.COMPLIANT : AccountVerdict.NON_COMPLIANT,
    evaluated: true,
    reason: null,
    complianceScore: report.complianceStatus.complianceScore,
    writesFound: typeof writes === 'number' ? writes : null,
    findings,
    findingTitles: [...report.findings]
      .sort((a, b) => RISK_ORDER[b.severity] - RISK_ORDER[a.severity])
      .slice(0, 10)
      .map((f) => `${f.severity}: ${f.title}`),
    reports,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * One account of an org run: assume the role through the sanctioned provider,
 * run the whole check with the session's credentials, write the account's
 * reports. Never throws: a failure is the account's NOT_EVALUATED row.
 */
export async function evaluateAccount(account: OrgAccount, options: EvaluateAccountOptions): Promise<AccountRow> {
  const started = performance.now();
  const { config } = options;
  const roleArn = `arn:${options.partition ?? 'aws'}:iam::${account.id}:role/${options.roleName}`;
  const provider = sessionCredentials(roleArn, {
    sanctioned: options.sanctioned,
    ...(options.baseCredentials ? { masterCredentials: options.baseCredentials } : {}),
    clientConfig: awsClientConfig(awsOptionsFromConfig(config.aws)),
    audit: options.auditStore,
    standard: config.complianceStandard,
  });
  try {
    await provider();
  } catch (error) {
    return notEvaluated(account, roleArn, assumeRoleReason(roleArn, error), started);
  }
  const session = accountSession({
    provider,
    auditStore: options.auditStore,
    loggers: options.loggers,
    sanctioned: options.sanctioned,
  });
  // The principal analysed in the account is the session's own, whatever the configuration names.
  const accountConfig: ComplianceConfiguration = {
    ...config,
    cloudtrail: { ...config.cloudtrail, principal: undefined },
  };
  let report: ComprehensiveComplianceReport;
  try {
    const { runCheck } = await import('../manager/check/runCheck.js');
    const result = await runCheck({
      config: accountConfig,
      session,
      ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
      ...(options.window ? { window: options.window } : {}),
    });
    report = result.report;
    await result.manager.close();
  } catch (error) {
    return notEvaluated(account, roleArn, `check failed: ${messageOf(error)}`, started);
  }
  let saved: string[] = [];
  try {
    const files = await saveReports(report, join(options.outDir, 'accounts', account.id), [...options.formats]);
    saved = files.map((f) => join('accounts', account.id, f.path.split(/[\\/]/).at(-1)!));
  } catch (error) {
    return notEvaluated(account, roleArn, `its reports could not be written: ${messageOf(error)}`, started);
  }
  return rowOf(account, roleArn, report, saved, started);
}
