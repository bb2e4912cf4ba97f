import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOrganization, memberId, orgCliEnv, organizationWorld } from '../support/aws/organization.js';
import { startAwsServer, type AwsTestServer } from '../support/awsServer.js';
import { runCli } from '../support/cli.js';

// The `account` series of metrics after `inventag check --org`: one per account of that run, no other.
let server: AwsTestServer;
const dir = mkdtempSync(join(tmpdir(), 'inventag-org-metrics-'));
const env = orgCliEnv(dir);

beforeAll(async () => {
  const world = organizationWorld(exampleOrganization({ accounts: 3, plantedWrite: [2], eventsPerAccount: 5 }));
  server = await startAwsServer({ handlers: world.handlers });
  writeFileSync(
    join(dir, 'inventag.config.yaml'),
    `complianceStandard: soc2
aws:
  regions: [us-east-1]
  endpoint: ${server.url}
sessions:
  assumeRoles:
    - roleArn: "arn:aws:iam::*:role/InventoryReadOnly"
      sessionName: inventag
`,
  );
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('metrics after check --org', () => {
  it('has an account label bounded to the accounts of the run, agreeing with the org report', async () => {
    const check = await runCli(['check', '--org', '--since', '2h', '--json', '--out', join(dir, 'reports')], {
      cwd: dir,
      env,
      timeoutMs: 120_000,
    });
    expect(check.code, check.stderr).toBe(1);
    const report = JSON.parse(check.stdout) as {
      accounts: { accountId: string; verdict: string; complianceScore: number; findings: Record<string, number> }[];
    };

    const r = await runCli(['metrics', 'write', '-'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const compliant = [...r.stdout.matchAll(/^inventag_account_compliant\{account="(\d{12})"\} ([01])$/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(compliant).toEqual(report.accounts.map((a) => [a.accountId, a.verdict === 'COMPLIANT' ? 1 : 0]));
    expect(compliant).toEqual([
      [memberId(1), 1],
      [memberId(2), 0],
      [memberId(3), 1],
    ]);
    expect(r.stdout).toContain(`inventag_account_writes_found{account="${memberId(2)}"} 1`);
    for (const a of report.accounts) {
      expect(r.stdout).toContain(`inventag_account_compliance_score{account="${a.accountId}"} ${a.complianceScore}`);
      expect(r.stdout).toContain(
        `inventag_account_findings{account="${a.accountId}",severity="CRITICAL"} ${a.findings.CRITICAL}`,
      );
    }
    // No other account appears in any series.
    const accounts = new Set([...r.stdout.matchAll(/account="([^"]*)"/g)].map((m) => m[1]));
    expect([...accounts].sort()).toEqual(report.accounts.map((a) => a.accountId).sort());
  });
});
