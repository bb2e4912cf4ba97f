import type { RiskLevel } from '../constants.js';

/** The kinds of principal GetCallerIdentity can name. Wire values, stable in reports. */
export const IdentityType = {
  ROOT_USER: 'ROOT_USER',
  IAM_USER: 'IAM_USER',
  ASSUMED_ROLE: 'ASSUMED_ROLE',
  /** An assumed role whose name starts `AWSReservedSSO_`: an IAM Identity Center permission set. */
  SSO: 'SSO',
  FEDERATED_USER: 'FEDERATED_USER',
  IAM_ROLE: 'IAM_ROLE',
  UNKNOWN: 'UNKNOWN',
} as const;
export type IdentityType = (typeof IdentityType)[keyof typeof IdentityType];

/** Whether the access key lives until someone deletes it (`AKIA`) or expires by itself (`ASIA`). */
export const CredentialKind = {
  LONG_TERM: 'long-term',
  TEMPORARY: 'temporary',
  UNKNOWN: 'unknown',
} as const;
export type CredentialKind = (typeof CredentialKind)[keyof typeof CredentialKind];

/** What an ARN says about a principal, before any call. */
export interface ParsedPrincipal {
  readonly type: IdentityType;
  readonly partition: string | undefined;
  readonly account: string | undefined;
  /** The user, role or federated user name (for the root user: `root`). */
  readonly name: string | undefined;
  /** The IAM path of a user or role (`/` when none is given). */
  readonly path: string | undefined;
  readonly roleName: string | undefined;
  readonly sessionName: string | undefined;
  /** For SSO: the permission set name, from `AWSReservedSSO_<PermissionSet>_<suffix>`. */
  readonly permissionSet: string | undefined;
}

/** The caller, as GetCallerIdentity and the credentials describe it. */
export interface CallerIdentity extends ParsedPrincipal {
  readonly arn: string;
  readonly userId: string;
  /** Access key id with all but its first four and last four characters masked, when known. */
  readonly accessKeyId: string | undefined;
  readonly credentialKind: CredentialKind;
  readonly findings: readonly IdentityFinding[];
}

/** A finding about the identity itself, in the seed's finding shape. */
export interface IdentityFinding {
  readonly id: string;
  readonly severity: RiskLevel;
  readonly title: string;
  readonly description: string;
  readonly recommendation: string;
}
