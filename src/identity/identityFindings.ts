import { RiskLevel } from '../constants.js';
import { CredentialKind, IdentityType, type IdentityFinding, type ParsedPrincipal } from './types.js';

/**
 * Findings about who the automation runs as: root use is HIGH (nothing can
 * limit it), a long-term access key is MEDIUM (it works until someone deletes
 * it, wherever it leaks).
 */
export function identityFindings(principal: ParsedPrincipal, credentialKind: CredentialKind): IdentityFinding[] {
  const findings: IdentityFinding[] = [];
  if (principal.type === IdentityType.ROOT_USER) {
    findings.push({
      id: 'identity.root-user',
      severity: RiskLevel.HIGH,
      title: 'Running as the root user',
      description:
        'The account root user can do everything, and no IAM policy, permission boundary or SCP of the account limits it. Nothing about these credentials is read-only.',
      recommendation:
        'Run InvenTag as an IAM role with a read-only policy (policies/inventag-readonly.json); delete any root access keys and keep root for the few tasks that need it, with MFA.',
    });
  }
  if (credentialKind === CredentialKind.LONG_TERM) {
    findings.push({
      id: 'identity.long-term-key',
      severity: RiskLevel.MEDIUM,
      title: 'Long-term access key in use',
      description:
        'An AKIA access key stays valid until someone deactivates it, so a copy that leaks from a CI log or a laptop keeps working.',
      recommendation:
        'Use temporary credentials: assume a role (CI OIDC federation, an instance or task role) or sign in with IAM Identity Center (aws sso login); rotate and then delete the long-term key.',
    });
  }
  if (principal.type === IdentityType.FEDERATED_USER) {
    findings.push({
      id: 'identity.federated-user',
      severity: RiskLevel.LOW,
      title: 'Federated user session',
      description:
        "A GetFederationToken session has the intersection of the issuing IAM user's policies and the session policy, which cannot be read back; its permissions cannot be shown from policies.",
      recommendation: 'Prefer an assumed role whose policies can be read and checked (inventag permissions).',
    });
  }
  if (principal.type === IdentityType.UNKNOWN) {
    findings.push({
      id: 'identity.unknown-principal',
      severity: RiskLevel.MEDIUM,
      title: 'Unrecognised principal',
      description: 'The caller ARN has a shape InvenTag does not know, so its kind and policies cannot be checked.',
      recommendation: 'Run as an IAM role or IAM Identity Center permission set.',
    });
  }
  return findings;
}
