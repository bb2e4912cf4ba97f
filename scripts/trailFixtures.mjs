// Realistic CloudTrail records and trail-file naming, for the tests, the
// benchmark and the demo evidence. Deterministic: the same seed gives the
// same records, byte for byte.

export const DEMO_ACCOUNT = '123456789012';
export const DEMO_ORG = 'o-a1b2c3d4e5';

/** The identities the generated trails use. `inventory` is the guarded principal. */
export const IDENTITIES = {
  inventory: {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEINVENTORY:inventag',
    arn: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/InventoryReadOnly/inventag`,
    accountId: DEMO_ACCOUNT,
    accessKeyId: 'ASIAEXAMPLEINVENTORY',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEINVENTORY',
        arn: `arn:aws:iam::${DEMO_ACCOUNT}:role/InventoryReadOnly`,
        accountId: DEMO_ACCOUNT,
        userName: 'InventoryReadOnly',
      },
      attributes: { creationDate: '2024-05-01T00:00:00Z', mfaAuthenticated: 'false' },
    },
  },
  deploy: {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEDEPLOY:ci-pipeline',
    arn: `arn:aws:sts::${DEMO_ACCOUNT}:assumed-role/DeployRole/ci-pipeline`,
    accountId: DEMO_ACCOUNT,
    accessKeyId: 'ASIAEXAMPLEDEPLOYKEY',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEDEPLOY',
        arn: `arn:aws:iam::${DEMO_ACCOUNT}:role/DeployRole`,
        accountId: DEMO_ACCOUNT,
        userName: 'DeployRole',
      },
      attributes: { creationDate: '2024-05-01T00:00:00Z', mfaAuthenticated: 'false' },
    },
  },
  alice: {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEALICE0001',
    arn: `arn:aws:iam::${DEMO_ACCOUNT}:user/alice`,
    accountId: DEMO_ACCOUNT,
    accessKeyId: 'AKIAEXAMPLEALICE0001',
    userName: 'alice',
  },
};

/** Reads an inventory tool makes: [eventSource, eventName, requestParameters]. */
export const READS = [
  [
    'ec2.amazonaws.com',
    'DescribeInstances',
    {
      instancesSet: {},
      filterSet: { items: [{ name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } }] },
    },
  ],
  ['ec2.amazonaws.com', 'DescribeVolumes', { volumeSet: {}, filterSet: {} }],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} }],
  ['ec2.amazonaws.com', 'DescribeVpcs', { vpcSet: {}, filterSet: {} }],
  ['s3.amazonaws.com', 'ListBuckets', { Host: 's3.amazonaws.com' }],
  [
    's3.amazonaws.com',
    'GetBucketTagging',
    { bucketName: 'inventory-reports', Host: 'inventory-reports.s3.amazonaws.com', tagging: '' },
  ],
  ['iam.amazonaws.com', 'ListRoles', { maxItems: 100 }],
  ['iam.amazonaws.com', 'GetAccountSummary', null],
  ['sts.amazonaws.com', 'GetCallerIdentity', null],
  [
    'monitoring.amazonaws.com',
    'GetMetricData',
    {
      startTime: 'May 1, 2024, 10:00:00 AM',
      endTime: 'May 1, 2024, 11:00:00 AM',
      metricDataQueries: [
        {
          id: 'cpu',
          metricStat: { metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization' }, period: 300, stat: 'Average' },
        },
      ],
    },
  ],
  ['lambda.amazonaws.com', 'ListFunctions20150331', { maxItems: 50 }],
  ['tagging.amazonaws.com', 'GetResources', { resourcesPerPage: 100, tagFilters: [{ key: 'env', values: ['prod'] }] }],
  ['rds.amazonaws.com', 'DescribeDBInstances', { maxRecords: 100 }],
  ['logs.amazonaws.com', 'DescribeLogGroups', { limit: 50 }],
  ['kms.amazonaws.com', 'ListKeys', { limit: 100 }],
];

/** Writes other principals make: [eventSource, eventName, requestParameters]. */
export const WRITES = [
  [
    'ec2.amazonaws.com',
    'CreateTags',
    {
      resourcesSet: { items: [{ resourceId: 'i-0abc1234def567890' }] },
      tagSet: { items: [{ key: 'owner', value: 'ops' }] },
    },
  ],
  [
    'ec2.amazonaws.com',
    'StopInstances',
    { instancesSet: { items: [{ instanceId: 'i-0abc1234def567890' }] }, force: false },
  ],
  [
    's3.amazonaws.com',
    'PutBucketTagging',
    {
      bucketName: 'inventory-reports',
      Host: 'inventory-reports.s3.amazonaws.com',
      Tagging: { TagSet: { Tag: { Key: 'env', Value: 'prod' } } },
    },
  ],
  [
    'iam.amazonaws.com',
    'AttachRolePolicy',
    { roleName: 'AppRole', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
  ],
  ['lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', { functionName: 'inventory-sync', timeout: 60 }],
  ['ssm.amazonaws.com', 'PutParameter', { name: '/app/feature-flag', type: 'String', overwrite: true }],
];

// CloudTrail's own flag for names not in WRITES: what it records for calls that change something.
const WRITE_VERB =
  /^(Create|Delete|Put|Update|Modify|Run|Start|Stop|Terminate|Attach|Detach|Associate|Disassociate|Tag|Untag|Set|Enable|Disable)[A-Z]/;

/** A small seeded PRNG (mulberry32), so fixtures are reproducible. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(next) {
  const h = () =>
    Math.floor(next() * 0x10000)
      .toString(16)
      .padStart(4, '0');
  return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
}

const AGENTS = [
  'inventag/0.1.0 aws-sdk-js/3.1169.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.19.0 api/ec2#3.1169.0',
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
];

/**
 * One CloudTrail record as a trail file holds it.
 * @param {{ time: Date, region: string, identity: object, eventSource: string, eventName: string, readOnly?: boolean, requestParameters?: unknown, responseElements?: unknown, errorCode?: string, errorMessage?: string, eventId?: string, requestId?: string, sourceIp?: string, userAgent?: string, next?: () => number }} spec
 */
export function makeRecord(spec) {
  const next = spec.next ?? rng(spec.time.getTime() & 0xffffffff);
  const readOnly = spec.readOnly ?? !(WRITES.some(([, n]) => n === spec.eventName) || WRITE_VERB.test(spec.eventName));
  const record = {
    eventVersion: '1.09',
    userIdentity: spec.identity,
    eventTime: spec.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: spec.eventSource,
    eventName: spec.eventName,
    awsRegion: spec.region,
    sourceIPAddress: spec.sourceIp ?? '198.51.100.23',
    userAgent: spec.userAgent ?? AGENTS[Math.floor(next() * AGENTS.length)],
    requestParameters: spec.requestParameters ?? null,
    responseElements: spec.responseElements ?? null,
    requestID: spec.requestId ?? uuid(next),
    eventID: spec.eventId ?? uuid(next),
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: spec.identity.accountId ?? DEMO_ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${spec.eventSource.replace('.amazonaws.com', '')}.${spec.region}.amazonaws.com`,
    },
  };
  if (spec.errorCode) {
    record.errorCode = spec.errorCode;
    record.errorMessage = spec.errorMessage ?? `User: ${spec.identity.arn} is not authorized to perform this operation`;
  }
  return record;
}

