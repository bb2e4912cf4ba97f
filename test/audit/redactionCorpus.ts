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
