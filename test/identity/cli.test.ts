import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamHandler } from '../support/aws/iam.js';
import { startAwsServer, stsHandler, type AwsTestServer } from '../support/awsServer.js';
import { CLI } from '../support/cli.js';

const ENTRY = CLI;
const ROOT = join(import.meta.dirname, '..', '..');
// The commands record their own AWS calls in the configured audit store: one per test file.
const DATA = mkdtempSync(join(tmpdir(), 'inventag-identity-cli-'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [ENTRY, ...args],
      // Hermetic: no shared config or credentials of the machine, no instance metadata.
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NO_COLOR: '1',
          AWS_EC2_METADATA_DISABLED: 'true',
          INVENTAG_DATA_DIRECTORY: DATA,
          ...isolated(),
          ...options.env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

let dir: string;
const isolated = () => ({
  HOME: dir,
  AWS_CONFIG_FILE: join(dir, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
});
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};
const doc = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inventag-identity-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(DATA, { recursive: true, force: true });
});

describe('inventag policy check', () => {
  it("passes InvenTag's own least-privilege policy", async () => {
    const result = await run(['policy', 'check', 'policies/inventag-readonly.json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Result: READ-ONLY');
    expect(result.stdout).toMatch(/s3:GetObject {2}data \(on some resources only\)/);
  });

  it('exits 5 and lists the writes of "ec2:*", with JSON for machines', async () => {
    const path = file('ec2.json', doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }));
    const text = await run(['policy', 'check', path]);
    expect(text.code).toBe(5);
    expect(text.stdout).toMatch(/Result: WRITES ALLOWED/);
    expect(text.stdout).toMatch(/ec2 \(\d+\): .*TerminateInstances/);
    const json = await run(['policy', 'check', '--json', path]);
    expect(json.code).toBe(5);
    const report = JSON.parse(json.stdout) as { readOnly: boolean; counts: { Write: number } };
    expect(report.readOnly).toBe(false);
    expect(report.counts.Write).toBeGreaterThan(300);
  });

  it('counts reads that change state (sqs:ReceiveMessage, logs:StartQuery) as writes, as the guard does: exit 5', async () => {
    const path = file(
      'consumer.json',
      doc({ Effect: 'Allow', Action: ['sqs:Get*', 'sqs:ReceiveMessage', 'logs:StartQuery'], Resource: '*' }),
    );
    const text = await run(['policy', 'check', path]);
    expect(text.code, text.stdout).toBe(5);
    expect(text.stdout).toMatch(
      /Result: WRITES ALLOWED: 2 write actions allowed \(2 of them reads that change state\)/,
    );
    expect(text.stdout).toMatch(/Read with side effects \(the guard blocks it\) \(2\)/);
    expect(text.stdout).toMatch(/sqs \(1\): ReceiveMessage/);
    const json = await run(['policy', 'check', '--json', path]);
    const report = JSON.parse(json.stdout) as { readOnly: boolean; counts: { Read: number; sideEffectReads: number } };
    expect(report).toMatchObject({ readOnly: false, counts: { sideEffectReads: 2 } });
    // The plain reads stay reads.
    const reads = await run([
      'policy',
      'check',
      file('reads.json', doc({ Effect: 'Allow', Action: 'sqs:Get*', Resource: '*' })),
    ]);
    expect(reads.code, reads.stdout).toBe(0);
  });

  it('reads several files as one principal, and the GetPolicyVersion form from standard input', async () => {
    const allowAll = file('all.json', doc({ Effect: 'Allow', Action: '*', Resource: '*' }));
    const denyWrites = {
      PolicyVersion: {
        Document: encodeURIComponent(
          JSON.stringify(doc({ Effect: 'Deny', NotAction: ['s3:Get*', 's3:List*'], Resource: '*' })),
        ),
        VersionId: 'v2',
      },
    };
    const result = await run(['policy', 'check', allowAll, '-'], { stdin: JSON.stringify(denyWrites) });
    expect(result.stdout).toMatch(/Policies: .*all\.json \(1 statement\), <stdin> \(1 statement\)/);
    expect(result.code).toBe(0);
  });

  it('exits 2 naming file, line and column for malformed JSON', async () => {
    const path = file(
      'broken.json',
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "s3:GetObject"}\n  ]\n}',
    );
    const result = await run(['policy', 'check', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path}:4:24: not valid JSON: expected "," or "}"`);
  });

  it('exits 2 naming the statement index and field for an invalid Effect, Version or action', async () => {
    const cases: Array<[object, string]> = [
      [
        doc(
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          { Effect: 'allow', Action: 's3:GetObject', Resource: '*' },
        ),
        'Statement[1].Effect: expected "Allow" or "Deny", got "allow"',
      ],
      [{ Version: '2024-01-01', Statement: [] }, 'Version: expected "2012-10-17" or "2008-10-17", got "2024-01-01"'],
      [
        doc({ Effect: 'Allow', Action: ['s3:GetObject', 'GetObject'], Resource: '*' }),
        'Statement[0].Action[1]: "GetObject" has no colon',
      ],
    ];
    for (const [content, message] of cases) {
      const path = file('bad.json', content);
      const result = await run(['policy', 'check', path]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`inventag: ${path}: ${message}`);
      expect(result.stdout).toBe('');
    }
  });

  it('exits 2 for a file that does not exist', async () => {
    const result = await run(['policy', 'check', join(dir, 'missing.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing\.json: cannot read the policy file \(no such file\)/);
  });
});

describe('inventag identity and permissions against the loopback server', () => {
  let server: AwsTestServer;
  let reader: AwsTestServer;
  const ro = doc({ Effect: 'Allow', Action: ['ec2:Describe*', 's3:List*'], Resource: '*' });
  beforeAll(async () => {
    const iam = iamHandler({
      policies: { 'arn:aws:iam::aws:policy/Ro': { document: ro } },
      roles: {
        AWSReservedSSO_Admin_0123456789abcdef: {
          attached: ['arn:aws:iam::aws:policy/Ro'],
          inline: { oops: doc({ Effect: 'Allow', Action: 'iam:AttachRolePolicy', Resource: '*' }) },
        },
        reader: { attached: ['arn:aws:iam::aws:policy/Ro'] },
      },
    });
    server = await startAwsServer({
      handlers: [
        stsHandler({
          account: '123456789012',
          arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com',
          userId: 'AROA:alice',
        }),
        iam,
      ],
    });
    reader = await startAwsServer({
      handlers: [
        stsHandler({
          account: '123456789012',
          arn: 'arn:aws:sts::123456789012:assumed-role/reader/ci',
          userId: 'AROA:ci',
        }),
        iam,
      ],
    });
  });
  afterAll(async () => {
    await server.close();
    await reader.close();
  });
  const creds = {
    AWS_ACCESS_KEY_ID: 'ASIATESTKEY000000001',
    AWS_SECRET_ACCESS_KEY: 'secret-value-never-printed',
    AWS_SESSION_TOKEN: 'token',
  };

  it('shows an SSO identity as JSON and text', async () => {
    const json = await run(['identity', '--json', '--endpoint-url', server.url], { env: creds });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: 'SSO',
      permissionSet: 'Admin',
      sessionName: 'alice@example.com',
      credentialKind: 'temporary',
    });
    const text = await run(['identity', '--endpoint-url', server.url], { env: creds });
    expect(text.stdout).toMatch(/Type +SSO \(permission set Admin/);
    expect(text.stdout + text.stderr).not.toContain('secret-value-never-printed');
    // Its own STS calls are in the configured audit trail, and the trail holds no secret.
    const trail = await run(['audit', 'export', '--format', 'jsonl']);
    const actions = trail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).iamAction);
    expect(actions.filter((a) => a === 'sts:GetCallerIdentity').length).toBeGreaterThanOrEqual(2);
    expect(trail.stdout).not.toContain('secret-value-never-printed');
  });

  it("exits 5 from permissions when the caller's policies allow a write", async () => {
    const result = await run(['permissions', '--endpoint-url', server.url], { env: creds });
    expect(result.code).toBe(5);
    expect(result.stdout).toMatch(/Permissions management \(1\)\n +iam \(1\): AttachRolePolicy/);
    expect(result.stdout).toContain('inline:role/AWSReservedSSO_Admin_0123456789abcdef/oops');
  });

  it('exits 0 from permissions for a reader whose probes pass', async () => {
    const result = await run(['permissions', '--json', '--endpoint-url', reader.url], { env: creds });
    const evidence = JSON.parse(result.stdout) as { writeVerdict: string; probes: { overallStatus: string } };
    expect(evidence).toMatchObject({ writeVerdict: 'read-only', probes: { overallStatus: 'VALID' } });
    expect(result.code).toBe(0);
  });

  it('exits 6 with the command to run when credentials are missing or the SSO session expired', async () => {
    const noCreds = isolated();
    const missing = await run(['identity', '--endpoint-url', server.url], { env: noCreds });
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/no AWS credentials found.*run "aws configure"/);
    const permissions = await run(['permissions', '--endpoint-url', server.url], { env: noCreds });
    expect(permissions.code).toBe(6);
    expect(permissions.stderr).toMatch(/^inventag: no AWS credentials found.*run "aws configure"/);
    expect(permissions.stdout).toBe('');

    const config = file(
      'config',
      '[profile corp-sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n',
    );
    const sso = await run(['identity', '--profile', 'corp-sso', '--endpoint-url', server.url], {
      env: { ...noCreds, AWS_CONFIG_FILE: config },
    });
    expect(sso.code).toBe(6);
    expect(sso.stderr).toContain('run "aws sso login --profile corp-sso"');
    expect(server.count({ service: 'sts' })).toBeGreaterThan(0);
  });

  it('refuses a malformed probe with exit 2', async () => {
    const result = await run(['permissions', '--probe', 'ec2', '--endpoint-url', server.url], { env: creds });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--probe "ec2": expected SERVICE:OPERATION/);
  });
});
