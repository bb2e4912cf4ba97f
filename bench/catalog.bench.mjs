// Verdict throughput (one core: this loop is single-threaded) and CLI cold start.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allActions } from '../dist/catalog/index.js';
import { VerdictEngine } from '../dist/policy/index.js';

export const name = 'catalog';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run() {
  const rows = [];
  // A realistic mix: every naming form, reads and writes, several services.
  const all = [...allActions()];
  const sample = [];
  for (let i = 0; i < all.length; i += 22) {
    const a = all[i];
    const snake = a.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    sample.push([a.service, a.name], [a.service, snake], [a.service, `${a.name}Command`]);
  }
  sample.push(
    ['EC2Client', 'DescribeInstancesCommand'],
    ['S3Client', 'ListObjectsV2Command'],
    ['CloudWatchLogs', 'DescribeLogGroups'],
  );

  // Cached verdicts: what a guard pays per call after the first.
  const engine = new VerdictEngine();
  for (const [s, o] of sample) engine.decide(s, o);
  const n = 5_000_000;
  let valid = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const [s, o] = sample[i % sample.length];
    if (engine.decide(s, o).isValid) valid++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push({
    figure: 'verdicts per second (cached, mixed naming forms)',
    value: n / secs,
    unit: 'verdicts/s',
    goal: '>= 1,000,000',
    note: `${sample.length} distinct names, ${valid} allowed of ${n}`,
  });

  // First-time verdicts: resolution from the catalog, every action once.
  const fresh = new VerdictEngine({ cacheSize: 1_000_000 });
  const t1 = process.hrtime.bigint();
  for (const a of all) fresh.decide(a.service, a.name);
  const secs1 = Number(process.hrtime.bigint() - t1) / 1e9;
  rows.push({
    figure: 'verdicts per second (first time, all actions)',
    value: all.length / secs1,
    unit: 'verdicts/s',
    note: `${all.length} actions`,
  });

  // CLI cold start as users run it (the package's bin, dist/cli/inventag.cjs), against the Node.js start-up of this
  // machine, and the same command as an ES module (node dist/cli/main.js), in interleaved rounds.
  const runs = 15;
  const cli = [];
  const esm = [];
  const bare = [];
  const time = (args) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const validate = ['validate', 'ec2', 'describe_instances'];
  for (let i = 0; i < runs; i++) {
    cli.push(time([join(root, 'dist/cli/inventag.cjs'), ...validate]));
    bare.push(time(['-e', '0']));
    esm.push(time([join(root, 'dist/cli/main.js'), ...validate]));
  }
  rows.push({
    figure: 'CLI cold start: inventag validate ec2 describe_instances (median)',
    value: median(cli),
    unit: 'ms',
    goal: '<= 300',
    note: `${runs} interleaved runs of the bin; node -e 0 median ${median(bare).toFixed(1)} ms`,
  });
  rows.push({
    figure: 'CLI cold start / node -e 0 (medians, same run)',
    value: median(cli) / median(bare),
    unit: 'x',
    goal: '<= 1.5',
    note: `the same command as an ES module (node dist/cli/main.js): ${median(esm).toFixed(1)} ms, ${(median(esm) / median(bare)).toFixed(2)} x`,
  });
  return rows;
}
