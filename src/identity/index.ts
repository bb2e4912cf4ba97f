export { clientConfigOf, isAccessDenied } from './awsAccess.js';
export type { AwsAccessOptions } from './awsAccess.js';
export { collectPrincipalPolicies, NOT_COLLECTED } from './collectPrincipalPolicies.js';
export type { CollectedPolicies, CollectedPolicy, CollectPoliciesOptions } from './collectPrincipalPolicies.js';
export { toCredentialsError } from './credentialErrors.js';
export { gatherPermissionEvidence, WriteVerdict } from './gatherPermissionEvidence.js';
export type { GatherEvidenceOptions, PermissionEvidence } from './gatherPermissionEvidence.js';
export { getIdentity } from './getIdentity.js';
export type { GetIdentityOptions } from './getIdentity.js';
export { identityFindings } from './identityFindings.js';
export {
  CredentialProblem,
  CredentialsError,
  IdentityError,
  PolicyCollectionError,
  isCredentialsError,
  isIdentityError,
} from './IdentityError.js';
export { credentialKindOf, maskAccessKeyId, parsePrincipalArn } from './parsePrincipalArn.js';
export { CredentialKind, IdentityType } from './types.js';
export type { CallerIdentity, IdentityFinding, ParsedPrincipal } from './types.js';
export {
  DEFAULT_PROBES,
  OverallPermissionStatus,
  PermissionStatus,
  validateAwsPermissions,
} from './validateAwsPermissions.js';
export type {
  PermissionCheck,
  PermissionProbe,
  PermissionValidationResult,
  ValidatePermissionsOptions,
} from './validateAwsPermissions.js';
