// Wall time of `check --org` (in process, through runOrgCheck) on the loopback
// server: 25 and 100 accounts, at concurrency 4 and 16. Each account runs the
// whole check (AssumeRole, identity, probes, policies, audit, LookupEvents in
// two regions at 2 requests/s per account and region). Figures from a shared
// machine are noisy: compare the ratios of one run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAwsServer } from './awsServer.mjs';

export const name = 'org';

const CASES = (process.env.INVENTAG_BENCH_ORG_CASES ?? '25x4,25x16,100x16,100x4')
  .split(',')
  .map((c) => c.split('x').map(Number));

export async function run() {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDORGBASE000000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'base-secret';
  process.env.AWS_CONFIG_FILE = join(tmpdir(), 'inventag-bench-no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmpdir(), 'inventag-bench-no-credentials');
  const { mod, org, cleanup } = await loadAwsServer();
  const { runOrgCheck } = await import('../dist/org/index.js');
  const { parseConfiguration } = await import('../dist/manager/config.js');
  const rows = [];
  try {
    for (const [accounts, concurrency] of CASES) {
      const world = org.organizationWorld(org.exampleOrganization({ accounts, eventsPerAccount: 40 }));
      const server = await mod.startAwsServer({ handlers: world.handlers });
      const dir = mkdtempSync(join(tmpdir(), 'inventag-bench-org-'));
      try {
        const config = parseConfiguration({
          dataDirectory: join(dir, 'data'),
          aws: { regions: ['us-east-1', 'eu-west-1'], endpoint: server.url },
          sessions: { assumeRoles: [{ roleArn: 'arn:aws:iam::*:role/InventoryReadOnly' }] },
        });
        const started = performance.now();
        const { report, manager } = await runOrgCheck({
          config,
          concurrency,
          outDir: join(dir, 'reports'),
          formats: ['json'],
          window: { start: new Date(Date.now() - 7_200_000), end: new Date() },
        });
        const seconds = (performance.now() - started) / 1000;
        await manager.close();
        if (report.totals.compliant !== accounts) throw new Error(`org bench: ${report.verdictReason}`);
        rows.push({
          figure: `check --org, ${accounts} accounts, concurrency ${concurrency}`,
          value: seconds,
          unit: 's',
          note: `${((seconds * 1000) / accounts).toFixed(0)} ms per account; ${server.requests.length} requests`,
        });
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    cleanup();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value.toFixed(2)} ${row.unit} (${row.note})`);
}
