/**
 * Debug mode: `--debug` or INVENTAG_LOG_LEVEL=debug logs each decision with its evidence, each AWS call and
 * each evidence file read to stderr, redacted; nothing without it; a bad level is bad usage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { ROOT, runCli } from '../support/cli.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYDEBUGSECRET';
let server: AwsTestServer;
let dir: string;
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7DEBUG01',
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: join(dir, 'no-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
  INVENTAG_DATA_DIRECTORY: join(dir, 'data'),
  INVENTAG_LOG_LEVEL: '',
  ...extra,
});
const lines = (stderr: string): Record<string, unknown>[] =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  server = await startAwsServer();
  dir = mkdtempSync(join(tmpdir(), 'inventag-debug-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('debug mode', () => {
  it('--debug logs each decision with its evidence and each AWS call, never the secret', async () => {
    const r = await runCli(['--debug', 'identity', '--endpoint-url', server.url], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const logged = lines(r.stderr);
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: 'decision',
        decision: 'allowed',
        iamAction: 'sts:GetCallerIdentity',
        evidence: expect.any(String),
        level: 20,
      }),
    );
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'aws call', ok: true }));
    expect(r.stderr).not.toContain(SECRET);
    // Without it: no debug line.
    const quiet = await runCli(['identity', '--endpoint-url', server.url], { env: env() });
    expect(quiet.code).toBe(0);
    expect(lines(quiet.stderr)).toEqual([]);
  });

  it('INVENTAG_LOG_LEVEL=debug logs each evidence file read, trail files included', async () => {
    const r = await runCli(['check', '--evidence', join(ROOT, 'examples', 'demo'), '--json'], {
      env: env({ INVENTAG_LOG_LEVEL: 'debug' }),
    });
    expect(r.code, r.stderr).toBe(1);
    const files = lines(r.stderr)
      .filter((l) => l.msg === 'evidence file read')
      .map((l) => String(l.file));
    expect(files.some((f) => f.endsWith('identity.json'))).toBe(true);
    expect(files.some((f) => /policies[\\/].+\.json$/.test(f))).toBe(true);
    expect(files.filter((f) => f.endsWith('.json.gz')).length).toBeGreaterThan(10);
    // The report on stdout stays clean JSON.
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });

  it('validate --debug logs the blocked decision; a bad INVENTAG_LOG_LEVEL exits 2 naming it', async () => {
    const blocked = await runCli(['--debug', 'validate', 'ec2', 'terminate_instances'], { env: env() });
    expect(blocked.code).toBe(3);
    expect(lines(blocked.stderr)).toContainEqual(
      expect.objectContaining({
        msg: 'decision',
        decision: 'blocked',
        iamAction: 'ec2:TerminateInstances',
        accessLevel: 'Write',
      }),
    );
    const bad = await runCli(['validate', 'ec2', 'describe_instances'], { env: env({ INVENTAG_LOG_LEVEL: 'loud' }) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/INVENTAG_LOG_LEVEL: "loud" is not a log level; expected one of .*debug/);
  });
});
