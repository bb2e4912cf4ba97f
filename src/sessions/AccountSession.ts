import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AuditStore } from '../audit/AuditStore.js';
import type { AuditAttemptSummary } from '../audit/types.js';
import type { IdentityRef } from '../contracts.js';
import { NOT_COLLECTED } from '../identity/collectPrincipalPolicies.js';
import type { InventagLoggers } from '../logging/LogFiles.js';
import { PolicyAnalyzer } from '../policy/analysis/PolicyAnalyzer.js';
import type { SanctionedRoles } from './SanctionedRoles.js';
import { isSessionRecord, type SessionCredentialProvider } from './sessionCredentials.js';

/**
 * What a check needs to run in one account through a sanctioned session:
 * the session's credentials for every client, the account every call is
 * attributed to in the shared audit trail, and the sanctioned roles for the
 * CloudTrail and policy analysis.
 */
export interface AccountSession {
  readonly account: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /** Written into every audit attempt made in the account. */
  readonly identity: IdentityRef;
  /** The run's one audit trail, shared by every account. */
  readonly auditStore: AuditStore;
  readonly loggers: InventagLoggers | false;
  readonly sanctioned: SanctionedRoles;
  /** Analyses the assumed role's own policies with the sanctioned roles in mind. */
  readonly analyzer: PolicyAnalyzer;
  /** True for an audit entry of a call made in this account (session decisions are the run's, not the account's). */
  owns(entry: AuditAttemptSummary): boolean;
}

export function accountSession(options: {
  provider: SessionCredentialProvider;
  auditStore: AuditStore;
  loggers?: InventagLoggers | false;
  sanctioned: SanctionedRoles;
}): AccountSession {
  const { provider } = options;
  const account = provider.account;
  return {
    account,
    credentials: provider,
    identity: { account, arn: provider.roleArn, type: 'session' },
    auditStore: options.auditStore,
    loggers: options.loggers ?? false,
    sanctioned: options.sanctioned,
    analyzer: new PolicyAnalyzer({
      notEvaluated: [...NOT_COLLECTED, 'condition values'],
      sessionRoles: options.sanctioned,
    }),
    owns: (entry) => entry.identity?.account === account && !isSessionRecord(entry),
  };
}
