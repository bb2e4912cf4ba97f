/**
 * An AWS Organization on the loopback server: Organizations ListAccounts
 * (JSON 1.1, paged), STS AssumeRole into each member account (temporary keys
 * that name the account), and per-account STS GetCallerIdentity, IAM policy
 * reads and CloudTrail LookupEvents. A request's account is the one its
 * access key was issued for; keys the world did not issue belong to the
 * management account. Every LookupEvents is recorded with its account and
 * region, for pacing checks.
 */
import { cloudTrailHandler, type CloudTrailRecord } from './cloudtrail.js';
import { describeRegionsHandler } from './ec2.js';
import { iamHandler, type IamHandlerOptions } from './iam.js';
import { errorResponse, HandlerError, jsonResult, page, queryResult, xmlText } from './protocol.js';
import type { AwsRequest, ServiceHandler } from './types.js';

export interface OrgMember {
  id: string;
  name: string;
  /** AssumeRole into this account answers AccessDenied. @default false */
  denyAssumeRole?: boolean;
  /** IAM of the account: the assumed role's policies live under `roles[roleName]`. */
  iam: IamHandlerOptions;
  /** CloudTrail records per region. */
  events?: Record<string, CloudTrailRecord[]>;
}

export interface OrgWorldOptions {
  managementAccount: string;
  /** The automation's base principal (in the management account). */
  principal: { arn: string; userId: string };
  /** IAM of the management account (the base principal's policies). */
  managementIam?: IamHandlerOptions;
  members: OrgMember[];
  /** ListAccounts page size. @default 10 */
  pageSize?: number;
}

export interface LookupArrival {
  account: string;
  region: string;
  time: number;
}

export interface IssuedSession {
  account: string;
  roleArn: string;
  sessionName: string;
  externalId: string | undefined;
  /** The access key that signed the AssumeRole (role chaining shows up here). */
  signedWith: string;
}

export interface OrgWorld {
  handlers: ServiceHandler[];
  /** LookupEvents requests as they arrived. */
  lookups: LookupArrival[];
  /** AssumeRole answers given, in order. */
  sessions: IssuedSession[];
  /** The account a recorded request was made in. */
  accountOf(req: Pick<AwsRequest, 'headers'>): string;
}

const accessKeyOf = (req: Pick<AwsRequest, 'headers'>): string =>
  /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';

/** Seconds since the epoch, as JSON 1.1 carries timestamps. */
const epoch = (d: Date): number => Math.floor(d.getTime() / 1000);

