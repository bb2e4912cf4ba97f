import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../src/audit/AuditStore.js';
import { isSessionRecord } from '../../src/sessions/sessionCredentials.js';
import {
  exampleOrganization,
  memberId,
  orgCliEnv,
  organizationWorld,
  peakLookupsPerSecond,
  type OrgWorld,
} from '../support/aws/organization.js';
import { startHungServer } from '../support/aws/hungServer.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { ROOT, runCli } from '../support/cli.js';

// `inventag check --org` against an organization of 25 accounts on the loopback server.
let server: AwsTestServer;
let world: OrgWorld;
const dir = mkdtempSync(join(tmpdir(), 'inventag-org-'));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => orgCliEnv(dir, extra);
const writeConfig = (file: string, assumeRoles: string): void =>
  writeFileSync(
    file,
    `complianceStandard: soc2
aws:
  regions: [us-east-1, eu-west-1]
  endpoint: ${server.url}
sessions:
  assumeRoles:
${assumeRoles}
`,
  );

beforeAll(async () => {
  world = organizationWorld({
    ...exampleOrganization({ accounts: 25, plantedWrite: [7], denyAssumeRole: [12], passRole: [20] }),
    pageSize: 10,
  });
  server = await startAwsServer({ handlers: world.handlers });
  writeConfig(
    join(dir, 'inventag.config.yaml'),
    `    - roleArn: "arn:aws:iam::*:role/InventoryReadOnly"
      sessionName: inventag`,
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inventag check --org', () => {
  it('checks 25 accounts through sanctioned sessions and names exactly the planted problems; exit 1', async () => {
    // Act
    const r = await runCli(['check', '--org', '--concurrency', '8', '--since', '2h', '--out', join(dir, 'reports')], {
      cwd: dir,
      env: env(),
      timeoutMs: 170_000,
    });

    // Assess: the verdicts
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'inventag-org-report.json'), 'utf8'));
    expect(report.verdict).toBe('NON_COMPLIANT');
    expect(report.accountSource).toBe('organizations');
    expect(report.accounts).toHaveLength(25);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const byId = new Map<string, Record<string, any>>(
      report.accounts.map((a: { accountId: string }) => [a.accountId, a]),
    );
    const seven = byId.get(memberId(7))!;
    expect(seven).toMatchObject({ verdict: 'NON_COMPLIANT', evaluated: true, writesFound: 1, name: 'member-007' });
    expect(seven.findingTitles.join('\n')).toMatch(/read-only guarantee broken: ec2:CreateTags/);
    const twelve = byId.get(memberId(12))!;
    expect(twelve).toMatchObject({ verdict: 'NOT_EVALUATED', evaluated: false, complianceScore: null });
    expect(twelve.reason).toMatch(/^AssumeRole denied: .*not authorized to perform: sts:AssumeRole/);
    const twenty = byId.get(memberId(20))!;
    expect(twenty.evaluated).toBe(true);
    expect(twenty.writesFound).toBe(0);
    // A HIGH permission finding, listed; the verdict rule (no CRITICAL finding, score >= minimum) keeps it COMPLIANT.
    expect(twenty.verdict).toBe('COMPLIANT');
    expect(twenty.findings.HIGH).toBe(1);
    expect(twenty.findingTitles.join('\n')).toMatch(/HIGH: Policies allow 1 credential minting action\(s\) in iam/);
    const twentyReport = readFileSync(join(dir, 'reports', 'accounts', memberId(20), 'inventag-report.json'), 'utf8');
    expect(twentyReport).toContain('iam:PassRole');
    const others = report.accounts.filter(
      (a: { accountId: string }) => ![memberId(7), memberId(12), memberId(20)].includes(a.accountId),
    );
    expect(others).toHaveLength(22);
    for (const a of others)
      expect(a, a.accountId).toMatchObject({
        verdict: 'COMPLIANT',
        evaluated: true,
        writesFound: 0,
        findings: { CRITICAL: 0, HIGH: 0 },
      });
    expect(report.totals).toMatchObject({
      accounts: 25,
      compliant: 23,
      nonCompliant: 1,
      notEvaluated: 1,
      writesFound: 1,
    });
    // The base principal may assume only the sanctioned role: expected, no finding.
    expect(report.basePrincipal.sessionGrants).toEqual([
      expect.objectContaining({ expected: true, roles: ['arn:aws:iam::*:role/InventoryReadOnly'] }),
    ]);
    expect(report.basePrincipal.findings).toEqual([]);
    // The org report validates against its schema; each evaluated account has its own reports beside it.
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'org-report.schema.json'), 'utf8'));
    const validate = new Ajv2020.default({ allErrors: true, strict: false }).compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    for (const a of report.accounts.filter((x: { evaluated: boolean }) => x.evaluated))
      for (const p of a.reports) expect(existsSync(join(dir, 'reports', p)), p).toBe(true);
    const md = readFileSync(join(dir, 'reports', 'inventag-org-report.md'), 'utf8');
    expect(md).toContain(`| ${memberId(12)} | member-012 | NOT_EVALUATED |`);
    expect(md).toContain('**Verdict: NON_COMPLIANT**');
    const html = readFileSync(join(dir, 'reports', 'inventag-org-report.html'), 'utf8');
    expect(html).toContain(`<tr class="non_compliant"><td>${memberId(7)}</td>`);

    // Assess: one session per account, every call attributed to its account
    const store = AuditStore.open({ path: join(dir, 'data', 'audit.db'), readonly: true });
    try {
      expect(store.verify().ok).toBe(true);
      const entries = [...store.entries()].filter((e) => e.kind === 'attempt');
      const sessions = entries.filter((e) => isSessionRecord(e));
      expect(sessions).toHaveLength(25);
      expect(new Set(sessions.map((s) => s.resourceArn))).toEqual(
        new Set(Array.from({ length: 25 }, (_, i) => `arn:aws:iam::${memberId(i + 1)}:role/InventoryReadOnly`)),
      );
      for (const s of sessions) expect(s.identity?.account).toBe(s.resourceArn!.split(':')[4]);
      expect(sessions.find((s) => s.identity?.account === memberId(12))?.outcome?.success).toBe(false);
      for (let n = 1; n <= 25; n++) {
        const id = memberId(n);
        const sent = server.requests.filter((q) => world.accountOf(q) === id).length;
        const recorded = entries.filter((e) => e.identity?.account === id && !isSessionRecord(e)).length;
        expect(recorded, id).toBe(sent);
        if (n !== 12) expect(sent, id).toBeGreaterThan(5);
      }
      // Nothing but reads (and the sanctioned AssumeRole) reached AWS.
      expect(server.requests.filter((q) => q.operation === 'AssumeRole')).toHaveLength(25);
      expect(
        world.sessions.every((s) => s.roleArn.endsWith(':role/InventoryReadOnly') && s.sessionName === 'inventag'),
      ).toBe(true);
    } finally {
      store.closeSync();
    }

    // Assess: LookupEvents paced at 2/s per account and region, while accounts ran side by side.
    const peaks = peakLookupsPerSecond(world.lookups);
    expect(peaks.size).toBe(48);
    expect(Math.max(...peaks.values())).toBeLessThanOrEqual(2);
    expect(world.lookups.filter((l) => l.account === memberId(1) && l.region === 'us-east-1').length).toBeGreaterThan(
      2,
    );
    const all = peakLookupsPerSecond(world.lookups.map((l) => ({ ...l, account: 'any', region: 'any' })));
    expect(all.get('any/any')).toBeGreaterThan(2);
  }, 180_000);

  it('with --accounts checks only those; an unknown entry, a malformed pattern and --concurrency 0 are bad input (exit 2)', async () => {
    // Act
    const unknown = await runCli(['check', '--org', '--accounts', `${memberId(1)},123456789012`, '--quiet'], {
      cwd: dir,
      env: env(),
    });
    const malformed = await runCli(['check', '--org', '--accounts', `${memberId(1)},12345`], { cwd: dir, env: env() });
    const zero = await runCli(['check', '--org', '--concurrency', '0'], { cwd: dir, env: env() });
    const stray = await runCli(['check', '--concurrency', '2'], { cwd: dir, env: env() });
    const badDir = join(dir, 'bad-pattern');
    rmSync(badDir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(badDir);
    writeConfig(join(badDir, 'inventag.config.yaml'), `    - roleArn: "arn:aws:iam:*:role/InventoryReadOnly"`);
    const pattern = await runCli(['check', '--org'], { cwd: badDir, env: env() });
    const two = await runCli(
      ['check', '--org', '--accounts', `${memberId(3)},${memberId(4)}`, '--quiet', '--out', join(dir, 'two')],
      { cwd: dir, env: env() },
    );

    // Assess
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toMatch(/--accounts: 123456789012 is not an active account of the organization/);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/--accounts: "12345" is not a 12-digit account id/);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--concurrency: expected a whole number from 1 to 64, got "0"/);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--concurrency only apply with --org/);
    expect(pattern.code).toBe(2);
    expect(pattern.stderr).toMatch(/sessions\.assumeRoles\[0\]\.roleArn: .*is not a role ARN pattern/);
    expect(two.code, two.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'two', 'inventag-org-report.json'), 'utf8'));
    expect(report).toMatchObject({ verdict: 'COMPLIANT', accountSource: 'accounts-flag' });
    expect(report.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([memberId(3), memberId(4)]);
  }, 120_000);

  it('takes --endpoint-url, --region and --timeout like check: the flags win over the configuration', async () => {
    // Prepare: a configuration without an endpoint, and an endpoint that accepts connections and never answers
    const flagsDir = join(dir, 'flags');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(flagsDir, { recursive: true });
    writeFileSync(
      join(flagsDir, 'inventag.config.yaml'),
      `complianceStandard: soc2
sessions:
  assumeRoles:
    - roleArn: "arn:aws:iam::*:role/InventoryReadOnly"
`,
    );
    const hung = await startHungServer();
    try {
      // Act
      const two = await runCli(
        [
          'check',
          '--org',
          '--accounts',
          `${memberId(5)},${memberId(6)}`,
          '--endpoint-url',
          server.url,
          '--region',
          'eu-west-1',
          '--quiet',
          '--out',
          'out',
        ],
        { cwd: flagsDir, env: env({ INVENTAG_DATA_DIRECTORY: join(flagsDir, 'data') }) },
      );
      const stalled = await runCli(
        ['check', '--org', '--endpoint-url', hung.url, '--timeout', '1', '--quiet', '--out', 'stalled'],
        { cwd: flagsDir, env: env({ INVENTAG_DATA_DIRECTORY: join(flagsDir, 'data-hung') }), timeoutMs: 90_000 },
      );

      // Assess: the loopback server answered for both accounts, in the region of the flag
      expect(two.code, two.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(flagsDir, 'out', 'inventag-org-report.json'), 'utf8'));
      expect(report.accounts.map((a: { verdict: string }) => a.verdict)).toEqual(['COMPLIANT', 'COMPLIANT']);
      expect(report.accounts[0].reports.length).toBeGreaterThan(0);
      // ListAccounts on an endpoint that never answers: an AWS error (exit 6) after the timeout, not a hang
      expect(stalled.code, stalled.stderr).toBe(6);
      expect(hung.connections).toBeGreaterThan(0);
    } finally {
      await hung.close();
    }
  }, 150_000);

  it('an account that cannot be evaluated keeps the org from COMPLIANT; --allow-partial accepts the rest and says so', async () => {
    // Act: account 12 denies AssumeRole
    const args = ['check', '--org', '--accounts', `${memberId(1)},${memberId(12)}`, '--quiet'];
    const strict = await runCli([...args, '--out', join(dir, 'strict')], { cwd: dir, env: env() });
    const partial = await runCli([...args, '--allow-partial', '--out', join(dir, 'partial')], { cwd: dir, env: env() });

    // Assess
    expect(strict.code, strict.stderr).toBe(1);
    const a = JSON.parse(readFileSync(join(dir, 'strict', 'inventag-org-report.json'), 'utf8'));
    expect(a).toMatchObject({ verdict: 'NOT_EVALUATED', allowPartial: false });
    expect(a.verdictReason).toMatch(/cannot be shown compliant while an account is not evaluated/);
    expect(a.accounts.map((r: { verdict: string }) => r.verdict)).toEqual(['COMPLIANT', 'NOT_EVALUATED']);
    expect(partial.code, partial.stderr).toBe(0);
    const b = JSON.parse(readFileSync(join(dir, 'partial', 'inventag-org-report.json'), 'utf8'));
    expect(b).toMatchObject({ verdict: 'COMPLIANT', allowPartial: true });
    expect(b.verdictReason).toMatch(/COMPLIANT for the 1 evaluated account\(s\) only \(--allow-partial\)/);
    expect(partial.stdout).toMatch(/--allow-partial/);
  }, 120_000);

  it('an AssumeRole into a role sessions.assumeRoles does not match is blocked with 0 requests sent', async () => {
    // Prepare: only account 1's role is sanctioned; the base principal may assume the role in every account
    const narrowDir = join(dir, 'narrow');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(narrowDir, { recursive: true });
    writeConfig(
      join(narrowDir, 'inventag.config.yaml'),
      `    - roleArn: "arn:aws:iam::${memberId(1)}:role/InventoryReadOnly"`,
    );
    const before = server.count({ operation: 'AssumeRole' });

    // Act
    const r = await runCli(
      ['check', '--org', '--accounts', `${memberId(1)},${memberId(2)}`, '--quiet', '--out', 'out'],
      {
        cwd: narrowDir,
        env: env({ INVENTAG_DATA_DIRECTORY: join(narrowDir, 'data') }),
      },
    );

    // Assess
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(narrowDir, 'out', 'inventag-org-report.json'), 'utf8'));
    expect(report.accounts[0]).toMatchObject({ verdict: 'COMPLIANT' });
    expect(report.accounts[1]).toMatchObject({ verdict: 'NOT_EVALUATED' });
    expect(report.accounts[1].reason).toMatch(/AssumeRole blocked: .* matches no sessions.assumeRoles pattern/);
    // The base principal's grant on every account's role is wider than what is sanctioned: a finding.
    expect(report.basePrincipal.sessionGrants).toEqual([expect.objectContaining({ expected: false })]);
    expect(report.basePrincipal.findings[0].title).toMatch(/sts:AssumeRole allowed on roles that are not sanctioned/);
    expect(report.verdict).toBe('NON_COMPLIANT');
    // Account 2's AssumeRole never left the process; account 1's did, once.
    const sent = server.requests.filter((q) => q.operation === 'AssumeRole').slice(before);
    expect(sent.map((q) => q.params.RoleArn)).toEqual([`arn:aws:iam::${memberId(1)}:role/InventoryReadOnly`]);
    const store = AuditStore.open({ path: join(narrowDir, 'data', 'audit.db'), readonly: true });
    try {
      const blocked = [...store.entries()].filter((e) => e.operation === 'AssumeRole' && e.decision === 'blocked');
      expect(blocked.map((e) => e.resourceArn)).toEqual([`arn:aws:iam::${memberId(2)}:role/InventoryReadOnly`]);
    } finally {
      store.closeSync();
    }
  }, 120_000);
});
