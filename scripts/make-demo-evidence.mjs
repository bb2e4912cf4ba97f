#!/usr/bin/env node
// Builds the bundled demo evidence in examples/demo/ (run after `npm run build`):
//   audit.db      an audit trail recorded by a guarded sample session: real AWS SDK v3
//                 clients with the InvenTag guard, answered by canned AWS responses
//   cloudtrail/   trail files in the AWS layout (one region in the organization-trail
//                 layout) mirroring that session's calls, other principals' activity, and
//                 three planted writes by the inventory role made outside the guard
//   identity.json the inventory role's GetCallerIdentity answer
//   policies/     the inventory role's policies: a read-only managed policy and an
//                 inline policy with a stray write
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  DescribeSecurityGroupsCommand,
  CreateTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { ListBucketsCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AuditStore } from '../dist/audit/index.js';
import { ComplianceManager } from '../dist/manager/index.js';
import { isOperationBlockedError } from '../dist/guard/index.js';
import { DEMO_ACCOUNT, DEMO_ORG, IDENTITIES, makeRecord, READS, WRITES, rng, trailKey } from './trailFixtures.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'examples', 'demo');
const inventory = IDENTITIES.inventory;
const SESSION_START = Date.parse('2026-11-23T09:00:00Z');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'policies'), { recursive: true });

// ---- identity and policies ---------------------------------------------------------
writeFileSync(
  join(out, 'identity.json'),
  `${JSON.stringify({ UserId: inventory.principalId, Account: DEMO_ACCOUNT, Arn: inventory.arn }, null, 2)}\n`,
);
writeFileSync(
  join(out, 'policies', 'InventoryReadOnly-managed.json'),
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'InventoryReads',
          Effect: 'Allow',
          Action: [
            'ec2:Describe*',
            's3:ListAllMyBuckets',
            's3:GetBucketTagging',
            's3:GetBucketLocation',
            'iam:List*',
            'iam:GetAccountSummary',
            'sts:GetCallerIdentity',
            'cloudwatch:GetMetricData',
            'lambda:List*',
            'tag:GetResources',
            'rds:Describe*',
            'logs:Describe*',
            'kms:ListKeys',
            'cloudtrail:LookupEvents',
          ],
          Resource: '*',
        },
        {
          Sid: 'DenySecrets',
          Effect: 'Deny',
          Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  )}\n`,
);
writeFileSync(
  join(out, 'policies', 'InventoryReadOnly-inline-tagging.json'),
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'LegacyTagFixups',
          Effect: 'Allow',
          Action: ['ec2:CreateTags', 's3:PutBucketTagging', 'ssm:PutParameter'],
          Resource: '*',
        },
        { Sid: 'ReadReports', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::inventory-reports/*' },
      ],
    },
    null,
    2,
  )}\n`,
);

// ---- the guarded sample session -------------------------------------------------------
const xml = (body) => ({ statusCode: 200, headers: { 'content-type': 'text/xml' }, body });
function cannedResponse(request) {
  const host = request.hostname ?? '';
  const body = typeof request.body === 'string' ? request.body : '';
  const action = /Action=([A-Za-z]+)/.exec(body)?.[1];
  if (host.startsWith('sts'))
    return xml(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${inventory.arn}</Arn><UserId>${inventory.principalId}</UserId><Account>${DEMO_ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>0e7f2a6b-demo</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  if (host.startsWith('iam'))
    return xml(
      `<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><IsTruncated>false</IsTruncated><Roles/></ListRolesResult><ResponseMetadata><RequestId>1a2b-demo</RequestId></ResponseMetadata></ListRolesResponse>`,
    );
  if (host.startsWith('ec2'))
    return xml(
      `<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>2c3d-demo</requestId></${action}Response>`,
    );
  return xml(
    `<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>demo</ID></Owner><Buckets><Bucket><Name>inventory-reports</Name><CreationDate>2024-05-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`,
  );
}
// Stands in for the HTTP connection: the SDK's whole middleware stack (with the guard) runs as usual.
const requestHandler = {
  handle: async (request) => {
    const r = cannedResponse(request);
    return { response: { statusCode: r.statusCode, headers: r.headers, body: Readable.from([Buffer.from(r.body)]) } };
  },
};
const clientConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'ASIAEXAMPLEINVENTORY', secretAccessKey: 'demo', sessionToken: 'demo' },
  requestHandler,
};

let tick = 0;
const clock = () => new Date(SESSION_START + 700 * tick++);
const store = AuditStore.open({
  path: join(out, 'audit.db'),
  clock,
  sessionId: '5b0c3f9e-7d1a-4c2e-9f00-000000demo01',
});
const manager = new ComplianceManager(
  { dataDirectory: join(out, '.scratch') },
  { audit: store, loggers: false, identity: { arn: inventory.arn, account: DEMO_ACCOUNT, type: 'ASSUMED_ROLE' } },
);
const sts = manager.guard(new STSClient(clientConfig));
const ec2 = manager.guard(new EC2Client(clientConfig));
const s3 = manager.guard(new S3Client({ ...clientConfig, forcePathStyle: true }));
const iam = manager.guard(new IAMClient(clientConfig));

