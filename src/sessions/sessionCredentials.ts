/**
 * The one way InvenTag assumes a role: the SDK's `fromTemporaryCredentials`
 * (so chaining works as AWS documents it), with its STS client guarded and
 * every AssumeRole decided here first. An AssumeRole into a sanctioned role
 * is a *session* decision: recorded in the audit trail with the target role
 * as its resource. Anything else is refused before a byte is sent.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable } from '@smithy/types';
import type { AwsRequestHandlerOptions } from '../aws/clientConfig.js';
import { ComplianceStandard, OperationType, RiskLevel } from '../constants.js';
import type { AuditAttempt, AuditSink, IdentityRef, OperationMonitor, Verdict, VerdictSource } from '../contracts.js';
import { getInventagPlugin, isGuardInstalled } from '../guard/plugin.js';
import { VerdictEngine } from '../policy/VerdictEngine.js';
import { SessionRefusedError } from './errors.js';
import { parseRoleArn } from './RolePattern.js';
import type { SanctionedMatch, SanctionedRoles } from './SanctionedRoles.js';

/** Starts the `validationMessage` of every session decision in the audit trail. */
export const SESSION_DECISION_PREFIX = 'session:';
export const ASSUME_ROLE_ACTION = 'sts:AssumeRole';

/** Settings of the STS client that assumes the role (`awsClientConfig` returns them). */
export interface StsClientSettings {
  region?: string;
  endpoint?: string;
  maxAttempts?: number;
  requestHandler?: AwsRequestHandlerOptions;
}

