import type { SensitiveRead } from '../contracts.js';
import { compileWildcard, type WildcardMatcher } from './wildcard.js';

/**
 * Reads that return secrets, credentials or customer data. They change
 * nothing, so the guard allows them, but they are never LOW risk: a
 * "read-only" role that can call them can still leak what it reads.
 * Patterns are `prefix:Action`, `*` matching any characters, case-insensitive.
 * Users can extend the list (CUSTOM standard: `sensitiveReads`).
 */
export const SENSITIVE_READS: ReadonlyArray<readonly [pattern: string, read: SensitiveRead]> = [
  ['secretsmanager:GetSecretValue', { category: 'secret', reason: 'returns the secret value' }],
  ['secretsmanager:BatchGetSecretValue', { category: 'secret', reason: 'returns secret values' }],
  [
    'ssm:GetParameter',
    {
      category: 'secret',
      reason: 'returns parameter values, including SecureString values when decryption is requested',
    },
  ],
  [
    'ssm:GetParameters',
    {
      category: 'secret',
      reason: 'returns parameter values, including SecureString values when decryption is requested',
    },
  ],
  [
    'ssm:GetParametersByPath',
    {
      category: 'secret',
      reason: 'returns parameter values, including SecureString values when decryption is requested',
    },
  ],
  ['ssm:GetParameterHistory', { category: 'secret', reason: 'returns past parameter values' }],
  ['ec2:GetPasswordData', { category: 'secret', reason: 'returns the encrypted Windows administrator password' }],
  [
    'lightsail:GetInstanceAccessDetails',
    { category: 'credentials', reason: 'returns temporary SSH keys or passwords for an instance' },
  ],
  [
    'lightsail:GetRelationalDatabaseMasterUserPassword',
    { category: 'secret', reason: 'returns a database master password' },
  ],
  [
    'lambda:GetFunction',
    {
      category: 'secret',
      reason: 'returns a download link for the code and the environment variables, which often hold secrets',
    },
  ],
  [
    'lambda:GetFunctionConfiguration',
    { category: 'secret', reason: 'returns the environment variables, which often hold secrets' },
  ],
  ['sts:GetSessionToken', { category: 'credentials', reason: 'mints temporary credentials' }],
  ['sts:GetFederationToken', { category: 'credentials', reason: 'mints temporary credentials for a federated user' }],
  ['sts:GetServiceBearerToken', { category: 'credentials', reason: 'mints a bearer token' }],
  ['ecr:GetAuthorizationToken', { category: 'credentials', reason: 'returns a registry password' }],
  ['ecr-public:GetAuthorizationToken', { category: 'credentials', reason: 'returns a registry password' }],
  ['codeartifact:GetAuthorizationToken', { category: 'credentials', reason: 'returns a repository token' }],
  ['sso:GetRoleCredentials', { category: 'credentials', reason: 'returns role credentials' }],
  [
    'cognito-identity:GetCredentialsForIdentity',
    { category: 'credentials', reason: 'returns AWS credentials for an identity' },
  ],
  ['cognito-identity:GetOpenIdToken*', { category: 'credentials', reason: 'returns an OpenID token' }],
  ['rds:GenerateDbAuthToken', { category: 'credentials', reason: 'returns a database authentication token' }],
  ['eks:GetToken', { category: 'credentials', reason: 'returns a cluster token' }],
  ['*:Get*Credentials', { category: 'credentials', reason: 'returns credentials' }],
  ['*:Create*Token', { category: 'credentials', reason: 'mints a token' }],
  ['*:Get*Token', { category: 'credentials', reason: 'returns a token' }],
  [
    '*:Create*PresignedUrl*',
    { category: 'credentials', reason: 'returns a pre-signed URL that grants access to whoever holds it' },
  ],
  ['s3:GetObject', { category: 'data', reason: 'returns object contents' }],
  ['s3:GetObjectVersion', { category: 'data', reason: 'returns object contents' }],
  [
    's3express:CreateSession',
    { category: 'credentials', reason: 'returns session credentials for a directory bucket' },
  ],
  [
    'sqs:ReceiveMessage',
    {
      category: 'data',
      reason: 'returns queue messages and hides them from other consumers for the visibility timeout',
    },
  ],
  ['dynamodb:GetItem', { category: 'data', reason: 'returns table items' }],
  ['dynamodb:BatchGetItem', { category: 'data', reason: 'returns table items' }],
  ['dynamodb:Query', { category: 'data', reason: 'returns table items' }],
  ['dynamodb:Scan', { category: 'data', reason: 'returns table items' }],
  ['dynamodb:PartiQLSelect', { category: 'data', reason: 'returns table items' }],
  ['kinesis:GetRecords', { category: 'data', reason: 'returns stream records' }],
  ['logs:GetLogEvents', { category: 'data', reason: 'returns log contents' }],
  ['logs:FilterLogEvents', { category: 'data', reason: 'returns log contents' }],
  ['logs:GetQueryResults', { category: 'data', reason: 'returns log contents' }],
  ['athena:GetQueryResults', { category: 'data', reason: 'returns query results' }],
  ['redshift-data:GetStatementResult', { category: 'data', reason: 'returns query results' }],
  ['rds:DownloadDBLogFilePortion', { category: 'data', reason: 'returns database log contents' }],
  ['codecommit:GetFile', { category: 'data', reason: 'returns repository contents' }],
  ['codecommit:GetBlob', { category: 'data', reason: 'returns repository contents' }],
  ['glacier:GetJobOutput', { category: 'data', reason: 'returns archive contents' }],
];

/** Names that match a pattern above but return no secret: WAF Classic's change tokens only sequence updates. */
export const NOT_SENSITIVE: readonly string[] = ['waf:GetChangeToken', 'waf-regional:GetChangeToken'];

const compiled = SENSITIVE_READS.map(([pattern, read]) => [compileWildcard(pattern), read] as const);

/** Why `iamAction` (e.g. `secretsmanager:GetSecretValue`) is a sensitive read, or undefined. */
export function sensitiveRead(
  iamAction: string,
  extra: ReadonlyArray<readonly [string | WildcardMatcher, SensitiveRead]> = [],
): SensitiveRead | undefined {
  if (NOT_SENSITIVE.includes(iamAction)) return undefined;
  for (const [matcher, read] of compiled) if (matcher.test(iamAction)) return read;
  for (const [pattern, read] of extra)
    if ((typeof pattern === 'string' ? compileWildcard(pattern) : pattern).test(iamAction)) return read;
  return undefined;
}
