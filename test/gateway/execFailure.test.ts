/**
 * `inventag exec` when the gateway cannot do its job after it started: a request whose attempt cannot be
 * recorded (another process holds the audit store's write lock) is refused, never forwarded, and the run
 * exits 70 even though the command itself succeeded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { runCli } from '../support/cli.js';

let upstream: AwsTestServer;
let dir: string;

beforeAll(async () => {
  upstream = await startAwsServer();
  dir = mkdtempSync(join(tmpdir(), 'inventag-exec-fail-'));
});
afterAll(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inventag exec: the gateway fails while the command runs', () => {
  it('refuses the request it cannot record, forwards nothing, and exits 70 naming the cause', async () => {
    // Prepare: a child that takes the audit store's write lock, then makes one read
    const store = join(dir, 'audit.db');
    const child = join(dir, 'locked.py');
    writeFileSync(
      child,
      `import sqlite3, sys, boto3
from botocore.config import Config
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN EXCLUSIVE')
ec2 = boto3.client('ec2', config=Config(retries={'max_attempts': 1}, read_timeout=120))
try:
    ec2.describe_instances()
    print('read: ok')
except Exception as error:
    print('read: refused', type(error).__name__, str(error)[:300])
db.execute('ROLLBACK')
`,
    );

    // Act
    const r = await runCli(['exec', '--upstream', upstream.url, '--', 'python3', child, store], {
      env: {
        AWS_ACCESS_KEY_ID: 'AKIDREALEXECFAIL0001',
        AWS_SECRET_ACCESS_KEY: 'real-exec-fail-secret',
        INVENTAG_AUDIT_STORE: store,
      },
      timeoutMs: 120_000,
    });

    // Assess: the command ran to its end, its read was refused in EC2's protocol, nothing reached the upstream
    expect(r.stdout).toMatch(/read: refused ClientError .*audit trail could not record the attempt/);
    expect(upstream.requests).toHaveLength(0);
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toMatch(/the gateway failed 1 time\(s\) while serving .*refused, not forwarded/);
  }, 150_000);
});
