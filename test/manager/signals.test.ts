import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/AuditStore.js';
import { startDashboard } from '../../src/dashboard/dashboardServer.js';
import { emptySnapshot } from '../../src/metrics/snapshot.js';
import { renderMarkdown } from '../../src/report/renderMarkdown.js';
import { attempt, setBodyField, sqlite } from '../audit/helpers.js';
import { buildReport as fixtureReport } from '../report/fixtures.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'k'.repeat(32);
const envOf = (data: string, extra: Record<string, string> = {}) => ({ INVENTAG_DATA_DIRECTORY: data, ...extra });

async function history(path: string, key?: string): Promise<void> {
  const store = AuditStore.open({ path, ...(key ? { key } : {}) });
  for (let i = 0; i < 3; i++) {
    const { auditId } = store.recordAttempt(attempt(i));
    store.recordOutcome(
      auditId,
      i === 2 ? { success: false, errorCode: 'Throttling', durationMs: 9 } : { success: true, durationMs: 5 },
    );
  }
  await store.close();
}

describe('metrics write verifies the audit chain', () => {
  it('says failed for a tampered store, and carries the error rate and a resource sample of a known history', async () => {
    // Prepare: 3 calls, 1 failed; then an attacker edits an entry.
    const data = join(dir, 'tampered');
    const path = join(data, 'audit.db');
    await history(path);
    const intact = await runCli(['metrics', 'write', '-'], { cwd: dir, env: envOf(data) });
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/^inventag_audit_chain_verification\{result="passed"\} 1$/m);
    expect(intact.stdout).toMatch(/^inventag_error_rate 33\.3/m);
    expect(intact.stdout).toMatch(/^inventag_resource_usage_percent\{resource="memory"\} \d/m);
    sqlite(path, `DROP TRIGGER audit_entries_no_update; ${setBodyField(2, 'operation', 'TerminateInstances')}`);
    // Act
    const r = await runCli(['metrics', 'write', '-'], { cwd: dir, env: envOf(data) });
    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^inventag_audit_chain_verification\{result="failed"\} 1$/m);
    expect(r.stdout).toMatch(/^inventag_audit_chain_verification\{result="passed"\} 0$/m);
  });
});

describe('metrics write: the control table', () => {
  it('carries each SOC 2 control of a known history with its status, one-hot, as the report has it', async () => {
    // Prepare: 3 reads (1 failed) in the store; the standard is SOC 2.
    const data = join(dir, 'controls');
    await history(join(data, 'audit.db'));
    const env = envOf(data, { INVENTAG_COMPLIANCE_STANDARD: 'soc2' });
    // Act
    const r = await runCli(['metrics', 'write', '-'], { cwd: dir, env });
    // Assess: every control has exactly one status at 1, and the snapshot's control table says which.
    expect(r.code, r.stderr).toBe(0);
    const series = [
      ...r.stdout.matchAll(
        /^inventag_control_status\{framework="soc2",control="([^"]+)",status="([A-Z_]+)"\} ([01])$/gm,
      ),
    ];
    const current = new Map(series.filter((m) => m[3] === '1').map((m) => [m[1]!, m[2]!]));
    expect(series.length).toBe(current.size * 3);
    expect(current.get('CC6.1')).toBe('PASS');
    expect(current.get('CC7.2')).toBe('PASS');
    expect([...current.values()].every((v) => ['PASS', 'FAIL', 'NOT_EVALUATED'].includes(v))).toBe(true);
    expect(r.stdout).toMatch(/^inventag_error_rate 33\.3/m);
    expect(r.stdout).toMatch(/^inventag_total_operations 3$/m);
  });
});

describe('keyed audit stores through every command', () => {
  it('status and metrics read a keyed store with INVENTAG_AUDIT_KEY; an unkeyed store in its place is tampered (exit 4)', async () => {
    const data = join(dir, 'keyed');
    const path = join(data, 'audit.db');
    await history(path, KEY);
    const status = await runCli(['status', '--json'], { cwd: dir, env: envOf(data, { INVENTAG_AUDIT_KEY: KEY }) });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).audit).toMatchObject({ entries: 6, intact: true });
    const metrics = await runCli(['metrics', 'write', '-'], {
      cwd: dir,
      env: envOf(data, { INVENTAG_AUDIT_KEY: KEY }),
    });
    expect(metrics.code, metrics.stderr).toBe(0);
    // An unkeyed store swapped in for the keyed one.
    rmSync(data, { recursive: true, force: true });
    await history(path);
    for (const args of [['status'], ['audit', 'verify'], ['metrics', 'write', '-']]) {
      const r = await runCli(args, { cwd: dir, env: envOf(data, { INVENTAG_AUDIT_KEY: KEY }) });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/cannot be proved to be the configured trail/);
    }
    // A configuration that says the store is keyed, without a key: bad configuration.
    const noKey = await runCli(['status'], { cwd: dir, env: envOf(data, { INVENTAG_AUDIT_KEYED: 'true' }) });
    expect(noKey.code, noKey.stderr).toBe(2);
  });
});

describe('dashboard token rule on normalised paths', () => {
  it('refuses ?token= on every spelling of an API path', async () => {
    const token = 't'.repeat(32);
    const server = await startDashboard({ source: { getSnapshot: async () => emptySnapshot() }, port: 0, token });
    const get = (path: string, headers: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    try {
      for (const path of ['/api/snapshot', '/./api/snapshot', '/x/../api/snapshot', '/%2e/api/snapshot', '/./metrics'])
        expect(await get(`${path}?token=${token}`), path).toBe(401);
      expect(await get('/./api/snapshot', { Authorization: `Bearer ${token}` })).toBe(200);
      expect(await get(`/?token=${token}`)).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('Markdown report', () => {
  it('shows control characters from evidence as visible escapes', () => {
    const report = fixtureReport();
    report.findings[0]!.title = 'no write\u001b[32m OK\u001b]8;;http://evil\u0007link\u001b]8;;\u0007\u202e';
    const md = renderMarkdown(report);
    // eslint-disable-next-line no-control-regex
    expect(md).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202e]/);
    expect(md).toContain('\\\\u001b');
  });
});