/** A CloudTrail record by `arn` (an assumed-role ARN) in `account`. */
export function orgRecord(spec: {
  account: string;
  arn: string;
  time: Date;
  region: string;
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  id: string;
  requestParameters?: Record<string, unknown>;
}): CloudTrailRecord {
  const [, , , , , resource = ''] = spec.arn.split(':');
  const [, role = 'Role'] = resource.split('/');
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA${spec.account}:${resource.split('/')[2] ?? 'session'}`,
      arn: spec.arn,
      accountId: spec.account,
      accessKeyId: `ASIA${spec.account}EVT`,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: `arn:aws:iam::${spec.account}:role/${role}`,
          accountId: spec.account,
          userName: role,
        },
      },
    },
    eventTime: spec.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: spec.eventSource,
    eventName: spec.eventName,
    awsRegion: spec.region,
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-sdk-js/3',
    requestParameters: spec.requestParameters ?? null,
    responseElements: null,
    requestID: `req-${spec.id}`,
    eventID: spec.id,
    readOnly: spec.readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: spec.account,
  };
}

export function organizationWorld(options: OrgWorldOptions): OrgWorld {
  const members = new Map(options.members.map((m) => [m.id, m]));
  const issued = new Map<string, IssuedSession>();
  const sessions: IssuedSession[] = [];
  const lookups: LookupArrival[] = [];
  const iams = new Map<string, ServiceHandler>(options.members.map((m) => [m.id, iamHandler(m.iam)]));
  const managementIam = iamHandler(options.managementIam ?? {});
  const trails = new Map<string, ServiceHandler>(
    options.members.map((m) => [m.id, cloudTrailHandler({ events: m.events ?? {} })]),
  );
  const emptyTrail = cloudTrailHandler({ events: {} });
  const accountOf = (req: Pick<AwsRequest, 'headers'>): string =>
    issued.get(accessKeyOf(req))?.account ?? options.managementAccount;

  const organizations: ServiceHandler = {
    name: 'organizations',
    matches: (req) => req.service === 'organizations',
    handle: (req) => {
      if (req.operation !== 'ListAccounts')
        throw new HandlerError(
          400,
          'InvalidAction',
          `the loopback Organizations handler does not implement ${req.operation}`,
        );
      if (accountOf(req) !== options.managementAccount)
        return errorResponse(req, 400, 'AccessDeniedException', 'You don’t have permissions to access this resource.');
      const input = (req.json ?? {}) as { NextToken?: string; MaxResults?: number };
      const size = Math.min(input.MaxResults ?? 20, options.pageSize ?? 10);
      const { items, next } = page(options.members, input.NextToken, size);
      return jsonResult(req, {
        Accounts: items.map((m) => ({
          Id: m.id,
          Arn: `arn:aws:organizations::${options.managementAccount}:account/o-example/${m.id}`,
          Email: `${m.name}@example.com`,
          Name: m.name,
          Status: 'ACTIVE',
          JoinedMethod: 'CREATED',
          JoinedTimestamp: epoch(new Date('2024-01-01T00:00:00Z')),
        })),
        ...(next ? { NextToken: next } : {}),
      });
    },
  };

  const sts: ServiceHandler = {
    name: 'sts-organization',
    matches: (req) => req.service === 'sts',
    handle: (req) => {
      if (req.operation === 'GetCallerIdentity') {
        const session = issued.get(accessKeyOf(req));
        const arn = session
          ? `arn:aws:sts::${session.account}:assumed-role/${session.roleArn.split('/').at(-1)}/${session.sessionName}`
          : options.principal.arn;
        const account = session?.account ?? options.managementAccount;
        const userId = session ? `AROA${session.account}:${session.sessionName}` : options.principal.userId;
        return queryResult(req, `${xmlText('Arn', arn)}${xmlText('UserId', userId)}${xmlText('Account', account)}`);
      }
      if (req.operation !== 'AssumeRole')
        throw new HandlerError(400, 'InvalidAction', `the loopback STS handler does not implement ${req.operation}`);
      const roleArn = req.params.RoleArn ?? '';
      const sessionName = req.params.RoleSessionName ?? '';
      const account = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? '';
      const member = members.get(account);
      const caller = issued.get(accessKeyOf(req));
      const callerArn = caller
        ? `arn:aws:sts::${caller.account}:assumed-role/${caller.roleArn.split('/').at(-1)}/${caller.sessionName}`
        : options.principal.arn;
      if (!member || member.denyAssumeRole || !sessionName)
        return errorResponse(
          req,
          403,
          'AccessDenied',
          `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
      const key = `ASIA${account}${String(sessions.length + 1).padStart(4, '0')}`;
      const session: IssuedSession = {
        account,
        roleArn,
        sessionName,
        externalId: req.params.ExternalId,
        signedWith: accessKeyOf(req),
      };
      issued.set(key, session);
      sessions.push(session);
      const expiration = new Date(Date.now() + 3_600_000).toISOString();
      return queryResult(
        req,
        `<Credentials>${xmlText('AccessKeyId', key)}${xmlText('SecretAccessKey', `secret-${key}`)}${xmlText('SessionToken', `token-${key}`)}${xmlText('Expiration', expiration)}</Credentials>` +
          `<AssumedRoleUser>${xmlText('AssumedRoleId', `AROA${account}:${sessionName}`)}${xmlText('Arn', `arn:aws:sts::${account}:assumed-role/${roleArn.split('/').at(-1)}/${sessionName}`)}</AssumedRoleUser>`,
      );
    },
  };

  const iam: ServiceHandler = {
    name: 'iam-organization',
    matches: (req) => req.service === 'iam',
    handle: (req, server) => {
      const account = accountOf(req);
      return (iams.get(account) ?? managementIam).handle(req, server);
    },
  };

  const cloudtrail: ServiceHandler = {
    name: 'cloudtrail-organization',
    matches: (req) => req.service === 'cloudtrail' && req.operation === 'LookupEvents',
    handle: (req, server) => {
      const account = accountOf(req);
      lookups.push({ account, region: req.region ?? 'us-east-1', time: req.time });
      return (trails.get(account) ?? emptyTrail).handle(req, server);
    },
  };

  return { handlers: [organizations, sts, iam, cloudtrail, describeRegionsHandler()], lookups, sessions, accountOf };
}

/** The most LookupEvents requests seen in any one-second window, per account and region. */
export function peakLookupsPerSecond(lookups: readonly LookupArrival[]): Map<string, number> {
  const byKey = new Map<string, number[]>();
  for (const l of lookups) {
    const key = `${l.account}/${l.region}`;
    byKey.set(key, [...(byKey.get(key) ?? []), l.time]);
  }
  const peak = new Map<string, number>();
  for (const [key, times] of byKey) {
    times.sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      most = Math.max(most, i - j + 1);
    }
    peak.set(key, most);
  }
  return peak;
}

