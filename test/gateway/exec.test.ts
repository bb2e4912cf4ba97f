/**
 * `inventag exec` with the real clients of this project's machines: boto3
 * (through botocore, every operation of seven services, in one Python
 * process) and the AWS CLI, in front of the loopback AWS server.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/index.js';
import { VerdictEngine } from '../../src/policy/index.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { ROOT, runCli } from '../support/cli.js';

const REAL = { AWS_ACCESS_KEY_ID: 'AKIDREALEXECTEST0001', AWS_SECRET_ACCESS_KEY: 'real-exec-secret-0123456789' };
const SERVICES = ['ec2', 's3', 'iam', 'dynamodb', 'lambda', 'sts', 'cloudtrail'];
/** The refusals' codes; STS's two unsigned operations get the gateway's MissingAuthenticationToken. */
/** botocore puts this operation's host prefix before the endpoint (`x.127.0.0.1`): it cannot even connect. */
const UNSENDABLE = new Set(['s3:WriteGetObjectResponse']);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'MissingAuthenticationToken',
]);
const script = join(ROOT, 'test', 'support', 'botocore', 'operations.py');

interface Outcome {
  service: string;
  operation: string;
  ok: boolean;
  type?: string;
  clientError?: boolean;
  code?: string;
  message?: string;
  result?: Record<string, unknown>;
}

let upstream: AwsTestServer;
let dir: string;
const env = () => ({
  ...REAL,
  INVENTAG_AUDIT_STORE: join(dir, 'audit.db'),
  AWS_SESSION_TOKEN: 'real-token',
});

