/**
 * Redaction by value: each secret shape is found inside free text and inside
 * any object, ordinary evidence is left alone, and every pattern stays linear
 * on hostile input.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactor, redact, redactText } from '../../src/audit/index.js';
import { ERROR_MESSAGE_SECRETS, NOT_SECRETS, VALUE_SECRETS } from './redactionCorpus.js';

const TEXT_CASES: Array<[string, string, string]> = [
  // [what, input, expected output]
  ['an access key id', 'key AKIAIOSFODNN7EXAMPLE failed', `key AKIA${REDACTED} failed`],
  ['a pasted key pair', 'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `AKIA${REDACTED} ${REDACTED}`],
  [
    'a secret key under its name',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG',
    `aws_secret_access_key = ${REDACTED}`,
  ],
  [
    'a SigV4 Authorization header',
    'Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=fe5f80f77d5fa3beca038a248ff027d0',
    `Authorization: ${REDACTED} Credential=${REDACTED}, SignedHeaders=host, Signature=${REDACTED}`,
  ],
  ['Bearer in any case', 'header BEARER abc.def-123456 sent', `header BEARER ${REDACTED} sent`],
  ['Basic credentials', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', `Authorization: ${REDACTED} ${REDACTED}`],
  ['a URL password holding @', 'postgres://admin:p@ss@db:5432/app', `postgres://admin:${REDACTED}@db:5432/app`],
  [
    'a token as URL user',
    'https://ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345@github.com/o/r',
    `https://${REDACTED}@github.com/o/r`,
  ],
  ['a JSON pair', '{"username":"admin","password":"two words"}', `{"username":"admin","password":"${REDACTED}"}`],
  ['an escaped JSON pair', '{\\"password\\":\\"x y\\"}', `{\\"password\\":\\"${REDACTED}\\"}`],
  [
    'an XML element',
    '<Password>hunter2</Password><Name>kept</Name>',
    `<Password>${REDACTED}</Password><Name>kept</Name>`,
  ],
  ['a connection string', 'Server=db;User Id=sa;Password=myPass;', `Server=db;User Id=sa;Password=${REDACTED};`],
  [
    'command-line flags',
    '--password=abc --db-pass zzz --db_pwd=q',
    `--password=${REDACTED} --db-pass zzz --db_pwd=${REDACTED}`,
  ],
  ['a Ruby hash', "{ :api_key => 'k-123' }", `{ :api_key => '${REDACTED}' }`],
  ['a YAML line', 'client_secret: s3cr3t\nregion: us-east-1', `client_secret: ${REDACTED}\nregion: us-east-1`],
  ['a random value under a key name', 'signing_key=Zx9Qw7Er5Ty3Ui1Op0Lk8Jh6', `signing_key=${REDACTED}`],
  [
    'an OpenSSH private key',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt\n-----END OPENSSH PRIVATE KEY-----\nafter',
    `${REDACTED}\nafter`,
  ],
  ['a truncated private key', 'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA…[900 chars]', `key: ${REDACTED}`],
];

const KEPT_TEXT = [
  NOT_SECRETS.roleArn,
  NOT_SECRETS.secretArn,
  NOT_SECRETS.kmsKeyArn,
  'arn:aws:sts::123456789012:assumed-role/reader/session-1',
  'User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC',
  NOT_SECRETS.instanceId,
  NOT_SECRETS.amiId,
  NOT_SECRETS.etag,
  NOT_SECRETS.sha256,
  NOT_SECRETS.nextToken,
  '0f8fad5b-d9cb-469f-a165-70867728950e',
  'AROAEXAMPLEID123:session',
  'ExpiredToken: The security token included in the request is expired',
  'basic information about the service',
  'https://ec2.us-east-1.amazonaws.com:443/path?Action=DescribeInstances&Version=2016-11-15',
  'Operation allowed: ec2:DescribeInstances is a read-only operation (List)',
  'tag:env',
  '2026-01-01T00:00:00.000Z',
  'ops@example.com',
  'key=uploads/2026/report-final.pdf',
  'token: [REDACTED]',
];

describe('redactText', () => {
  it.each(TEXT_CASES)('removes %s', (_what, input, expected) => {
    expect(redactText(input)).toBe(expected);
    expect(redactText(expected), 'redacting twice changes nothing').toBe(expected);
  });

  it.each(Object.entries({ ...VALUE_SECRETS, ...ERROR_MESSAGE_SECRETS }))('removes %s from a message', (_, s) => {
    const out = redactText(`the call failed (${s.text}) after 3 attempts`);
    expect(out).not.toContain(s.marker);
    expect(out).toContain('the call failed (');
    expect(out).toContain(REDACTED);
  });

  it.each(KEPT_TEXT)('keeps %s unchanged', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redact (objects)', () => {
  it('hides the value of a name/value pair whose name is secret, and keeps the others', () => {
    expect(
      redact({
        Tags: [
          { Key: 'DB_PASSWORD', Value: 'hunter2' },
          { Key: 'team', Value: 'ops' },
          { Key: 'note', Value: 'AKIAIOSFODNN7EXAMPLE' },
        ],
        environment: [
          { name: 'GITHUB_TOKEN', value: 'abc' },
          { name: 'REGION', value: 'us-east-1' },
          { name: 'NextToken', value: 'kept' },
        ],
        Filters: [{ Name: 'tag:Password', Values: ['p1', 'p2'] }],
        Parameters: [{ ParameterKey: 'InstanceType', ParameterValue: 't3.micro' }],
      }),
    ).toEqual({
      Tags: [
        { Key: 'DB_PASSWORD', Value: REDACTED },
        { Key: 'team', Value: 'ops' },
        { Key: 'note', Value: `AKIA${REDACTED}` },
      ],
      environment: [
        { name: 'GITHUB_TOKEN', value: REDACTED },
        { name: 'REGION', value: 'us-east-1' },
        { name: 'NextToken', value: 'kept' },
      ],
      Filters: [{ Name: 'tag:Password', Values: REDACTED }],
      // NoEcho is declared in the template, so every CloudFormation parameter value is hidden.
      Parameters: [{ ParameterKey: 'InstanceType', ParameterValue: REDACTED }],
    });
  });

  it('hides random-looking values under key-material names only', () => {
    const random = 'Zx9Qw7Er5Ty3Ui1Op0Lk8Jh6Gf4Ds2Aa';
    expect(
      redact({
        signingKey: random,
        hmacKey: 'a3f9c1e07b2d4e6f8a0b1c2d3e4f5a6b',
        cacheKey: 'users/list/page-1',
        publicKey: random,
        Key: random,
        PartitionKey: random,
      }),
    ).toEqual({
      signingKey: REDACTED,
      hmacKey: REDACTED,
      cacheKey: 'users/list/page-1',
      publicKey: random,
      Key: random,
      PartitionKey: random,
    });
  });

  it('keeps IAM action names used as keys (reports count by them)', () => {
    expect(redact({ 'sts:GetSessionToken': 2, 'secretsmanager:GetSecretValue': 1, token: 'x' })).toEqual({
      'sts:GetSessionToken': 2,
      'secretsmanager:GetSecretValue': 1,
      token: REDACTED,
    });
  });

  it('finds values in strings at any depth, in Maps, Sets and error messages', () => {
    const jwt = VALUE_SECRETS['a JWT'].text;
    const out = JSON.stringify(
      redact({
        a: [[{ note: `see ${jwt}` }]],
        m: new Map([['url', 'https://u:pw-123@h/x']]),
        s: new Set(['bearer abcdef123']),
        e: new Error('X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE'),
      }),
    );
    for (const leaked of ['V4LUEJWTSIG', 'pw-123', 'abcdef123', 'FwoGZXIvYXdzEXAMPLE'])
      expect(out).not.toContain(leaked);
  });

  it('applies value rules with a replaced key list too, and extra keys inside text', () => {
    const r = createRedactor({ replaceDefaults: true, extraKeys: ['pin'] });
    expect(r({ password: 'kept', note: 'PIN=1234; AKIAIOSFODNN7EXAMPLE' })).toEqual({
      password: 'kept',
      note: `PIN=${REDACTED}; AKIA${REDACTED}`,
    });
  });
});

describe('linear time on hostile input', () => {
  // Each input is 1 MB: a pattern that backtracked (quadratic or worse) would
  // need hours here; a linear one needs milliseconds. The expectations check
  // what came out, so these are correctness tests that also cannot hang.
  const n = 1_000_000;
  const hostile: Array<[string, string]> = [
    ['a word run then a separator', `${'a'.repeat(n)}=`],
    ['separators only', ':='.repeat(n / 2)],
    ['blanks around separators', `password${' '.repeat(n / 2)}=${' '.repeat(n / 2)}`],
    ['unclosed quotes', 'password="'.repeat(n / 10)],
    ['escaped quotes', `password="${'\\'.repeat(n)}`],
    ['JWT starts', 'eyJ'.repeat(n / 3)],
    ['JWT segments', `eyJ${'a.'.repeat(n / 2)}`],
    ['key id starts', 'AKIA'.repeat(n / 4)],
    ['base64 after a key id', `AKIAIOSFODNN7EXAMPLE ${'A/'.repeat(n / 2)}`],
    ['session token prefixes', 'IQoJb3JpZ2lu'.repeat(n / 12)],
    ['PEM begins', '-----BEGIN '.repeat(n / 11)],
    ['an unterminated PEM', `-----BEGIN RSA PRIVATE KEY-----${'-----END '.repeat(n / 9)}`],
    ['schemes', 'a://'.repeat(n / 4)],
    ['URL users', `x://${'u:'.repeat(n / 2)}`],
    ['bearer words', 'bearer '.repeat(n / 7)],
    ['basic tokens', `basic ${'A'.repeat(n)}`],
    ['XML openings', '<Password>'.repeat(n / 10)],
    ['ARN-like colons', `arn:${'aws:'.repeat(n / 4)}`],
  ];

  it.each(hostile)('%s', (_what, input) => {
    const out = redactText(input);
    expect(out.length).toBeLessThanOrEqual(input.length + REDACTED.length * (input.length / 4));
    expect(redactText(out)).toBe(out);
  });
});
