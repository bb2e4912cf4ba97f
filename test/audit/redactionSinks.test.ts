/**
 * Secrets found by their value never reach any byte InvenTag writes: real
 * guarded SDK clients talk to the loopback AWS server, and then every sink is
 * read as an attacker with file access would read it (the store through the
 * sqlite3 shell, the raw -wal and database bytes), as a user would (`audit
 * export` JSON lines and CSV, `audit tail`, `audit verify`) and as an auditor
 * would (the four log files, the monitor's saved report and state).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateTagsCommand, DescribeInstancesCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { guardClient } from '../../src/guard/index.js';
import { createLogFiles } from '../../src/logging/index.js';
import { ProductionSafetyMonitor } from '../../src/monitor/index.js';
import { HandlerError, clientConfig, startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { runAuditCli, sqlite, tempDir } from './helpers.js';
import {
  ERROR_MESSAGE_SECRETS,
  NOT_SECRETS,
  PAIR_SECRETS,
  VALUE_SECRETS,
  type ValueSecret,
} from './redactionCorpus.js';

const IDENTITY = { account: '123456789012', arn: NOT_SECRETS.roleArn, type: 'AssumedRole' };

/** Secrets that only a write's body or a CloudFormation parameter carries, and one a verdict message quotes. */
const BODY_SECRETS = {
  'a CloudFormation NoEcho parameter': { text: 'V4LUENOECHO', marker: 'V4LUENOECHO' },
  'an S3 PutObject string body': { text: 'V4LUES3BODY meeting notes', marker: 'V4LUES3BODY' },
  'a DynamoDB PutItem item': { text: 'V4LUEDYNAMO', marker: 'V4LUEDYNAMO' },
  'a password quoted by a fail-closed verdict': { text: 'password=V4LUEVERDICT', marker: 'V4LUEVERDICT' },
} as const satisfies Record<string, ValueSecret>;

const CASES: Array<[string, string]> = [
  ...Object.entries(VALUE_SECRETS).map(([name, s]): [string, string] => [name, s.marker]),
  ...Object.entries(PAIR_SECRETS).map(([name, s]): [string, string] => [name, s.marker]),
  ...Object.entries(ERROR_MESSAGE_SECRETS).map(([name, s]): [string, string] => [name, s.marker]),
  ...Object.entries(BODY_SECRETS).map(([name, s]): [string, string] => [name, s.marker]),
];

/** Every file in a directory tree, as one string of raw bytes. */
function allBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}

async function rejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call was expected to fail');
}

