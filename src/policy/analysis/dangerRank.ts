import { AccessLevel, type CatalogAction } from '../../catalog/data.js';
import { sensitiveRead } from '../../catalog/sensitiveReads.js';
import type { SensitiveRead } from '../../contracts.js';
import { DELIBERATE_OVERRIDES } from '../deliberateOverrides.js';
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
const SIDE_EFFECT_READS = new Set(Object.keys(DELIBERATE_OVERRIDES).map((a) => a.toLowerCase()));

/** True for a Read/List action the guard treats as mutating (it changes state; see `DELIBERATE_OVERRIDES`). */
export const isSideEffectRead = (iamAction: string): boolean => SIDE_EFFECT_READS.has(iamAction.toLowerCase());

/**
 * The danger rank of a non-read action (including a side-effect read), or undefined for a plain Read or List.
 * @param sensitive - the action's sensitive-read entry, when the caller has it already (`null`: it has none);
 * looked up when undefined
 */
export function dangerRank(
  action: CatalogAction,
  sensitive: SensitiveRead | null | undefined = sensitiveRead(action.iamAction),
): DangerRank | undefined {
  switch (action.accessLevel) {
    case AccessLevel.READ:
    case AccessLevel.LIST:
      return isSideEffectRead(action.iamAction) ? DangerRank.SIDE_EFFECT_READ : undefined;
    case AccessLevel.PERMISSIONS_MANAGEMENT:
      return DangerRank.PERMISSIONS_MANAGEMENT;
    default:
      if (MINTING.has(action.iamAction.toLowerCase()) || sensitive?.category === 'credentials')
        return DangerRank.CREDENTIAL_MINTING;
      return action.accessLevel === AccessLevel.TAGGING ? DangerRank.TAGGING : DangerRank.WRITE;
  }
}
