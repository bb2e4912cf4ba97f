import { CredentialProblem, CredentialsError } from './IdentityError.js';

const EXPIRED_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const INVALID_CODES = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'InvalidToken',
  'AuthFailure',
]);

const profileOf = (profile: string | undefined): string =>
  profile ?? process.env.AWS_PROFILE ?? process.env.AWS_DEFAULT_PROFILE ?? 'default';

/**
 * Turns an SDK error caused by the credentials (none found, expired, an
 * expired SSO session, a key AWS does not know) into a {@link CredentialsError}
 * that says what to run. Returns undefined for any other error.
 *
 * @param profile - the profile in use, for the fix command
 * @default profile - `AWS_PROFILE`, then `default`
 */
export function toCredentialsError(error: unknown, profile?: string): CredentialsError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name = '', message = '', Code } = error as { name?: string; message?: string; Code?: string };
  const code = Code ?? name;
  const p = profileOf(profile);
  const ssoLogin = `run "aws sso login --profile ${p}"`;
  const options = { cause: error };

  if (/sso/i.test(message) && /(expired|invalid|not found|refresh)/i.test(message)) {
    return new CredentialsError(
      CredentialProblem.SSO_SESSION_EXPIRED,
      `the IAM Identity Center (SSO) session of profile "${p}" has expired or is invalid`,
      `${ssoLogin} and try again`,
      options,
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new CredentialsError(
      CredentialProblem.MISSING,
      'no AWS credentials found (environment, shared config and credentials files, SSO, container and instance metadata were tried)',
      `run "aws configure" to store an access key, or "aws sso login --profile <name>" and set AWS_PROFILE=<name>`,
      options,
    );
  }
  if (EXPIRED_CODES.has(code) || /security token included in the request is expired|token has expired/i.test(message)) {
    return new CredentialsError(
      CredentialProblem.EXPIRED,
      'the AWS session credentials have expired',
      `${ssoLogin} if it is an SSO profile, or renew the session (assume the role again, or refresh the AWS_SESSION_TOKEN you exported)`,
      options,
    );
  }
  if (INVALID_CODES.has(code)) {
    return new CredentialsError(
      CredentialProblem.INVALID,
      `AWS refused the credentials (${code}): the access key does not exist, was deactivated, or the secret key does not match`,
      'run "aws configure" with a valid access key, or use a profile that has one (AWS_PROFILE)',
      options,
    );
  }
  return undefined;
}