describe('no secret found by its value reaches any sink', () => {
  let server: AwsTestServer;
  let dir: string;
  let cleanup: () => void;
  /** What each sink holds, by name. */
  const sinks: Record<string, string> = {};
  const sink = (name: string): string => sinks[name] ?? '';
  let headHash = '';
  let failedRequestId: string | undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('inventag-redaction-'));
    server = await startAwsServer();
    const errorText = Object.values(ERROR_MESSAGE_SECRETS)
      .map((s) => s.text)
      .join('; ');
    server.addHandler({
      name: 'failing DescribeVolumes',
      matches: (req) => req.operation === 'DescribeVolumes',
      handle: () => {
        throw new HandlerError(400, 'InvalidParameterValue', `upstream proxy refused the request: ${errorText}`);
      },
    });

    const logs = createLogFiles({ directory: join(dir, 'logs') });
    const storePath = join(dir, 'data', 'audit.db');
    const store = AuditStore.open({ path: storePath, loggers: logs });
    const { production, errors, metrics, security } = logs;
    const monitor = new ProductionSafetyMonitor({ loggers: { production, errors, metrics, security } });
    const guard = { audit: store, monitor, identity: IDENTITY };
    const config = clientConfig(server, { maxAttempts: 1 });

    // A blocked write carrying every value secret (and the non-secrets) as tag values.
    const ec2 = guardClient(new EC2Client(config), guard);
    const tags = [
      ...Object.values(VALUE_SECRETS).map((s, i) => ({ Key: `note-${i}`, Value: s.text })),
      ...Object.values(PAIR_SECRETS).map((s) => ({ Key: s.key, Value: s.text })),
      { Key: 'secret-arn', Value: NOT_SECRETS.secretArn },
      { Key: 'kms-key', Value: NOT_SECRETS.kmsKeyArn },
      { Key: 'etag', Value: NOT_SECRETS.etag },
      { Key: 'checksum', Value: NOT_SECRETS.sha256 },
      { Key: 'NextToken', Value: NOT_SECRETS.nextToken },
      { Key: 'ami', Value: NOT_SECRETS.amiId },
    ];
    await rejected(ec2.send(new CreateTagsCommand({ Resources: [NOT_SECRETS.instanceId], Tags: tags })));
    // An allowed read that reaches the server with a secret in a filter value.
    await ec2.send(
      new DescribeInstancesCommand({
        InstanceIds: [NOT_SECRETS.instanceId],
        Filters: [{ Name: 'tag:auth', Values: [VALUE_SECRETS['a lower-case bearer token'].text] }],
      }),
    );
    // An allowed read whose error message echoes credentials; the application logs the error too.
    const failure = await rejected(ec2.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })));
    failedRequestId = (failure as { $metadata?: { requestId?: string } }).$metadata?.requestId;
    logs.errors.error(failure);
    logs.production.error({ err: failure }, `DescribeVolumes failed: ${failure.message}`);

    const cfn = guardClient(new CloudFormationClient(config), guard);
    await rejected(
      cfn.send(
        new CreateStackCommand({
          StackName: 'app',
          TemplateBody: JSON.stringify({ Parameters: { AdminPin: { Type: 'String', NoEcho: true } }, Resources: {} }),
          Parameters: [
            { ParameterKey: 'AdminPin', ParameterValue: BODY_SECRETS['a CloudFormation NoEcho parameter'].text },
          ],
        }),
      ),
    );
    const s3 = guardClient(new S3Client({ ...config, forcePathStyle: true }), guard);
    await rejected(
      s3.send(
        new PutObjectCommand({
          Bucket: 'notes',
          Key: 'today.txt',
          Body: BODY_SECRETS['an S3 PutObject string body'].text,
        }),
      ),
    );
    const dynamo = guardClient(new DynamoDBClient(config), guard);
    await rejected(
      dynamo.send(
        new PutItemCommand({
          TableName: 'notes',
          Item: { pk: { S: 'user#1' }, note: { S: BODY_SECRETS['a DynamoDB PutItem item'].text } },
        }),
      ),
    );
    // A verdict source that fails: the guard blocks, and its message quotes the failure.
    const sts = guardClient(new STSClient(config), {
      ...guard,
      verdicts: {
        decide: () => {
          throw new Error(`the policy service said ${BODY_SECRETS['a password quoted by a fail-closed verdict'].text}`);
        },
      },
    });
    await rejected(sts.send(new GetCallerIdentityCommand({})));

    await monitor.saveSecurityReport(monitor.generateSecurityValidationReport(), join(dir, 'reports', 'security.json'));
    await monitor.saveState(join(dir, 'data', 'monitor-state.json'));

    // The write-ahead log as it is before the store closes (closing checkpoints it into the database).
    const wal = `${storePath}-wal`;
    sinks.wal = existsSync(wal) ? readFileSync(wal).toString('latin1') : '';
    headHash = store.head()?.hash ?? '';
    await store.close();
    await logs.close();

    sinks.database = readFileSync(storePath).toString('latin1');
    sinks.dump = sqlite(storePath, '.dump');
    sinks.logs = allBytes(join(dir, 'logs'));
    sinks.errorsLog = readFileSync(join(dir, 'logs', 'inventag_errors.log'), 'utf8');
    sinks.monitorFiles = allBytes(join(dir, 'reports')) + readFileSync(join(dir, 'data', 'monitor-state.json'), 'utf8');
    for (const [name, args] of Object.entries({
      exportJsonl: ['audit', 'export', '--store', storePath, '--format', 'jsonl'],
      exportCsv: ['audit', 'export', '--store', storePath, '--format', 'csv'],
      exportRaw: ['audit', 'export', '--store', storePath, '--format', 'jsonl', '--raw'],
      tail: ['audit', 'tail', '--store', storePath, '-n', '100'],
      tailJson: ['audit', 'tail', '--store', storePath, '-n', '100', '--json'],
      verify: ['audit', 'verify', '--store', storePath, '--json'],
    })) {
      const r = await runAuditCli(args);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      sinks[name] = r.stdout + r.stderr;
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    cleanup?.();
  });

  it('wrote every sink (so the searches below search something)', () => {
    expect(sink('wal').length, 'the -wal file').toBeGreaterThan(0);
    for (const [name, text] of Object.entries(sinks)) expect(text.length, name).toBeGreaterThan(0);
    expect(sink('dump')).toContain('CreateTags');
    expect(sink('dump')).toContain('PutObject');
    expect(sink('dump')).toContain('CreateStack');
    expect(sink('dump')).toContain('PutItem');
    expect(sink('errorsLog')).toContain('InvalidParameterValue');
    expect(sink('exportCsv')).toContain('DescribeVolumes');
    expect(sink('tail')).toContain('DescribeInstances');
  });

  it.each(CASES)('%s is in no sink', (_name, marker) => {
    for (const [sink, text] of Object.entries(sinks)) expect(text.includes(marker), `found in ${sink}`).toBe(false);
  });

  it('keeps what an auditor needs: ARNs, instance ids, pagination tokens, request ids and chain hashes', () => {
    for (const kept of Object.values(NOT_SECRETS)) {
      const asStored = JSON.stringify(kept).slice(1, -1);
      expect(sink('dump').includes(kept) || sink('dump').includes(asStored), `${kept} in the store`).toBe(true);
      expect(sink('exportJsonl').includes(asStored), `${kept} in the export`).toBe(true);
    }
    expect(sink('dump')).toContain(IDENTITY.arn);
    expect(headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(sink('dump')).toContain(headHash);
    expect(sink('verify')).toContain(headHash);
    expect(sink('logs')).toContain(headHash);
    expect(failedRequestId).toBeDefined();
    expect(sink('errorsLog')).toContain(failedRequestId);
    // The blocked write is still on record, with what was not secret.
    expect(sink('exportJsonl')).toContain('"Key":"today.txt"');
    expect(sink('exportJsonl')).toContain('"ParameterKey":"AdminPin"');
  });
});
