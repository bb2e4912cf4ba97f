import type { IAMClient } from '@aws-sdk/client-iam';
import { parsePolicyDocument, parsePolicyText } from '../policy/analysis/parsePolicy.js';
import type { PolicyDocument } from '../policy/analysis/types.js';
import type { ProgressListener } from '../util/progress.js';
import { clientConfigOf, ensureGuarded, isAccessDenied, sharedGuard, type AwsAccessOptions } from './awsAccess.js';
import { toCredentialsError } from './credentialErrors.js';
import { PolicyCollectionError } from './IdentityError.js';
import { IdentityType, type CallerIdentity } from './types.js';

/** Where one collected policy came from. */
export interface CollectedPolicy {
  readonly kind: 'managed' | 'inline' | 'root';
  /** The group it came through, for a user's group policies. */
  readonly group?: string;
  readonly name: string;
  readonly arn?: string;
  readonly versionId?: string;
  /** The label used in the analysis (`source` of the document). */
  readonly source: string;
}

export interface CollectedPolicies {
  readonly principal: { readonly type: IdentityType; readonly name: string | undefined; readonly arn: string };
  readonly policies: readonly CollectedPolicy[];
  readonly documents: readonly PolicyDocument[];
  /** Policy types that may narrow these permissions but are not read. */
  readonly notEvaluated: readonly string[];
}

export interface CollectPoliciesOptions extends AwsAccessOptions {
  /** An IAM client; guarded if it is not already. @default a new IAMClient from the other options */
  client?: IAMClient;
  /**
   * Progress of the collection: `listing IAM policies of role/NAME` while the policy names are listed (the count
   * found), then `reading IAM policies of role/NAME` with done/total as each document is read.
   */
  onProgress?: ProgressListener;
}

/** Not read here; named in every report so nobody mistakes the analysis for the whole picture. */
export const NOT_COLLECTED: readonly string[] = [
  'permission boundary',
  'service control policies (SCPs)',
  'resource control policies (RCPs)',
  'session policies',
  'resource-based policies',
];

// A root user has every permission and no policy can be read for it; analyse it as what it is.
const ROOT_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'RootUser', Effect: 'Allow', Action: '*', Resource: '*' }],
};

type IamModule = typeof import('@aws-sdk/client-iam');

/**
 * Reads the identity policies of the caller with read-only IAM calls through
 * the guard: for a role (assumed, SSO or plain), its attached managed
 * policies (default version) and inline policies; for a user, the same plus
 * those of its groups. Documents come back parsed and validated, ready for
 * `analyzePolicies`.
 *
 * @throws PolicyCollectionError when IAM denies a call or the principal kind has no readable policies (federated users)
 * @example
 * ```ts
 * const identity = await getIdentity();
 * const collected = await collectPrincipalPolicies(identity);
 * const report = analyzePolicies(collected.documents);
 * ```
 */
export async function collectPrincipalPolicies(
  identity: CallerIdentity,
  options: CollectPoliciesOptions = {},
): Promise<CollectedPolicies> {
  const principal = { type: identity.type, name: identity.roleName ?? identity.name, arn: identity.arn };
  if (identity.type === IdentityType.ROOT_USER) {
    const source = 'root user (every action; no policy limits it)';
    return {
      principal,
      policies: [{ kind: 'root', name: 'root', source }],
      documents: [parsePolicyDocument(ROOT_DOCUMENT, source)],
      notEvaluated: NOT_COLLECTED,
    };
  }
  const roleName = identity.roleName;
  const userName = identity.type === IdentityType.IAM_USER ? identity.name : undefined;
  if (!roleName && !userName) {
    throw new PolicyCollectionError(
      identity.type === IdentityType.FEDERATED_USER
        ? `${identity.arn} is a federated user: its permissions are the issuing user's policies narrowed by a session policy that cannot be read back; run as a role to check its policies`
        : `cannot tell whose policies to read from ${identity.arn || 'an empty ARN'} (principal type ${identity.type})`,
    );
  }

  const iam = await import('@aws-sdk/client-iam');
  const client = ensureGuarded(options.client ?? new iam.IAMClient(clientConfigOf(options)), sharedGuard(options));
  const reader = new PolicyReader(iam, client, options.profile);
  const whose = roleName ? `role/${roleName}` : `user/${userName}`;
  const progress = options.onProgress ?? (() => undefined);
  try {
    // Every policy name first, so the reading has a total; then each document.
    const listing = `listing IAM policies of ${whose}`;
    progress(listing);
    const found = (): void => progress(listing, { done: reader.pending.length, unit: 'policies found' });
    if (roleName) await reader.listPrincipal('role', roleName, found);
    else if (userName) {
      await reader.listPrincipal('user', userName, found);
      for (const group of await reader.groupsOf(userName)) await reader.listPrincipal('group', group, found);
    }
    const reading = `reading IAM policies of ${whose}`;
    const total = reader.pending.length;
    progress(reading, { done: 0, total, unit: 'policies' });
    for (const [i, read] of reader.pending.entries()) {
      await read();
      progress(reading, { done: i + 1, total, unit: 'policies' });
    }
  } finally {
    if (!options.client) client.destroy();
  }
  return { principal, policies: reader.policies, documents: reader.documents, notEvaluated: NOT_COLLECTED };
}

type Kind = 'role' | 'user' | 'group';

