/**
 * Which CloudTrail events a guarded principal made. A principal is given the
 * way people and STS name it: a session ARN, a role or user ARN, or an access
 * key id.
 */
import type { CloudTrailEvent } from './CloudTrailEvent.js';

export type PrincipalKind =
  'access-key' | 'assumed-role-session' | 'assumed-role' | 'role' | 'user' | 'root' | 'principal-arn';

export interface PrincipalMatcher {
  readonly principal: string;
  readonly kind: PrincipalKind;
  matches(event: CloudTrailEvent): boolean;
}

const ACCESS_KEY_RE = /^(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,124}$/;
const ARN_RE = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):(sts|iam)::(\d{12}):(.+)$/;

/**
 * Builds the matcher for a principal, or returns a message saying what a
 * principal may look like.
 *
 * - `arn:aws:sts::111122223333:assumed-role/Role/session`: that session only;
 * - `arn:aws:sts::111122223333:assumed-role/Role` or `arn:aws:iam::111122223333:role/path/Role`: every session of the role;
 * - `arn:aws:iam::111122223333:user/name`, `arn:aws:iam::111122223333:root`: that identity;
 * - `ASIA...` / `AKIA...`: calls signed with that access key.
 */
export function principalMatcher(principal: string): PrincipalMatcher | string {
  const p = principal.trim();
  if (ACCESS_KEY_RE.test(p)) {
    return { principal: p, kind: 'access-key', matches: (e) => e.accessKeyId === p };
  }
  const m = ARN_RE.exec(p);
  if (!m) {
    return `principal ${JSON.stringify(principal.slice(0, 100))} is not an IAM or STS ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>, arn:aws:iam::<account>:role/<role>, arn:aws:iam::<account>:user/<name>) or an access key id (AKIA.../ASIA...)`;
  }
  const [, partition, service, account, resource = ''] = m;
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const parts = resource.split('/');
    if (parts.length >= 3 && parts[2])
      return { principal: p, kind: 'assumed-role-session', matches: (e) => e.userIdentity.arn === p };
    const sessionPrefix = `arn:${partition}:sts::${account}:assumed-role/${parts[1]}/`;
    return {
      principal: p,
      kind: 'assumed-role',
      matches: (e) => e.userIdentity.arn?.startsWith(sessionPrefix) === true,
    };
  }
  if (service === 'iam' && resource.startsWith('role/')) {
    // A role's sessions name the role without its path: assumed-role/<name>/<session>.
    const name = resource.split('/').at(-1);
    const sessionPrefix = `arn:${partition}:sts::${account}:assumed-role/${name}/`;
    return {
      principal: p,
      kind: 'role',
      matches: (e) =>
        e.userIdentity.sessionContext?.sessionIssuer?.arn === p ||
        e.userIdentity.arn?.startsWith(sessionPrefix) === true,
    };
  }
  const kind: PrincipalKind = resource === 'root' ? 'root' : resource.startsWith('user/') ? 'user' : 'principal-arn';
  return { principal: p, kind, matches: (e) => e.userIdentity.arn === p };
}