beforeAll(async () => {
  upstream = await startAwsServer();
  // The audit trail syncs every entry to disk; a memory-backed folder keeps a thousand of them quick.
  dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'inventag-exec-'));
});
afterEach(() => upstream.reset());
afterAll(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inventag exec -- python3 (boto3/botocore, every operation)', () => {
  it('refuses every operation that is not Read/List before the upstream, and forwards every read re-signed', async () => {
    const res = await runCli(
      ['exec', '--upstream', upstream.url, '--region', 'us-east-1', '--', 'python3', script, 'call', ...SERVICES],
      {
        cwd: dir,
        env: env(),
        timeoutMs: 290_000,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    const outcomes = JSON.parse(res.stdout) as Outcome[];
    const engine = new VerdictEngine();
    const reached = new Map<string, number>();
    for (const req of upstream.requests) {
      const tag = req.headers['x-test-operation'] ?? '?';
      reached.set(tag, (reached.get(tag) ?? 0) + 1);
      expect(req.headers.authorization).toContain(`Credential=${REAL.AWS_ACCESS_KEY_ID}/`);
    }
    const wrong: string[] = [];
    let reads = 0;
    let writes = 0;
    for (const o of outcomes) {
      const key = `${o.service}:${o.operation}`;
      const allowed = engine.decide(o.service, o.operation).isValid;
      if (allowed) {
        reads += 1;
        if ((reached.get(key) ?? 0) < 1)
          wrong.push(`${key}: a read that did not reach the upstream (${o.code ?? ''} ${o.message ?? ''})`);
      } else {
        writes += 1;
        if (reached.has(key)) wrong.push(`${key}: a write that reached the upstream`);
        if (UNSENDABLE.has(key) && !o.ok && o.type === 'EndpointConnectionError') continue;
        if (o.ok || o.clientError !== true || !DENIED.has(o.code ?? '') || !(o.message ?? '').includes('InvenTag'))
          wrong.push(
            `${key}: a write that did not fail with an InvenTag ClientError (${JSON.stringify(o).slice(0, 300)})`,
          );
      }
    }
    expect(wrong).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(1200);
    expect(reads).toBeGreaterThan(300);
    expect(writes).toBeGreaterThan(600);
    // Upstream data comes back unchanged.
    const of = (key: string) => outcomes.find((o) => `${o.service}:${o.operation}` === key);
    expect(of('sts:GetCallerIdentity')?.result).toMatchObject({ Account: '123456789012' });
    expect(JSON.stringify(of('ec2:DescribeInstances')?.result)).toContain('i-00000000000000001');
    expect(JSON.stringify(of('s3:ListBuckets')?.result)).toContain('inventag-logs');
    // Every request is on the audit trail, with its outcome.
    const store = AuditStore.open({ path: join(dir, 'audit.db'), readonly: true });
    try {
      expect(store.verify().ok).toBe(true);
      const attempts = store.tail(100_000).filter((e) => e.kind === 'attempt');
      // Unsigned requests (STS's two) and the one botocore cannot send leave no entry: there is no caller to name.
      const unaudited = outcomes.filter(
        (o) => o.code === 'MissingAuthenticationToken' || UNSENDABLE.has(`${o.service}:${o.operation}`),
      );
      expect(unaudited.length).toBe(3);
      expect(attempts.filter((e) => e.decision === 'blocked').length).toBe(writes - unaudited.length);
      expect(attempts.filter((e) => e.decision === 'allowed').length).toBe(reads);
    } finally {
      await store.close();
    }
  }, 300_000);

  it('gives the child the session key and never the real secret', async () => {
    const res = await runCli(
      ['exec', '--upstream', upstream.url, '--', 'python3', '-c', 'import json,os;print(json.dumps(dict(os.environ)))'],
      { cwd: dir, env: { ...env(), AWS_PROFILE: 'real-profile' } },
    );
    expect(res.code).toBe(0);
    const childEnv = JSON.parse(res.stdout) as Record<string, string>;
    expect(JSON.stringify(childEnv)).not.toContain(REAL.AWS_SECRET_ACCESS_KEY);
    expect(childEnv.AWS_ACCESS_KEY_ID).toMatch(/^AKIG[A-Z2-7]{16}$/);
    expect(childEnv.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(childEnv.AWS_PROFILE).toBeUndefined();
    expect(childEnv.AWS_SESSION_TOKEN).toBeUndefined();
    expect(childEnv.AWS_REGION).toBe('us-east-1');
  });

  it("exits with the child's exit code", async () => {
    const res = await runCli(['exec', '--upstream', upstream.url, '--', 'python3', '-c', 'raise SystemExit(7)'], {
      cwd: dir,
      env: env(),
    });
    expect(res.code).toBe(7);
  });
});

describe('inventag exec -- aws (the AWS CLI)', () => {
  /** Runs each command line in one shell under one gateway; returns each one's exit code, stdout and stderr. */
  async function awsLines(lines: string[]) {
    const script = lines.map((line, i) => `${line} >"$D/${i}.out" 2>"$D/${i}.err"; echo "$?" >"$D/${i}.rc"`).join('\n');
    const out = mkdtempSync(join(dir, 'aws-'));
    const res = await runCli(['exec', '--upstream', upstream.url, '--', 'bash', '-c', script], {
      cwd: dir,
      env: { ...env(), D: out },
      timeoutMs: 170_000,
    });
    expect(res.code, res.stderr).toBe(0);
    return lines.map((line, i) => ({
      line,
      code: Number(readFileSync(join(out, `${i}.rc`), 'utf8')),
      stdout: readFileSync(join(out, `${i}.out`), 'utf8'),
      stderr: readFileSync(join(out, `${i}.err`), 'utf8'),
    }));
  }

  it('reads print the upstream data; writes fail with one clean line, a non-zero exit, and nothing upstream', async () => {
    const [instances, buckets, item, ...writes] = await awsLines([
      'aws ec2 describe-instances --output json',
      'aws s3 ls',
      `aws dynamodb get-item --table-name inventory --key '{"id":{"S":"i-1"}}'`,
      'aws ec2 terminate-instances --instance-ids i-00000000000000001',
      'aws s3 rm s3://inventag-logs/a.json',
      'aws iam create-user --user-name intruder',
      'aws dynamodb delete-table --table-name inventory',
      'aws lambda delete-function --function-name f',
    ]);
    expect(instances).toMatchObject({ code: 0, stdout: expect.stringContaining('i-00000000000000001') });
    expect(buckets).toMatchObject({ code: 0, stdout: expect.stringContaining('inventag-logs') });
    expect(item).toMatchObject({ code: 0, stdout: expect.stringContaining('ops') });
    const reads = upstream.requests.length;
    expect(reads).toBeGreaterThanOrEqual(3);
    for (const w of writes) {
      expect(w.code, w.line).not.toBe(0);
      expect(
        w.stderr
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== ''),
        w.line,
      ).toHaveLength(1);
      expect(w.stderr, w.line).toMatch(/InvenTag blocked/);
    }
    expect(
      upstream.requests.filter((r) => !['DescribeInstances', 'ListBuckets', 'GetItem'].includes(r.operation)),
    ).toEqual([]);
  }, 180_000);
});
