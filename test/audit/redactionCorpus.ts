/**
 * Requests and responses shaped like the AWS SDK's, each secret value a unique
 * marker so a test can search every byte InvenTag wrote for it, and each kept
 * value a marker that must still be found (so the search itself is proved).
 */
const pem = (tag: string) => `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${tag}\n-----END RSA PRIVATE KEY-----`;

export const SECRET_MARKERS = Array.from({ length: 26 }, (_, i) => `S3CRET${String(i).padStart(2, '0')}x`);
const s = (i: number) => SECRET_MARKERS[i] as string;

export const KEPT_MARKERS = [
  'KEEP-secret-name',
  'KEEP-role-arn',
  'KEEP-next-token',
  'KEEP-access-key-id',
  'KEEP-client-request-token',
  'KEEP-secret-id',
];

export const CORPUS: Record<string, unknown> = {
  createSecretRequest: {
    Name: 'KEEP-secret-name',
    SecretString: s(0),
    ClientRequestToken: 'KEEP-client-request-token',
    Tags: [{ Key: 'team', Value: 'ops' }],
  },
  putSecretValueRequest: { SecretId: 'KEEP-secret-id', SecretBinary: new TextEncoder().encode(s(1)) },
  getSecretValueResponse: {
    ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db',
    SecretString: JSON.stringify({ username: 'admin', password: s(2) }),
    VersionStages: ['AWSCURRENT'],
  },
  assumeRoleResponse: {
    Credentials: {
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: s(3),
      SessionToken: s(4),
      Expiration: new Date('2026-01-01T00:00:00Z'),
    },
    AssumedRoleUser: { Arn: 'KEEP-role-arn', AssumedRoleId: 'AROAEXAMPLE:session' },
  },
  createAccessKeyResponse: {
    AccessKey: { UserName: 'ci', AccessKeyId: 'KEEP-access-key-id', Status: 'Active', SecretAccessKey: s(5) },
  },
  createDBInstanceRequest: { DBInstanceIdentifier: 'prod', MasterUsername: 'admin', MasterUserPassword: s(6) },
  changePasswordRequest: { OldPassword: s(7), NewPassword: s(8) },
  createLoginProfileRequest: { UserName: 'ann', Password: s(9), PasswordResetRequired: true },
  createKeyPairResponse: { KeyName: 'deploy', KeyMaterial: pem(s(10)) },
  generateDataKeyResponse: { KeyId: 'alias/app', Plaintext: s(11), CiphertextBlob: 'AQIDAHh...' },
  httpHeaders: {
    Authorization: `AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request, Signature=${s(12)}`,
    'x-amz-security-token': s(13),
    'X-Api-Key': s(14),
  },
  mixedCase: { pAsSwOrD: s(15), CLIENT_SECRET: s(16), 'aws-secret-access-key': s(17), 'Private.Key': s(18) },
  nestedArrays: {
    users: [{ name: 'a', password: s(19) }, [{ token: s(20) }, { credentials: { anything: s(21) } }]],
    NextToken: 'KEEP-next-token',
  },
  pemInAnyString: { description: `rotated key: ${pem(s(22))}` },
  mapAndSet: new Map<string, unknown>([
    ['apiKey', s(23)],
    ['items', new Set([{ Secret: s(24) }])],
  ]),
  connection: { ConnectionString: `Server=db;Password=${s(25)}` },
};

