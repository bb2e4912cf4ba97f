import { CredentialKind, IdentityType, type ParsedPrincipal } from './types.js';

const SSO_ROLE_PREFIX = 'AWSReservedSSO_';
// IAM Identity Center names its roles AWSReservedSSO_<PermissionSet>_<16 hex digits>.
const SSO_ROLE = /^AWSReservedSSO_(.+?)(?:_[0-9a-f]{16})?$/i;

const EMPTY: Omit<ParsedPrincipal, 'type'> = {
  partition: undefined,
  account: undefined,
  name: undefined,
  path: undefined,
  roleName: undefined,
  sessionName: undefined,
  permissionSet: undefined,
};

function splitPath(resource: string): { path: string; name: string | undefined } {
  const parts = resource.split('/');
  const name = parts.at(-1);
  const middle = parts.slice(1, -1);
  return { path: middle.length > 0 ? `/${middle.join('/')}/` : '/', name: name === '' ? undefined : name };
}

const permissionSetOf = (roleName: string | undefined): string | undefined =>
  roleName?.startsWith(SSO_ROLE_PREFIX) ? SSO_ROLE.exec(roleName)?.[1] : undefined;

/**
 * Reads the principal kind and names from an ARN as STS GetCallerIdentity
 * returns it (`arn:aws:sts::123456789012:assumed-role/Role/session`,
 * `arn:aws:iam::123456789012:user/path/alice`, `...:root`, `...:federated-user/bob`).
 * Never throws: an ARN it does not recognise is `UNKNOWN`.
 *
 * @example
 * ```ts
 * parsePrincipalArn('arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/alice@example.com');
 * // { type: 'SSO', roleName: 'AWSReservedSSO_ReadOnly_0123456789abcdef', permissionSet: 'ReadOnly', sessionName: 'alice@example.com', ... }
 * ```
 */
export function parsePrincipalArn(arn: string): ParsedPrincipal {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return { type: IdentityType.UNKNOWN, ...EMPTY };
  const [, partition, service, , account] = parts as [string, string, string, string, string];
  const resource = parts.slice(5).join(':');
  const base = { ...EMPTY, partition, account: account === '' ? undefined : account };

  if (service === 'iam') {
    if (resource === 'root') return { ...base, type: IdentityType.ROOT_USER, name: 'root' };
    if (resource.startsWith('user/')) {
      const { path, name } = splitPath(resource);
      return { ...base, type: IdentityType.IAM_USER, name, path };
    }
    if (resource.startsWith('role/')) {
      const { path, name } = splitPath(resource);
      return { ...base, type: IdentityType.IAM_ROLE, name, path, roleName: name, permissionSet: permissionSetOf(name) };
    }
  }
  if (service === 'sts') {
    const [kind, first, ...rest] = resource.split('/');
    if (kind === 'assumed-role' && first && rest.length > 0) {
      const sessionName = rest.join('/');
      const permissionSet = permissionSetOf(first);
      const type = permissionSet === undefined ? IdentityType.ASSUMED_ROLE : IdentityType.SSO;
      return { ...base, type, name: first, roleName: first, sessionName, permissionSet };
    }
    if (kind === 'federated-user' && first)
      return { ...base, type: IdentityType.FEDERATED_USER, name: [first, ...rest].join('/') };
  }
  return { ...base, type: IdentityType.UNKNOWN };
}

/**
 * Long-term (`AKIA`, an IAM user's or the root user's key) or temporary
 * (`ASIA`, from STS) from the access key id; when the key is not known, the
 * principal kind decides where it can (an assumed role is always temporary).
 */
export function credentialKindOf(accessKeyId: string | undefined, type: IdentityType): CredentialKind {
  if (accessKeyId?.startsWith('AKIA')) return CredentialKind.LONG_TERM;
  if (accessKeyId?.startsWith('ASIA')) return CredentialKind.TEMPORARY;
  if (type === IdentityType.ASSUMED_ROLE || type === IdentityType.SSO || type === IdentityType.FEDERATED_USER)
    return CredentialKind.TEMPORARY;
  return CredentialKind.UNKNOWN;
}

/** `AKIA…MPLE`: enough to tell keys apart in a report, not the whole id. */
export function maskAccessKeyId(accessKeyId: string | undefined): string | undefined {
  if (accessKeyId === undefined || accessKeyId === '') return undefined;
  if (accessKeyId.length <= 8) return `${accessKeyId.slice(0, 2)}…`;
  return `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
}