export interface SessionCredentialsOptions {
  /** The sanctioned roles (`sessions.assumeRoles`). */
  sanctioned: SanctionedRoles;
  /** Who assumes the role: base credentials, or another session's provider (role chaining). @default the SDK's default chain */
  masterCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** STS client settings. */
  clientConfig?: StsClientSettings;
  /** Where session decisions and refusals are recorded. @default none */
  audit?: AuditSink;
  /** The production monitor of the run (timings, breakers). @default the guard's own */
  monitor?: OperationMonitor;
  /** Standard written into the audit records. @default 'general' */
  standard?: ComplianceStandard;
  /** @default 3600 */
  durationSeconds?: number;
  /** `ExternalId` to send instead of the matching entry's (a profile's `external_id`). */
  externalId?: string;
  /** `RoleSessionName` instead of the matching entry's (a profile's `role_session_name`). */
  sessionName?: string;
  /** Renew the session this long before it expires. @default 300000 (5 minutes) */
  refreshBeforeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** A credential provider for one sanctioned role, memoized: every client of an account shares one session. */
export interface SessionCredentialProvider extends AwsCredentialIdentityProvider {
  readonly roleArn: string;
  /** The account that owns the role. */
  readonly account: string;
}

const refusal = (roleArn: string, sanctioned: SanctionedRoles): string =>
  `inventag: AssumeRole into ${roleArn} was blocked: it matches no sessions.assumeRoles pattern (${
    sanctioned.size ? sanctioned.patterns.join(', ') : 'none configured'
  }). Add the role's ARN pattern to sessions.assumeRoles in the configuration to sanction it. Nothing was sent.`;

/** The verdict of the session client: AssumeRole into this one role is a session; everything else is blocked. */
function sessionVerdicts(roleArn: string, match: SanctionedMatch, standard: ComplianceStandard): VerdictSource {
  const engine = new VerdictEngine({ standard });
  return {
    decide(service: string, operation: string): Verdict {
      const base = engine.decide(service, operation);
      if (base.iamAction !== ASSUME_ROLE_ACTION) {
        return {
          ...base,
          isValid: false,
          validationMessage: `inventag: the session client only assumes ${roleArn}; ${base.iamAction ?? `${service}:${operation}`} is refused`,
        };
      }
      return {
        ...base,
        isValid: true,
        riskLevel: RiskLevel.MEDIUM,
        evidence: 'override',
        validationMessage: `${SESSION_DECISION_PREFIX} AssumeRole into the sanctioned role ${roleArn} (sessions.assumeRoles[${match.index}] ${match.pattern})`,
      };
    },
  };
}

/** Adds the target role and its account to every record of the session client. */
function attributed(audit: AuditSink, roleArn: string, identity: IdentityRef): AuditSink {
  return {
    recordAttempt: (attempt: AuditAttempt) => audit.recordAttempt({ ...attempt, resourceArn: roleArn, identity }),
    recordOutcome: (auditId, outcome) => audit.recordOutcome(auditId, outcome),
  };
}

/**
 * `fromTemporaryCredentials` applies its client plugins on every refresh; the
 * guard refuses a second install, so install it once.
 */
function installOnce(plugin: Pluggable<object, object>): Pluggable<object, object> {
  return {
    applyToStack: (stack) => {
      if (!isGuardInstalled(stack as never)) plugin.applyToStack(stack);
    },
  };
}

/**
 * Credentials of a session in `roleArn`, through the sanctioned provider.
 * When the role matches no `sessions.assumeRoles` pattern, calling the
 * provider records a blocked AssumeRole and throws `SessionRefusedError`;
 * no request is sent.
 *
 * @example
 * const base = sessionCredentials('arn:aws:iam::111122223333:role/InventoryReadOnly', { sanctioned, audit });
 * const iam = new IAMClient({ credentials: base });
 * // Role chaining: the second session is assumed with the first one's credentials.
 * const next = sessionCredentials('arn:aws:iam::444455556666:role/InventoryReadOnly', { sanctioned, masterCredentials: base });
 */
export function sessionCredentials(roleArn: string, options: SessionCredentialsOptions): SessionCredentialProvider {
  const standard = options.standard ?? ComplianceStandard.GENERAL;
  const now = options.now ?? Date.now;
  const refreshBefore = options.refreshBeforeMs ?? 300_000;
  const parsed = parseRoleArn(roleArn);
  const account = parsed?.account ?? 'unknown';
  const match = parsed ? options.sanctioned.match(roleArn) : undefined;
  const identity: IdentityRef = { account };

  let provide: AwsCredentialIdentityProvider;
  if (!match) {
    provide = () => {
      const message = parsed
        ? refusal(roleArn, options.sanctioned)
        : `inventag: AssumeRole into ${JSON.stringify(roleArn)} was blocked: not a role ARN (arn:aws:iam::<account>:role/<name>). Nothing was sent.`;
      const auditId = options.audit?.recordAttempt({
        service: 'sts',
        operation: 'AssumeRole',
        iamAction: ASSUME_ROLE_ACTION,
        operationType: OperationType.MUTATING,
        decision: 'blocked',
        riskLevel: RiskLevel.HIGH,
        resourceArn: roleArn,
        identity,
        complianceStandard: standard,
        validationMessage: message,
      }).auditId;
      return Promise.reject(new SessionRefusedError(message, { roleArn, ...(auditId ? { auditId } : {}) }));
    };
  } else {
    const plugin = getInventagPlugin({
      verdicts: sessionVerdicts(roleArn, match, standard),
      ...(options.audit ? { audit: attributed(options.audit, roleArn, identity) } : {}),
      ...(options.monitor ? { monitor: options.monitor } : {}),
      identity,
    });
    provide = fromTemporaryCredentials({
      params: {
        RoleArn: roleArn,
        RoleSessionName: options.sessionName ?? match.sessionName,
        DurationSeconds: options.durationSeconds ?? 3600,
        ...((options.externalId ?? match.externalId) ? { ExternalId: options.externalId ?? match.externalId } : {}),
      },
      ...(options.masterCredentials ? { masterCredentials: options.masterCredentials } : {}),
      clientConfig: { region: 'us-east-1', ...options.clientConfig },
      clientPlugins: [installOnce(plugin)],
    });
  }

  // One session per role: concurrent callers share the pending AssumeRole; renewal only near expiry.
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = Infinity;
  const provider = (() => {
    if (current && now() < expiresAt - refreshBefore) return current;
    const pending = provide().then(
      (creds) => {
        expiresAt = creds.expiration ? creds.expiration.getTime() : Infinity;
        return creds;
      },
      (error: unknown) => {
        if (current === pending) current = undefined;
        throw error;
      },
    );
    current = pending;
    expiresAt = Infinity;
    return pending;
  }) as SessionCredentialProvider;
  Object.defineProperties(provider, {
    roleArn: { value: roleArn, enumerable: true },
    account: { value: account, enumerable: true },
  });
  return provider;
}

/** True for an audit entry that records a session decision (an AssumeRole into a sanctioned role). */
export function isSessionRecord(entry: {
  service?: string | undefined;
  operation?: string | undefined;
  iamAction?: string | undefined;
  decision?: string | undefined;
  validationMessage?: string | undefined;
}): boolean {
  return (
    entry.iamAction === ASSUME_ROLE_ACTION &&
    entry.decision === 'allowed' &&
    entry.validationMessage?.startsWith(SESSION_DECISION_PREFIX) === true
  );
}