/** The IAM operations that read one kind of principal's policies, and the field naming it. */
const OPERATIONS: Record<Kind, { field: string; listAttached: string; listInline: string; getInline: string }> = {
  role: {
    field: 'RoleName',
    listAttached: 'ListAttachedRolePolicies',
    listInline: 'ListRolePolicies',
    getInline: 'GetRolePolicy',
  },
  user: {
    field: 'UserName',
    listAttached: 'ListAttachedUserPolicies',
    listInline: 'ListUserPolicies',
    getInline: 'GetUserPolicy',
  },
  group: {
    field: 'GroupName',
    listAttached: 'ListAttachedGroupPolicies',
    listInline: 'ListGroupPolicies',
    getInline: 'GetGroupPolicy',
  },
};

/** The fields of the IAM answers this module reads. */
interface IamAnswer {
  IsTruncated?: boolean;
  Marker?: string;
  AttachedPolicies?: Array<{ PolicyArn?: string }>;
  PolicyNames?: string[];
  Groups?: Array<{ GroupName?: string }>;
  PolicyDocument?: string;
  Policy?: { DefaultVersionId?: string; PolicyName?: string };
  PolicyVersion?: { Document?: string };
}

class PolicyReader {
  readonly policies: CollectedPolicy[] = [];
  readonly documents: PolicyDocument[] = [];
  private readonly managedSeen = new Set<string>();

  constructor(
    private readonly iam: IamModule,
    private readonly client: IAMClient,
    private readonly profile: string | undefined,
  ) {}

  /** The reads still to do, in the order the policies are reported: per principal, managed then inline. */
  readonly pending: Array<() => Promise<void>> = [];

  /** Lists one principal's attached and inline policy names, queueing a read of each. */
  async listPrincipal(kind: Kind, name: string, found: () => void): Promise<void> {
    const ops = OPERATIONS[kind];
    const group = kind === 'group' ? name : undefined;
    const attached = await this.list(ops.listAttached, { [ops.field]: name }, (page) =>
      (page.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''),
    );
    for (const arn of attached) {
      // A policy attached to the user and to one of its groups counts once.
      if (!arn || this.managedSeen.has(arn)) continue;
      this.managedSeen.add(arn);
      this.pending.push(() => this.readManaged(arn, group));
    }
    found();
    const inlineNames = await this.list(ops.listInline, { [ops.field]: name }, (page) => page.PolicyNames ?? []);
    for (const policyName of inlineNames) {
      this.pending.push(async () => {
        const answer = await this.call(ops.getInline, { [ops.field]: name, PolicyName: policyName });
        this.add(
          {
            kind: 'inline',
            name: policyName,
            source: `inline:${kind}/${name}/${policyName}`,
            ...(group ? { group } : {}),
          },
          answer.PolicyDocument,
        );
      });
    }
    found();
  }

  async groupsOf(userName: string): Promise<string[]> {
    return (
      await this.list('ListGroupsForUser', { UserName: userName }, (page) =>
        (page.Groups ?? []).map((g) => g.GroupName ?? ''),
      )
    ).filter(Boolean);
  }

  private async readManaged(arn: string, group: string | undefined): Promise<void> {
    const policy = await this.call('GetPolicy', { PolicyArn: arn });
    const versionId = policy.Policy?.DefaultVersionId;
    if (!versionId) throw new PolicyCollectionError(`iam:GetPolicy returned no default version for ${arn}`);
    const version = await this.call('GetPolicyVersion', { PolicyArn: arn, VersionId: versionId });
    const name = policy.Policy?.PolicyName ?? arn.slice(arn.lastIndexOf('/') + 1);
    this.add(
      { kind: 'managed', name, arn, versionId, source: `managed:${arn}@${versionId}`, ...(group ? { group } : {}) },
      version.PolicyVersion?.Document,
    );
  }

  private add(policy: CollectedPolicy, document: string | undefined): void {
    if (document === undefined || document === '')
      throw new PolicyCollectionError(`IAM returned no document for ${policy.source}`);
    this.policies.push(policy);
    this.documents.push(parsePolicyText(document, policy.source));
  }

  /** Every page of a List call, following `Marker`. */
  private async list<T>(
    operation: string,
    input: Record<string, string>,
    items: (page: IamAnswer) => T[],
  ): Promise<T[]> {
    const all: T[] = [];
    let marker: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await this.call(operation, marker === undefined ? input : { ...input, Marker: marker });
      all.push(...items(page));
      if (!page.IsTruncated || !page.Marker) return all;
      marker = page.Marker;
    }
    throw new PolicyCollectionError(`iam:${operation} returned more than 1000 pages; stopped`);
  }

  private async call(operation: string, input: Record<string, string>): Promise<IamAnswer> {
    const Command = (this.iam as unknown as Record<string, new (input: unknown) => Parameters<IAMClient['send']>[0]>)[
      `${operation}Command`
    ];
    if (!Command) throw new PolicyCollectionError(`the IAM SDK client has no ${operation}Command`);
    try {
      return (await this.client.send(new Command(input))) as IamAnswer;
    } catch (error) {
      const credentials = toCredentialsError(error, this.profile);
      if (credentials) throw credentials;
      if (isAccessDenied(error)) {
        throw new PolicyCollectionError(
          `IAM denied iam:${operation}, so the policies cannot be read: grant the IAM read actions in policies/inventag-readonly.json`,
          { cause: error },
        );
      }
      throw new PolicyCollectionError(
        `iam:${operation} failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
