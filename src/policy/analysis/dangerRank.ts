import { AccessLevel, type CatalogAction } from '../../catalog/data.js';
import { sensitiveRead } from '../../catalog/sensitiveReads.js';
import type { SensitiveRead } from '../../contracts.js';
import { DangerRank } from './types.js';

/**
 * Non-read actions that hand out credentials or an identity to act as. They
 * rank right after permissions management: whoever holds them can become
 * someone with more rights without changing any policy.
 */
export const CREDENTIAL_MINTING_ACTIONS: readonly string[] = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithSAML',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoot',
  'sts:GetFederationToken',
  'iam:CreateAccessKey',
  'iam:UpdateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential',
  'iam:ResetServiceSpecificCredential',
  'iam:UpdateServiceSpecificCredential',
  'iam:UploadSSHPublicKey',
  'iam:UpdateSSHPublicKey',
  // Hands a role to a service that then runs code as that role.
  'iam:PassRole',
  'sso:CreateAccountAssignment',
  'ec2-instance-connect:SendSSHPublicKey',
  'ec2-instance-connect:SendSerialConsoleSSHPublicKey',
  'ssm:StartSession',
];

const MINTING = new Set(CREDENTIAL_MINTING_ACTIONS.map((a) => a.toLowerCase()));

/**
 * The danger rank of a non-read action, or undefined for Read and List.
 * @param sensitive - the action's sensitive-read entry, when the caller has it already
 */
export function dangerRank(
  action: CatalogAction,
  sensitive: SensitiveRead | undefined = sensitiveRead(action.iamAction),
): DangerRank | undefined {
  switch (action.accessLevel) {
    case AccessLevel.READ:
    case AccessLevel.LIST:
      return undefined;
    case AccessLevel.PERMISSIONS_MANAGEMENT:
      return DangerRank.PERMISSIONS_MANAGEMENT;
    default:
      if (MINTING.has(action.iamAction.toLowerCase()) || sensitive?.category === 'credentials')
        return DangerRank.CREDENTIAL_MINTING;
      return action.accessLevel === AccessLevel.TAGGING ? DangerRank.TAGGING : DangerRank.WRITE;
  }
}
