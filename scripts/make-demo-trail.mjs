#!/usr/bin/env node
// Writes the demo CloudTrail evidence under examples/demo/cloudtrail/ (or the
// directory given): three days, two regions, an organization-trail folder, mostly
// reads by the inventory role plus three planted writes by it, and writes by
// other principals that a check of the inventory role must not report.
// Deterministic: running it again gives the same files.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { backgroundRecords, DEMO_ACCOUNT, DEMO_ORG, IDENTITIES, makeRecord, rng, trailKey } from './trailFixtures.mjs';

if (!process.argv[2]) {
  process.stderr.write(
    'usage: node scripts/make-demo-trail.mjs DIR  (the bundled demo evidence is made by scripts/make-demo-evidence.mjs)\n',
  );
  process.exit(2);
}
const root = resolve(process.argv[2]);
const OTHER_ACCOUNT = '210987654321';
const days = ['2024-05-01', '2024-05-02', '2024-05-03'];
const regions = ['us-east-1', 'eu-west-1'];
const files = [];
let seed = 100;

for (const day of days) {
  for (const region of regions) {
    for (const hour of ['09', '15']) {
      const start = new Date(`${day}T${hour}:00:00Z`);
      const records = backgroundRecords(60, {
        start,
        end: new Date(start.getTime() + 3_600_000),
        region,
        seed: seed++,
      });
      files.push({
        key: trailKey({ region, time: new Date(start.getTime() + 3_900_000), uniq: `demo${seed}` }),
        records,
      });
    }
  }
}

const next = rng(7);
const planted = [
  makeRecord({
    time: new Date('2024-05-01T10:17:42Z'),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateTags',
    readOnly: false,
    next,
    requestParameters: {
      resourcesSet: { items: [{ resourceId: 'i-0abc1234def567890' }] },
      tagSet: { items: [{ key: 'inventoried', value: 'true' }] },
    },
  }),
  makeRecord({
    time: new Date('2024-05-02T15:31:05Z'),
    region: 'eu-west-1',
    identity: IDENTITIES.inventory,
    eventSource: 's3.amazonaws.com',
    eventName: 'PutBucketTagging',
    readOnly: false,
    next,
    requestParameters: {
      bucketName: 'inventory-reports',
      Tagging: { TagSet: { Tag: { Key: 'scanned', Value: '2024-05-02' } } },
    },
  }),
  makeRecord({
    time: new Date('2024-05-03T09:44:10Z'),
    region: 'us-east-1',
    identity: IDENTITIES.inventory,
    eventSource: 'ssm.amazonaws.com',
    eventName: 'PutParameter',
    readOnly: false,
    next,
    errorCode: 'AccessDenied',
    requestParameters: { name: '/inventory/last-run', type: 'String', overwrite: true },
  }),
];
files.push({
  key: trailKey({ region: 'us-east-1', time: new Date('2024-05-01T10:20:00Z'), uniq: 'demoW1' }),
  records: [planted[0]],
});
files.push({
  key: trailKey({ region: 'eu-west-1', time: new Date('2024-05-02T15:35:00Z'), uniq: 'demoW2' }),
  records: [planted[1]],
});
files.push({
  key: trailKey({ region: 'us-east-1', time: new Date('2024-05-03T09:50:00Z'), uniq: 'demoW3' }),
  records: [planted[2]],
});

// An organization trail delivering a second account's events: other principals only.
const otherIdentity = {
  ...IDENTITIES.alice,
  arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/bob`,
  accountId: OTHER_ACCOUNT,
  userName: 'bob',
  accessKeyId: 'AKIAEXAMPLEBOB000001',
  principalId: 'AIDAEXAMPLEBOB000001',
};
const orgRecords = [
  makeRecord({
    time: new Date('2024-05-02T11:00:00Z'),
    region: 'us-east-1',
    identity: otherIdentity,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    next,
  }),
  makeRecord({
    time: new Date('2024-05-02T11:05:00Z'),
    region: 'us-east-1',
    identity: otherIdentity,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'TerminateInstances',
    readOnly: false,
    next,
  }),
];
files.push({
  key: trailKey({
    account: OTHER_ACCOUNT,
    org: DEMO_ORG,
    region: 'us-east-1',
    time: new Date('2024-05-02T11:10:00Z'),
    uniq: 'demoOrg',
  }),
  records: orgRecords,
});

rmSync(join(root, 'AWSLogs'), { recursive: true, force: true });
for (const f of files) {
  const path = join(root, ...f.key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify({ Records: f.records }), { level: 9 }));
}
process.stdout.write(`wrote ${files.length} trail files for account ${DEMO_ACCOUNT} under ${root}\n`);
process.stdout.write(`principal: ${IDENTITIES.inventory.arn}\nplanted writes:\n`);
for (const p of planted)
  process.stdout.write(
    `  ${p.eventTime} ${p.awsRegion} ${p.eventSource} ${p.eventName}${p.errorCode ? ` (${p.errorCode})` : ''} eventID ${p.eventID}\n`,
  );
