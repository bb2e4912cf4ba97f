import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/AuditStore.js';
import { ROOT, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'inventag-check-'));
const DEMO = join(ROOT, 'examples', 'demo');
const PLANTED = ['ec2:CreateTags', 's3:PutBucketTagging', 'ssm:PutParameter'];
let clean: string;
let oneBlocked: string;

/** An evidence directory: a recorded audit store with `reads` reads and `writes` blocked attempts, and the identity. */
function evidence(name: string, reads: number, writes: number): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(
    join(d, 'identity.json'),
    JSON.stringify({
      Arn: 'arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/ci',
      UserId: 'AROAEXAMPLE:ci',
      Account: '123456789012',
    }),
  );
  const store = AuditStore.open({ path: join(d, 'audit.db') });
  const base = { complianceStandard: 'general' as const, riskLevel: 'LOW' as const };
  store.appendBatch([
    ...Array.from({ length: reads }, () => ({
      ...base,
      service: 'ec2',
      operation: 'DescribeInstances',
      iamAction: 'ec2:DescribeInstances',
      operationType: 'read_only' as const,
      decision: 'allowed' as const,
      outcome: { success: true, durationMs: 12 },
    })),
    ...Array.from({ length: writes }, () => ({
      ...base,
      service: 'ec2',
      operation: 'RunInstances',
      iamAction: 'ec2:RunInstances',
      operationType: 'mutating' as const,
      decision: 'blocked' as const,
      riskLevel: 'HIGH' as const,
    })),
  ]);
  store.closeSync();
  return d;
}