/**
 * `count` records spread over [start, end): mostly reads by the inventory
 * role, some reads and writes by other principals. None of the inventory
 * role's records is a write; plant those yourself.
 */
export function backgroundRecords(count, { start, end, region, seed = 1 }) {
  const next = rng(seed);
  const span = end.getTime() - start.getTime();
  const out = [];
  for (let i = 0; i < count; i++) {
    const time = new Date(start.getTime() + Math.floor((span * i) / count));
    const roll = next();
    let identity = IDENTITIES.inventory;
    let template = READS[Math.floor(next() * READS.length)];
    if (roll > 0.9) {
      identity = roll > 0.95 ? IDENTITIES.deploy : IDENTITIES.alice;
      template = next() < 0.5 ? WRITES[Math.floor(next() * WRITES.length)] : template;
    }
    const [eventSource, eventName, requestParameters] = template;
    out.push(makeRecord({ time, region, identity, eventSource, eventName, requestParameters, next }));
  }
  return out;
}

const stamp = (d) => d.toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';

/** `AWSLogs/[<org>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<stamp>_<uniq>.json.gz` */
export function trailKey({ account = DEMO_ACCOUNT, region, time, uniq, org }) {
  const day = time.toISOString().slice(0, 10).replaceAll('-', '/');
  return `AWSLogs/${org ? `${org}/` : ''}${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp(time)}_${uniq}.json.gz`;
}
