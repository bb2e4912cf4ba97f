/**
 * IAM policy reads in the query/XML protocol, as `inventag permissions`
 * collects them: attached managed policies (default version), inline
 * policies, and a user's groups. Documents are returned URL-encoded, as IAM
 * returns them.
 */
import { errorResponse, HandlerError, page, queryResult, xmlText } from './protocol.js';
import type { AwsRequest, HandlerResponse, ServiceHandler } from './types.js';

type PolicyJson = Record<string, unknown>;

export interface IamManagedPolicy {
  /** The default version's document. */
  document: PolicyJson;
  /** @default 'v1' */
  defaultVersionId?: string;
}

export interface IamPrincipalPolicies {
  /** Managed policy ARNs attached to the principal. */
  attached?: string[];
  /** Inline policies by name. */
  inline?: Record<string, PolicyJson>;
}

export interface IamUser extends IamPrincipalPolicies {
  groups?: string[];
}

export interface IamHandlerOptions {
  /** Managed policies by ARN. */
  policies?: Record<string, IamManagedPolicy>;
  roles?: Record<string, IamPrincipalPolicies>;
  users?: Record<string, IamUser>;
  groups?: Record<string, IamPrincipalPolicies>;
  /** Page size of the List calls, to exercise `Marker` paging. @default 100 */
  pageSize?: number;
  /** Operations answered with AccessDenied (e.g. `GetRolePolicy`). @default none */
  deny?: string[];
}

/** RFC 3986 encoding, as IAM applies to policy documents. */
export const encodePolicyDocument = (document: PolicyJson): string =>
  encodeURIComponent(JSON.stringify(document)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const member = (inner: string) => `<member>${inner}</member>`;
const policyNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export function iamHandler(options: IamHandlerOptions = {}): ServiceHandler {
  const policies = options.policies ?? {};
  const size = options.pageSize ?? 100;
  const denied = new Set(options.deny ?? []);

  const need = (req: AwsRequest, name: string): string => {
    const value = req.params[name];
    if (value === undefined || value === '')
      throw new HandlerError(
        400,
        'ValidationError',
        `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      );
    return value;
  };
  const entity = <T>(table: Record<string, T> | undefined, kind: string, name: string): T => {
    const found = table?.[name];
    if (found === undefined)
      throw new HandlerError(404, 'NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
    return found;
  };
  const paged = (req: AwsRequest, items: readonly string[], listTag: string): string => {
    const max = Math.min(Number(req.params.MaxItems ?? size), size);
    const { items: slice, next } = page(items, req.params.Marker, max);
    return `<${listTag}>${slice.join('')}</${listTag}>${xmlText('IsTruncated', next !== undefined)}${xmlText('Marker', next)}`;
  };
  const principal = (req: AwsRequest): IamPrincipalPolicies => {
    if (req.operation.includes('Role')) return entity(options.roles, 'role', need(req, 'RoleName'));
    if (req.operation.includes('Group')) return entity(options.groups, 'group', need(req, 'GroupName'));
    return entity(options.users, 'user', need(req, 'UserName'));
  };
  const nameField = (req: AwsRequest): string =>
    req.operation.includes('Role') ? 'RoleName' : req.operation.includes('Group') ? 'GroupName' : 'UserName';

  const answer = (req: AwsRequest): HandlerResponse => {
    const op = req.operation;
    if (denied.has(op)) {
      const arn = 'arn:aws:sts::123456789012:assumed-role/inventag-reader/test';
      return errorResponse(
        req,
        403,
        'AccessDenied',
        `User: ${arn} is not authorized to perform: iam:${op} because no identity-based policy allows the iam:${op} action`,
      );
    }
    switch (op) {
      case 'ListAttachedRolePolicies':
      case 'ListAttachedUserPolicies':
      case 'ListAttachedGroupPolicies': {
        const arns = principal(req).attached ?? [];
        return queryResult(
          req,
          paged(
            req,
            arns.map((arn) => member(`${xmlText('PolicyName', policyNameOf(arn))}${xmlText('PolicyArn', arn)}`)),
            'AttachedPolicies',
          ),
        );
      }
      case 'ListRolePolicies':
      case 'ListUserPolicies':
      case 'ListGroupPolicies':
        return queryResult(
          req,
          paged(
            req,
            Object.keys(principal(req).inline ?? {}).map((name) => member(name)),
            'PolicyNames',
          ),
        );
      case 'GetRolePolicy':
      case 'GetUserPolicy':
      case 'GetGroupPolicy': {
        const name = need(req, 'PolicyName');
        const doc = principal(req).inline?.[name];
        if (doc === undefined)
          throw new HandlerError(
            404,
            'NoSuchEntity',
            `The ${nameField(req).replace('Name', '').toLowerCase()} policy with name ${name} cannot be found.`,
          );
        const field = nameField(req);
        return queryResult(
          req,
          `${xmlText(field, req.params[field])}${xmlText('PolicyName', name)}${xmlText('PolicyDocument', encodePolicyDocument(doc))}`,
        );
      }
      case 'GetPolicy': {
        const arn = need(req, 'PolicyArn');
        const policy = entity(policies, 'policy', arn);
        const fields = `${xmlText('PolicyName', policyNameOf(arn))}${xmlText('Arn', arn)}${xmlText('DefaultVersionId', policy.defaultVersionId ?? 'v1')}${xmlText('IsAttachable', true)}`;
        return queryResult(req, `<Policy>${fields}</Policy>`);
      }
      case 'GetPolicyVersion': {
        const arn = need(req, 'PolicyArn');
        const version = need(req, 'VersionId');
        const policy = entity(policies, 'policy', arn);
        if (version !== (policy.defaultVersionId ?? 'v1'))
          throw new HandlerError(
            404,
            'NoSuchEntity',
            `Policy ${arn} version ${version} does not exist or is not attachable.`,
          );
        const fields = `${xmlText('Document', encodePolicyDocument(policy.document))}${xmlText('VersionId', version)}${xmlText('IsDefaultVersion', true)}`;
        return queryResult(req, `<PolicyVersion>${fields}</PolicyVersion>`);
      }
      case 'ListGroupsForUser': {
        const groups = entity<IamUser>(options.users, 'user', need(req, 'UserName')).groups ?? [];
        const items = groups.map((g) =>
          member(
            `${xmlText('Path', '/')}${xmlText('GroupName', g)}${xmlText('GroupId', `AGPA${g.toUpperCase().padEnd(17, '0').slice(0, 17)}`)}${xmlText('Arn', `arn:aws:iam::123456789012:group/${g}`)}${xmlText('CreateDate', '2024-01-01T00:00:00Z')}`,
          ),
        );
        return queryResult(req, paged(req, items, 'Groups'));
      }
      default:
        throw new HandlerError(400, 'InvalidAction', `The loopback IAM handler does not implement ${op}`);
    }
  };

  return {
    name: 'iam',
    matches: (req) => req.service === 'iam',
    handle: (req) => answer(req),
  };
}