beforeAll(() => {
  clean = evidence('clean', 20, 0);
  oneBlocked = evidence('one-blocked', 19, 1);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the main job: inventag demo (npm start)', () => {
  it('writes the three reports, prints the executive summary naming the planted writes, and exits 0', async () => {
    const out = join(dir, 'demo-reports');
    const r = await runCli(['demo', '--out', out], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Overall: NON-COMPLIANT/);
    for (const w of PLANTED) expect(r.stdout).toContain(w);
    expect(r.stdout).toMatch(/exits 1/);
    for (const f of ['inventag-report.json', 'inventag-report.md', 'inventag-report.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'inventag-report.json'), 'utf8'));
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'compliance-report.schema.json'), 'utf8'));
    // ajv is CommonJS: under NodeNext its class is the module's `default` export.
    const validate = new Ajv2020Module.default({ strict: false, allowUnionTypes: true }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.auditChainHead.sequence).toBeGreaterThan(0);
    expect(report.sections.cloudtrail.status).toBe('FAIL');
    const html = readFileSync(join(out, 'inventag-report.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
  });
});

describe('inventag check', () => {
  it('exits 1 on the demo evidence and names the planted writes', async () => {
    const r = await runCli(['check', '--evidence', DEMO, '--out', join(dir, 'check-demo'), '--quiet']);
    expect(r.code).toBe(1);
    for (const w of PLANTED) expect(r.stdout).toContain(w);
  });

  it('gates on --min-score: 100 passes everything, a blocked attempt fails 100 but passes 95', async () => {
    expect(
      (await runCli(['check', '--evidence', clean, '--out', join(dir, 'c1'), '--min-score', '100', '--quiet'])).code,
    ).toBe(0);
    const strict = await runCli([
      'check',
      '--evidence',
      oneBlocked,
      '--out',
      join(dir, 'c2'),
      '--min-score',
      '100',
      '--json',
      '--quiet',
    ]);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).complianceStatus).toMatchObject({ complianceScore: 95, isCompliant: false });
    expect(
      (await runCli(['check', '--evidence', oneBlocked, '--out', join(dir, 'c3'), '--min-score', '95', '--quiet']))
        .code,
    ).toBe(0);
  });

  it('carries SOC2 control IDs when asked for SOC2', async () => {
    const r = await runCli([
      'check',
      '--evidence',
      DEMO,
      '--standard',
      'soc2',
      '--out',
      join(dir, 'soc2'),
      '--format',
      'json',
      '--quiet',
    ]);
    const report = JSON.parse(readFileSync(join(dir, 'soc2', 'inventag-report.json'), 'utf8'));
    expect(r.code).toBe(1);
    const ids = report.controls.map((c: { id: string }) => c.id);
    for (const id of ['CC6.1', 'CC6.3', 'CC7.2', 'CC8.1']) expect(ids).toContain(id);
    expect(report.controls.find((c: { id: string }) => c.id === 'CC6.1').status).toBe('FAIL');
    expect(existsSync(join(dir, 'soc2', 'inventag-report.md'))).toBe(false);
  });

  it.each([
    [['check', '--evidence', '/nonexistent/evidence'], /evidence directory \/nonexistent\/evidence not found/],
    [['check', '--evidence', DEMO, '--min-score', 'high'], /--min-score must be a number from 0 to 100/],
    [['check', '--evidence', DEMO, '--format', 'pdf'], /--format takes a comma-separated list of json, md, html/],
    [['check', '--evidence', DEMO, '--standard', 'pci'], /Allowed choices are general, soc2, iso27001, custom/],
    [['check', '--evidence', DEMO, '--since', 'yesterday'], /--since: "yesterday" is not a duration/],
  ])('bad usage %j exits 2 with a message', async (args, message) => {
    const r = await runCli([...args, '--out', join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a bad configuration file naming the field, and an output path that cannot be written', async () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'performanceThresholdDisk: lots\n');
    const r = await runCli(['check', '--evidence', clean, '--config', cfg, '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/performanceThresholdDisk/);
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const w = await runCli(['check', '--evidence', clean, '--out', join(blocker, 'reports'), '--quiet']);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/cannot write/);
  });

  it('names a policy file that is not valid, with exit 2', async () => {
    const d = evidence('bad-policy', 1, 0);
    mkdirSync(join(d, 'policies'));
    writeFileSync(
      join(d, 'policies', 'broken.json'),
      '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "ec2:*", "Resource": "*"}]}',
    );
    const r = await runCli(['check', '--evidence', d, '--out', join(dir, 'bp'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json.*Effect/);
  });

  it('reports an unreadable evidence file by name with exit 2', async () => {
    // A directory where identity.json should be: unreadable as a file, even for root.
    const d = join(dir, 'unreadable');
    mkdirSync(join(d, 'identity.json'), { recursive: true });
    const r = await runCli(['check', '--evidence', d, '--out', join(dir, 'ur')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*identity\.json/);
  });
});

describe('inventag report and status', () => {
  it('renders a saved JSON report as HTML, and refuses a file that is not a report', async () => {
    const out = join(dir, 'r');
    await runCli(['check', '--evidence', clean, '--out', out, '--format', 'json', '--quiet']);
    const html = join(dir, 'from.html');
    const r = await runCli(['report', '--from', join(out, 'inventag-report.json'), '--format', 'html', '--out', html]);
    expect(r.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/<html/);
    writeFileSync(join(dir, 'not-report.json'), '{"hello": 1}');
    const bad = await runCli([
      'report',
      '--from',
      join(dir, 'not-report.json'),
      '--format',
      'md',
      '--out',
      join(dir, 'x.md'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an InvenTag JSON report/);
  });

  it('shows the audit trail state and flags tampering with exit 4', async () => {
    const data = join(dir, 'status-data');
    const d = evidence('status-store', 3, 0);
    const env = { INVENTAG_DATA_DIRECTORY: data, INVENTAG_AUDIT_STORE: join(d, 'audit.db') };
    const ok = await runCli(['status', '--json'], { env, cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).audit).toMatchObject({ entries: 3, intact: true });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(d, 'audit.db'));
    db.exec('DROP TRIGGER IF EXISTS audit_entries_no_update');
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[];
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
    db.prepare(
      "UPDATE audit_entries SET body = json_set(body, '$.operation', 'TerminateInstances') WHERE seq = 2",
    ).run();
    db.close();
    const bad = await runCli(['status'], { env, cwd: dir });
    expect(bad.code).toBe(4);
    expect(bad.stdout).toMatch(/TAMPERED/);
  });
});
