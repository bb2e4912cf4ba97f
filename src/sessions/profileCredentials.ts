/**
 * Shared-config profiles with `role_arn`: the SDK would assume the role with
 * its own STS client, outside the guard and the audit trail. InvenTag reads
 * the profile itself and assumes the role through the sanctioned provider,
 * or refuses and says how to configure it.
 */
import { fromContainerMetadata, fromEnv, fromIni, fromInstanceMetadata } from '@aws-sdk/credential-providers';
import { loadSharedConfigFiles } from '@smithy/core/config';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { awsClientConfig, awsOptionsFromConfig, type AwsConnectionSettings } from '../aws/clientConfig.js';
import type { ComplianceStandard } from '../constants.js';
import type { AuditSink } from '../contracts.js';
import { SessionRefusedError } from './errors.js';
import { SanctionedRoles } from './SanctionedRoles.js';
import { sessionCredentials, type StsClientSettings } from './sessionCredentials.js';
import type { SanctionedRoleConfig } from './config.js';

export interface ProfileCredentialsOptions {
  /** The configured profile (`aws.profile`); @default `AWS_PROFILE`, else `default` when no keys are in the environment */
  profile?: string;
  assumeRoles: readonly SanctionedRoleConfig[];
  audit?: AuditSink;
  standard?: ComplianceStandard;
  clientConfig?: StsClientSettings;
  env?: NodeJS.ProcessEnv;
}

const MAX_CHAIN = 5;

const CREDENTIAL_SOURCES: Record<string, () => AwsCredentialIdentityProvider> = {
  Environment: () => fromEnv(),
  Ec2InstanceMetadata: () => fromInstanceMetadata(),
  EcsContainer: () => fromContainerMetadata(),
};

/**
 * The base credentials for InvenTag's clients: undefined when the SDK's
 * default chain needs no role assumption, a sanctioned session when the
 * profile has `role_arn` (chained through `source_profile` or
 * `credential_source`). Throws `SessionRefusedError` when the profile's role
 * is not sanctioned.
 */
export async function profileCredentials(
  options: ProfileCredentialsOptions,
): Promise<AwsCredentialIdentityProvider | undefined> {
  const env = options.env ?? process.env;
  const named = options.profile ?? env.AWS_PROFILE;
  // Without a named profile, keys in the environment come first in the SDK's chain: no profile is read.
  if (!named && env.AWS_ACCESS_KEY_ID) return undefined;
  const files = await loadSharedConfigFiles({ ignoreCache: true });
  const sanctioned = new SanctionedRoles(options.assumeRoles);
  const section = (name: string): Record<string, string | undefined> => ({
    ...files.credentialsFile[name],
    ...files.configFile[name],
  });

  const resolve = (name: string, depth: number): AwsCredentialIdentityProvider | undefined => {
    const profile = section(name);
    const roleArn = profile.role_arn;
    if (!roleArn) return depth === 0 && !named ? undefined : fromIni({ profile: name });
    if (depth >= MAX_CHAIN)
      throw new SessionRefusedError(`profile "${name}": more than ${MAX_CHAIN} chained role_arn profiles`, { roleArn });
    const match = sanctioned.match(roleArn);
    if (!match)
      throw new SessionRefusedError(
        `inventag: profile "${name}" assumes ${roleArn} (role_arn in the shared AWS config), which no sessions.assumeRoles pattern matches. ` +
          `InvenTag assumes roles only through its own guarded, audited provider: add { roleArn: "${roleArn}" } to sessions.assumeRoles in the configuration, ` +
          `or use a profile without role_arn.`,
        { roleArn },
      );
    let master: AwsCredentialIdentityProvider | undefined;
    if (profile.source_profile)
      master = resolve(profile.source_profile, depth + 1) ?? fromIni({ profile: profile.source_profile });
    else if (profile.credential_source) {
      const source = CREDENTIAL_SOURCES[profile.credential_source];
      if (!source)
        throw new SessionRefusedError(
          `inventag: profile "${name}": credential_source ${JSON.stringify(profile.credential_source)} is not one of ${Object.keys(CREDENTIAL_SOURCES).join(', ')}`,
          { roleArn },
        );
      master = source();
    } else
      throw new SessionRefusedError(
        `inventag: profile "${name}" has role_arn but neither source_profile nor credential_source; InvenTag cannot tell whose credentials assume the role`,
        { roleArn },
      );
    return sessionCredentials(roleArn, {
      sanctioned,
      masterCredentials: master,
      ...(options.clientConfig ? { clientConfig: options.clientConfig } : {}),
      ...(options.audit ? { audit: options.audit } : {}),
      ...(options.standard ? { standard: options.standard } : {}),
      ...(profile.external_id ? { externalId: profile.external_id } : {}),
      ...(profile.role_session_name ? { sessionName: profile.role_session_name } : {}),
      ...(profile.duration_seconds ? { durationSeconds: Number(profile.duration_seconds) } : {}),
    });
  };
  return resolve(named ?? 'default', 0);
}

/** The base credentials of a configuration (its `aws.profile`, sessions, endpoint and timeouts). */
export function baseCredentialsFor(
  config: {
    aws: AwsConnectionSettings;
    sessions: { assumeRoles: readonly SanctionedRoleConfig[] };
    complianceStandard: ComplianceStandard;
  },
  options: { audit?: AuditSink } = {},
): Promise<AwsCredentialIdentityProvider | undefined> {
  // The STS client that assumes a profile's role gets the configuration's region, endpoint, timeouts and proxy.
  const sts: StsClientSettings = awsClientConfig(awsOptionsFromConfig({ ...config.aws, profile: undefined }));
  return profileCredentials({
    ...(config.aws.profile ? { profile: config.aws.profile } : {}),
    assumeRoles: config.sessions.assumeRoles,
    standard: config.complianceStandard,
    ...(options.audit ? { audit: options.audit } : {}),
    clientConfig: sts,
  });
}
