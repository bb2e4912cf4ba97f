import { describe, expect, it } from 'vitest';
import {
  CredentialKind,
  IdentityType,
  credentialKindOf,
  identityFindings,
  maskAccessKeyId,
  parsePrincipalArn,
  toCredentialsError,
} from '../../src/identity/index.js';

describe('principal kinds from real ARN shapes', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['arn:aws:iam::123456789012:root', { type: IdentityType.ROOT_USER, account: '123456789012', name: 'root' }],
    ['arn:aws:iam::123456789012:user/alice', { type: IdentityType.IAM_USER, name: 'alice', path: '/' }],
    [
      'arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob',
      { type: IdentityType.IAM_USER, name: 'Bob', path: '/division_abc/subdivision_xyz/' },
    ],
    [
      'arn:aws:sts::123456789012:assumed-role/inventag-reader/ci-run-42',
      {
        type: IdentityType.ASSUMED_ROLE,
        roleName: 'inventag-reader',
        sessionName: 'ci-run-42',
        permissionSet: undefined,
      },
    ],
    [
      'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReadOnlyAccess_0123456789abcdef/alice@example.com',
      {
        type: IdentityType.SSO,
        roleName: 'AWSReservedSSO_ReadOnlyAccess_0123456789abcdef',
        permissionSet: 'ReadOnlyAccess',
        sessionName: 'alice@example.com',
      },
    ],
    [
      'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Prod_Read_Only_fedcba9876543210/bob',
      { type: IdentityType.SSO, permissionSet: 'Prod_Read_Only', sessionName: 'bob' },
    ],
    ['arn:aws:sts::123456789012:federated-user/Carol', { type: IdentityType.FEDERATED_USER, name: 'Carol' }],
    [
      'arn:aws:iam::123456789012:role/service-role/inventag',
      { type: IdentityType.IAM_ROLE, roleName: 'inventag', path: '/service-role/' },
    ],
    [
      'arn:aws-us-gov:sts::123456789012:assumed-role/reader/i-0abc',
      { type: IdentityType.ASSUMED_ROLE, partition: 'aws-us-gov', roleName: 'reader', sessionName: 'i-0abc' },
    ],
    ['arn:aws-cn:iam::123456789012:user/zhang', { type: IdentityType.IAM_USER, partition: 'aws-cn' }],
    ['arn:aws:s3:::bucket', { type: IdentityType.UNKNOWN }],
    ['not-an-arn', { type: IdentityType.UNKNOWN, account: undefined }],
    ['arn:aws:sts::123456789012:assumed-role/no-session', { type: IdentityType.UNKNOWN }],
  ];
  for (const [arn, expected] of cases) {
    it(`reads ${arn}`, () => {
      expect(parsePrincipalArn(arn)).toMatchObject(expected);
    });
  }
});

describe('credential kind and findings', () => {
  it('tells long-term keys from temporary ones', () => {
    expect(credentialKindOf('AKIAIOSFODNN7EXAMPLE', IdentityType.IAM_USER)).toBe(CredentialKind.LONG_TERM);
    expect(credentialKindOf('ASIAIOSFODNN7EXAMPLE', IdentityType.IAM_USER)).toBe(CredentialKind.TEMPORARY);
    expect(credentialKindOf(undefined, IdentityType.ASSUMED_ROLE)).toBe(CredentialKind.TEMPORARY);
    expect(credentialKindOf(undefined, IdentityType.IAM_USER)).toBe(CredentialKind.UNKNOWN);
    expect(maskAccessKeyId('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…MPLE');
  });

  it('flags root as HIGH and long-term keys as MEDIUM, with recommendations', () => {
    const root = identityFindings(parsePrincipalArn('arn:aws:iam::123456789012:root'), CredentialKind.LONG_TERM);
    expect(root.map((f) => [f.id, f.severity])).toEqual([
      ['identity.root-user', 'HIGH'],
      ['identity.long-term-key', 'MEDIUM'],
    ]);
    expect(root.every((f) => f.recommendation.length > 20)).toBe(true);
    const role = identityFindings(
      parsePrincipalArn('arn:aws:sts::123456789012:assumed-role/r/s'),
      CredentialKind.TEMPORARY,
    );
    expect(role).toEqual([]);
  });
});

describe('credential errors say what to run', () => {
  it('expired session tokens', () => {
    const err = toCredentialsError(
      Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }),
      'prod',
    );
    expect(err?.problem).toBe('expired');
    expect(err?.message).toContain('aws sso login --profile prod');
  });

  it('missing credentials', () => {
    const err = toCredentialsError(
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    );
    expect(err?.problem).toBe('missing');
    expect(err?.message).toContain('aws configure');
  });

  it('expired SSO sessions', () => {
    const err = toCredentialsError(
      new Error('The SSO session associated with this profile has expired or is otherwise invalid.'),
      'dev',
    );
    expect(err?.problem).toBe('sso-session-expired');
    expect(err?.fix).toBe('run "aws sso login --profile dev" and try again');
  });

  it('leaves other errors alone', () => {
    expect(toCredentialsError(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))).toBeUndefined();
  });
});