await sts.send(new GetCallerIdentityCommand({}));
for (let i = 0; i < 12; i++) {
  await ec2.send(new DescribeInstancesCommand({}));
  await ec2.send(new DescribeVolumesCommand({}));
  if (i % 3 === 0) await ec2.send(new DescribeSecurityGroupsCommand({}));
  if (i % 4 === 0) await s3.send(new ListBucketsCommand({}));
}
await iam.send(new ListRolesCommand({}));
// The sample automation also tries to tag: the guard blocks both before anything is sent.
for (const attempt of [
  () =>
    ec2.send(
      new CreateTagsCommand({ Resources: ['i-0abc1234def567890'], Tags: [{ Key: 'inventoried', Value: 'true' }] }),
    ),
  () => s3.send(new PutBucketTaggingCommand({ Bucket: 'inventory-reports', Tagging: { TagSet: [] } })),
]) {
  try {
    await attempt();
    throw new Error('the guard let a write through');
  } catch (err) {
    if (!isOperationBlockedError(err)) throw err;
  }
}
const entries = [...store.entries()];
store.closeSync();
await manager.close();
rmSync(join(out, '.scratch'), { recursive: true, force: true });

// ---- CloudTrail ------------------------------------------------------------------------
const SOURCE = {
  EC2Client: 'ec2.amazonaws.com',
  S3Client: 's3.amazonaws.com',
  STSClient: 'sts.amazonaws.com',
  IAMClient: 'iam.amazonaws.com',
};
const byFile = new Map();
const add = (region, org, record, time) => {
  const hour = new Date(time);
  hour.setUTCMinutes(0, 0, 0);
  const key = trailKey({
    region,
    time: hour,
    uniq: `${region.replace(/-/g, '')}${hour.getUTCHours()}`,
    ...(org ? { org } : {}),
  });
  if (!byFile.has(key)) byFile.set(key, []);
  byFile.get(key).push(record);
};
let n = 0;
for (const e of entries) {
  if (e.kind !== 'attempt' || e.decision !== 'allowed') continue;
  const time = new Date(e.timestamp);
  add(
    'us-east-1',
    undefined,
    makeRecord({
      time,
      region: 'us-east-1',
      identity: inventory,
      eventSource: SOURCE[e.service] ?? `${e.service}.amazonaws.com`,
      eventName: e.operation,
      readOnly: true,
      next: rng(++n),
    }),
    time,
  );
}
// Other principals, three days, two regions (eu-west-1 delivered by the organization trail).
const next = rng(42);
for (let i = 0; i < 240; i++) {
  const time = new Date(SESSION_START - 3 * 86_400_000 + Math.floor(next() * 3 * 86_400_000));
  const region = i % 3 === 0 ? 'eu-west-1' : 'us-east-1';
  const identity = next() < 0.5 ? IDENTITIES.deploy : IDENTITIES.alice;
  const [eventSource, eventName, requestParameters] =
    next() < 0.3 ? WRITES[Math.floor(next() * WRITES.length)] : READS[Math.floor(next() * READS.length)];
  add(
    region,
    region === 'eu-west-1' ? DEMO_ORG : undefined,
    makeRecord({ time, region, identity, eventSource, eventName, requestParameters, next }),
    time,
  );
}
// The planted writes: the inventory role's credentials used outside the guard.
const planted = [
  {
    time: '2026-11-21T14:05:12Z',
    region: 'us-east-1',
    w: WRITES[0],
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2',
  },
  { time: '2026-11-22T02:41:57Z', region: 'eu-west-1', w: WRITES[2], userAgent: '<img src=x onerror=alert(1)>' },
  {
    time: '2026-11-22T19:13:03Z',
    region: 'us-east-1',
    w: WRITES[5],
    userAgent: 'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1',
  },
];
for (const p of planted) {
  const time = new Date(p.time);
  const [eventSource, eventName, requestParameters] = p.w;
  add(
    p.region,
    p.region === 'eu-west-1' ? DEMO_ORG : undefined,
    makeRecord({
      time,
      region: p.region,
      identity: inventory,
      eventSource,
      eventName,
      requestParameters,
      readOnly: false,
      userAgent: p.userAgent,
      sourceIp: '203.0.113.77',
      next: rng(time.getTime() & 0xffff),
    }),
    time,
  );
}
for (const [key, records] of [...byFile.entries()].sort()) {
  records.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  const file = join(out, 'cloudtrail', key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, gzipSync(JSON.stringify({ Records: records }), { level: 9 }));
}
console.log(
  `examples/demo: ${entries.length} audit entries, ${byFile.size} trail files, planted writes: ${planted.map((p) => `${p.w[0].split('.')[0]}:${p.w[1]} (${p.time}, ${p.region})`).join('; ')}`,
);