export const MANAGEMENT_ACCOUNT = '999999999999';
export const ORG_ROLE = 'InventoryReadOnly';
export const BASE_PRINCIPAL = {
  arn: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:user/org-auditor`,
  userId: 'AIDAORGAUDITOR000001',
};

/** Account id of the n-th member (1-based): 100000000001, 100000000002, ... */
export const memberId = (n: number): string => `1${String(n).padStart(11, '0')}`;

const READ_ONLY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'ec2:Describe*',
        's3:List*',
        'cloudtrail:LookupEvents',
        'iam:Get*',
        'iam:List*',
        'sts:GetCallerIdentity',
      ],
      Resource: '*',
    },
  ],
};

export interface ExampleOrganizationOptions {
  accounts: number;
  /** Members (1-based) with one write by the automation's role in CloudTrail. */
  plantedWrite?: number[];
  /** Members that deny AssumeRole. */
  denyAssumeRole?: number[];
  /** Members whose role may iam:PassRole. */
  passRole?: number[];
  /** Background events (other principals) per member in us-east-1; three pages of LookupEvents at 110. @default 110 */
  eventsPerAccount?: number;
  /** The base principal's AssumeRole grant. @default the sanctioned role in every account */
  baseAssumeResource?: string;
  now?: number;
}

/**
 * An organization as the org tests and the benchmark use it: `accounts`
 * members, each with the automation's role (read-only policy), CloudTrail
 * events of other principals in us-east-1 and eu-west-1, and the planted
 * problems the options name.
 */
export function exampleOrganization(options: ExampleOrganizationOptions): OrgWorldOptions {
  const now = options.now ?? Date.now();
  const per = options.eventsPerAccount ?? 110;
  const members: OrgMember[] = [];
  for (let n = 1; n <= options.accounts; n++) {
    const id = memberId(n);
    const other = `arn:aws:sts::${id}:assumed-role/DeployRole/ci-pipeline`;
    const east: CloudTrailRecord[] = [];
    for (let i = 0; i < per; i++)
      east.push(
        orgRecord({
          account: id,
          arn: other,
          time: new Date(now - 3_000_000 + i * 20_000),
          region: 'us-east-1',
          eventSource: i % 10 === 0 ? 'ec2.amazonaws.com' : 's3.amazonaws.com',
          eventName: i % 10 === 0 ? 'StopInstances' : 'ListBuckets',
          readOnly: i % 10 !== 0,
          id: `${id}-east-${i}`,
        }),
      );
    if (options.plantedWrite?.includes(n))
      east.push(
        orgRecord({
          account: id,
          arn: `arn:aws:sts::${id}:assumed-role/${ORG_ROLE}/inventag`,
          time: new Date(now - 1_200_000),
          region: 'us-east-1',
          eventSource: 'ec2.amazonaws.com',
          eventName: 'CreateTags',
          readOnly: false,
          id: `${id}-planted-write`,
        }),
      );
    const west = [0, 1, 2].map((i) =>
      orgRecord({
        account: id,
        arn: other,
        time: new Date(now - 2_000_000 + i * 60_000),
        region: 'eu-west-1',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'DescribeInstances',
        readOnly: true,
        id: `${id}-west-${i}`,
      }),
    );
    const inline: Record<string, Record<string, unknown>> = {};
    if (options.passRole?.includes(n))
      inline.PassAnyRole = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'PassRole', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }],
      };
    members.push({
      id,
      name: `member-${String(n).padStart(3, '0')}`,
      denyAssumeRole: options.denyAssumeRole?.includes(n) ?? false,
      iam: {
        policies: { 'arn:aws:iam::aws:policy/ReadOnlyLike': { document: READ_ONLY_POLICY } },
        roles: { [ORG_ROLE]: { attached: ['arn:aws:iam::aws:policy/ReadOnlyLike'], inline } },
      },
      events: { 'us-east-1': east, 'eu-west-1': west },
    });
  }
  return {
    managementAccount: MANAGEMENT_ACCOUNT,
    principal: BASE_PRINCIPAL,
    managementIam: {
      users: {
        'org-auditor': {
          inline: {
            OrgAudit: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'Sessions',
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Resource: options.baseAssumeResource ?? `arn:aws:iam::*:role/${ORG_ROLE}`,
                },
                {
                  Sid: 'List',
                  Effect: 'Allow',
                  Action: ['organizations:ListAccounts', 'iam:Get*', 'iam:List*'],
                  Resource: '*',
                },
              ],
            },
          },
        },
      },
    },
    members,
  };
}

/** The environment of `inventag check --org` against the loopback server: base credentials, no AWS files, data in `dir`. */
export const orgCliEnv = (dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDORGBASE000000001',
  AWS_SECRET_ACCESS_KEY: 'base-secret',
  AWS_CONFIG_FILE: `${dir}/no-config`,
  AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-credentials`,
  INVENTAG_DATA_DIRECTORY: `${dir}/data`,
  ...extra,
});
