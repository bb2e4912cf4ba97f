import type { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { clientConfigOf, ensureGuarded, sharedGuard, type AwsAccessOptions } from './awsAccess.js';
import { AWS_TIMEOUT_DEFAULTS } from '../aws/clientConfig.js';
import { toAwsNetworkError } from '../aws/errors.js';
import { toCredentialsError } from './credentialErrors.js';
import { identityFindings } from './identityFindings.js';
import { credentialKindOf, maskAccessKeyId, parsePrincipalArn } from './parsePrincipalArn.js';
import type { CallerIdentity } from './types.js';

export interface GetIdentityOptions extends AwsAccessOptions {
  /** An STS client to use; it is guarded if it is not already. @default a new STSClient from the other options */
  client?: STSClient;
}

/**
 * Who the credentials belong to: STS GetCallerIdentity through a guarded
 * client, the principal kind read from the ARN, the access key kind from the
 * resolved credentials, and findings (root use, long-term keys).
 *
 * @throws CredentialsError when credentials are missing, expired, or an SSO session expired: its message says what to run
 * @example
 * ```ts
 * const me = await getIdentity({ profile: 'prod-readonly' });
 * console.log(me.type, me.account, me.roleName, me.credentialKind);
 * for (const f of me.findings) console.log(f.severity, f.title);
 * ```
 */
export async function getIdentity(options: GetIdentityOptions = {}): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = ensureGuarded(options.client ?? new STSClient(clientConfigOf(options)), sharedGuard(options));
  try {
    return await callerIdentity(client, new GetCallerIdentityCommand({}), options);
  } finally {
    if (!options.client) client.destroy();
  }
}

async function callerIdentity(
  client: STSClient,
  command: GetCallerIdentityCommand,
  options: GetIdentityOptions,
): Promise<CallerIdentity> {
  let answer: { Account?: string; Arn?: string; UserId?: string };
  let accessKeyId: string | undefined;
  // Read inside the call: a guarded client hands out its credentials only within a command the guard admitted.
  command.middlewareStack.add(
    (next) => async (args) => {
      try {
        accessKeyId = (await client.config.credentials()).accessKeyId;
      } catch {
        accessKeyId = undefined;
      }
      return next(args);
    },
    { step: 'build', name: 'inventagReadAccessKeyId' },
  );
  try {
    answer = await client.send(command);
  } catch (error) {
    throw (
      toCredentialsError(error, options.profile) ??
      toAwsNetworkError(
        error,
        'sts:GetCallerIdentity',
        options.timeoutSeconds ?? AWS_TIMEOUT_DEFAULTS.requestSeconds,
      ) ??
      error
    );
  }
  const arn = answer.Arn ?? '';
  const principal = parsePrincipalArn(arn);
  const credentialKind = credentialKindOf(accessKeyId, principal.type);
  return {
    ...principal,
    account: answer.Account ?? principal.account,
    arn,
    userId: answer.UserId ?? '',
    accessKeyId: maskAccessKeyId(accessKeyId),
    credentialKind,
    findings: identityFindings(principal, credentialKind),
  };
}