/** One secret that is found by its value, wherever it is put, and the fragment of it no byte written may hold. */
export interface ValueSecret {
  /** What a user or AWS would write. */
  readonly text: string;
  /** A fragment of `text` that must not be found anywhere once `text` was redacted. */
  readonly marker: string;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** Secrets in values (tag values, filters, bodies), each found by its shape, not by the key it sits under. */
export const VALUE_SECRETS = {
  'an AWS access key id': { text: 'AKIA2V4LUEKEYID0042X', marker: 'V4LUEKEYID0042X' },
  'an AWS session token': {
    text: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDV4LUESESSION0TokenAbCdEfGh==',
    marker: 'V4LUESESSION0Token',
  },
  'a JWT': {
    text: `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"ci","role":"deployer"}')}.V4LUEJWTSIGabc_def-123`,
    marker: 'V4LUEJWTSIG',
  },
  'a lower-case bearer token': { text: 'bearer V4LUEBEARER.abc-123', marker: 'V4LUEBEARER' },
  'Basic credentials': { text: `Authorization: Basic ${b64('ci:V4LUEBASICpw')}`, marker: b64('ci:V4LUEBASICpw') },
  'a password in a URL': { text: 'https://deploy:V4LUEURLPASS@git.example.com/repo.git', marker: 'V4LUEURLPASS' },
  'a database URL with a password': {
    text: 'postgres://app:V4LUEDBPASS@db.internal:5432/app?sslmode=require',
    marker: 'V4LUEDBPASS',
  },
  'a PGP private key block': {
    text: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGV4LUEPGPKEYmQENBFzAbCdEfGh\n-----END PGP PRIVATE KEY BLOCK-----',
    marker: 'V4LUEPGPKEY',
  },
  'X-Amz-Signature in a presigned URL': {
    text: 'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=V4LUEPRESIGNSIG&X-Amz-Date=20260101T000000Z',
    marker: 'V4LUEPRESIGNSIG',
  },
  'X-Amz-Credential in a presigned URL': {
    text: 'https://b.s3.amazonaws.com/k?X-Amz-Credential=V4LUECRED%2F20260101%2Fus-east-1%2Fs3%2Faws4_request',
    marker: 'V4LUECRED',
  },
  'X-Amz-Security-Token in a presigned URL': {
    text: 'https://b.s3.amazonaws.com/k?X-Amz-Security-Token=V4LUESECTOKEN&X-Amz-Expires=300',
    marker: 'V4LUESECTOKEN',
  },
  'a password= pair': { text: 'mysql -h db password=V4LUEPWDPAIR -u app', marker: 'V4LUEPWDPAIR' },
  'an api_key: pair': { text: 'config api_key: V4LUEAPIKEY', marker: 'V4LUEAPIKEY' },
} as const satisfies Record<string, ValueSecret>;

/** Secrets under names that say what they are, in `{ Key, Value }` pairs: the name is a value, not a key. */
export const PAIR_SECRETS = {
  'a secret access key next to its name': {
    key: 'aws_secret_access_key',
    text: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYV4LUESECRET',
    marker: 'V4LUESECRET',
  },
  'a tag whose key names a password': { key: 'DB_PASSWORD', text: 'V4LUETAGPW', marker: 'V4LUETAGPW' },
} as const;

/** What AWS or a proxy may echo in an error message. */
export const ERROR_MESSAGE_SECRETS = {
  'Signature= in an error message': { text: 'Signature=V4LUEERRSIG', marker: 'V4LUEERRSIG' },
  'a URL password in an error message': { text: 'https://svc:V4LUEERRURL@proxy.internal:8080/', marker: 'V4LUEERRURL' },
  'api_key: in an error message': { text: 'api_key: V4LUEERRAPI', marker: 'V4LUEERRAPI' },
  'a lower-case bearer token in an error message': { text: 'bearer V4LUEERRBEARER', marker: 'V4LUEERRBEARER' },
} as const satisfies Record<string, ValueSecret>;

/** Values that look a little like secrets but are evidence an auditor needs: they must be written unchanged. */
export const NOT_SECRETS = {
  roleArn: 'arn:aws:iam::123456789012:role/reader',
  secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
  instanceId: 'i-0123456789abcdef0',
  amiId: 'ami-0abcdef1234567890',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  nextToken: 'eyJ2IjoyLCJvIjoxMDB9',
  etag: '"9b2cf535f27731c974343645a3985328"',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
} as const;
