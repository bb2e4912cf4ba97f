// `inventag check --evidence DIR` as users run it: the CLI as a subprocess on the demo evidence with its
// CloudTrail files copied under new names to 1x, 10x and 100x the demo's 116 files and to the 2,393 files issue
// 18 measured, and on those 2,393 files with a 100,000-entry audit trail written the way the guard writes it
// (stageAttempt, then stageOutcome, per call). Wall time (median of RUNS) and peak RSS of each, against the floor measured in the same run: a
// process that only reads, gunzips and JSON.parses the same trail files.
//
// INVENTAG_BENCH_BASELINE=<a built checkout of another commit> adds that checkout's CLI on the same
// evidence, run interleaved with ours, and the ratio of the two.
//
// Run alone: node bench/run.mjs check (after npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'check';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const DEMO = join(ROOT, 'examples', 'demo');
const DEMO_FILES = 116;
/** [trail files, audit entries (0: the demo's own trail)]. */
const CASES = [
  [DEMO_FILES, 0],
  [10 * DEMO_FILES, 0],
  [2393, 0],
  [100 * DEMO_FILES, 0],
  [2393, 100_000],
];
const RUNS = Number(process.env.INVENTAG_BENCH_RUNS ?? 5);

const trailFiles = (dir) => {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json.gz')) out.push(join(d, e.name));
  };
  walk(join(dir, 'cloudtrail'));
  return out.sort();
};

/**
 * Writes into `dir` the demo evidence with its trail files copied under new names up to `files` files,
 * and, with `auditEntries`, a new audit trail of that many entries (half attempts, half their outcomes) in place
 * of the demo's, written through the public AuditStore API of `distRoot` as the guard writes it.
 */
export function enlargedDemo(dir, files, auditEntries = 0, distRoot = ROOT) {
  cpSync(DEMO, dir, { recursive: true });
  const sources = trailFiles(dir);
  for (let i = sources.length; i < files; i++) {
    const src = sources[i % sources.length];
    copyFileSync(src, src.replace(/\.json\.gz$/, `c${Math.floor(i / sources.length)}.json.gz`));
  }
  if (auditEntries > 0) {
    const script = `
      const { AuditStore } = await import(${JSON.stringify(join(distRoot, 'dist', 'audit', 'index.js'))});
      const { rmSync } = await import('node:fs');
      const path = ${JSON.stringify(join(dir, 'audit.db'))};
      for (const f of ['', '-wal', '-shm']) rmSync(path + f, { force: true });
      // The guard's clock inside the demo's CloudTrail window, one call a second.
      let now = Date.parse('2026-11-20T00:00:00Z');
      const store = AuditStore.open({ path, durability: 'normal', sessionId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f', clock: () => new Date(now) });
      const identity = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/inventag', type: 'ASSUMED_ROLE' };
      const calls = [
        ['EC2Client', 'DescribeInstances', 'ec2:DescribeInstances', { MaxResults: 100, Filters: [{ Name: 'tag:env', Values: ['prod'] }] }],
        ['S3Client', 'ListBuckets', 's3:ListAllMyBuckets', {}],
        ['IAMClient', 'ListRoles', 'iam:ListRoles', { MaxItems: 100 }],
        ['ResourceGroupsTaggingAPIClient', 'GetResources', 'tag:GetResources', { ResourcesPerPage: 100, TagFilters: [{ Key: 'owner' }] }],
      ];
      for (let i = 0; i < ${auditEntries} / 2; i++) {
        const [service, operation, iamAction, params] = calls[i % calls.length];
        const { auditId } = store.stageAttempt({ service, operation, iamAction, operationType: 'read_only', decision: 'allowed', riskLevel: 'LOW', complianceStandard: 'general', identity, requestParameters: { ...params, NextToken: i % 3 ? 'page' + i : undefined }, validationMessage: 'Operation approved: ' + iamAction + ' is read-only' });
        now += 400;
        store.stageOutcome(auditId, { success: i % 97 !== 0, ...(i % 97 ? {} : { errorCode: 'ThrottlingException' }), durationMs: 80 + (i % 40), httpStatus: i % 97 ? 200 : 400 });
        now += 600;
      }
      await store.close();
      process.stdout.write('ready');
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  }
  // The files just written reach the disk now, not while the runs are timed.
  execFileSync('sync');
  return dir;
}

/** One `inventag check --evidence` of `distRoot`'s CLI under /usr/bin/time: wall, CPU and peak RSS. */
function checkOnce(distRoot, dir) {
  // The package's bin as users run it (a build from before the bin was bundled: its ES module entry).
  const bin = join(distRoot, 'dist', 'cli', 'inventag.cjs');
  const entry = existsSync(bin) ? bin : join(distRoot, 'dist', 'cli', 'main.js');
  const cli = [entry, 'check', '--evidence', dir, '--quiet'];
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %M %U %S', process.execPath, ...cli, '--format', 'json', '--out', out],
    { encoding: 'utf8', cwd: dir, env: { ...process.env, INVENTAG_DATA_DIRECTORY: join(dir, 'data') } },
  );
  const wallMs = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });
  const m = /TIME (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 && r.status !== 1) throw new Error(`inventag check exited ${r.status}: ${r.stderr}`);
  return { wallMs, rssKiB: m ? Number(m[1]) : NaN, cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : NaN };
}

/** The floor: a process that reads, gunzips and JSON.parses every trail file of `dir`, nothing else. */
function floorOnce(dir) {
  const script = `
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { gunzipSync } = await import('node:zlib');
    let records = 0;
    const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name)); else if (e.name.endsWith('.json.gz')) records += JSON.parse(gunzipSync(readFileSync(join(d, e.name))).toString()).Records.length; };
    walk(${JSON.stringify(join(dir, 'cloudtrail'))});
    process.stdout.write(String(records));
  `;
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %M', process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  return { wallMs, rssKiB: Number(/TIME (\d+)/.exec(r.stderr)?.[1]), records: Number(r.stdout) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** RUNS interleaved runs of each command; the median wall and CPU and the highest peak RSS of each. */
function measure(dir, baseline) {
  const ours = [];
  const theirs = [];
  const floor = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push(floorOnce(dir));
    ours.push(checkOnce(ROOT, dir));
    if (baseline) theirs.push(checkOnce(baseline, dir));
  }
  const sum = (runs) =>
    runs.length === 0
      ? undefined
      : {
          wallMs: median(runs.map((r) => r.wallMs)),
          cpuMs: median(runs.map((r) => r.cpuMs ?? NaN)),
          rssMiB: Math.max(...runs.map((r) => r.rssKiB)) / 1024,
        };
  return { ours: sum(ours), baseline: sum(theirs), floor: sum(floor), records: floor[0].records };
}

export async function run() {
  const baseline = process.env.INVENTAG_BENCH_BASELINE ? resolve(process.env.INVENTAG_BENCH_BASELINE) : undefined;
  const root = mkdtempSync(join(tmpdir(), 'inventag-check-bench-'));
  const rows = [];
  const vs = (m) =>
    m.baseline
      ? `; baseline ${(m.baseline.wallMs / 1000).toFixed(2)} s wall, ${(m.baseline.cpuMs / 1000).toFixed(2)} s CPU, ${m.baseline.rssMiB.toFixed(0)} MiB, ours / baseline ${(m.ours.wallMs / m.baseline.wallMs).toFixed(2)}x wall, ${(m.ours.rssMiB / m.baseline.rssMiB).toFixed(2)}x RSS`
      : '';
  try {
    const results = [];
    for (const [files, audit] of CASES) {
      const dir = enlargedDemo(join(root, `f${files}-a${audit}`), files, audit);
      const m = measure(dir, baseline);
      results.push({ files, audit, ...m });
      rmSync(dir, { recursive: true, force: true });
    }
    const one = results[0];
    for (const r of results) {
      const scale = r.files % DEMO_FILES === 0 ? `${r.files / DEMO_FILES}x the demo's trail files, ` : '';
      const what = `${scale}${r.files.toLocaleString('en-US')} trail files (${r.records.toLocaleString('en-US')} events)${r.audit ? ` + ${r.audit.toLocaleString('en-US')}-entry audit trail` : ''}`;
      rows.push({
        figure: `check --evidence, ${what}, wall`,
        value: r.ours.wallMs / 1000,
        unit: 's',
        ...(r.files === 2393 ? { goal: r.audit ? '<= 2 s' : '<= 1.2 s' } : {}),
        note: `${(r.ours.cpuMs / 1000).toFixed(2)} s CPU; ${(r.ours.wallMs / one.ours.wallMs).toFixed(2)}x the 1x run; floor (read + gunzip + JSON.parse of the same files in one process) ${(r.floor.wallMs / 1000).toFixed(2)} s, ours / floor ${(r.ours.wallMs / r.floor.wallMs).toFixed(2)}x${vs(r)}`,
      });
      rows.push({
        figure: `check --evidence, ${what}, peak RSS`,
        value: r.ours.rssMiB,
        unit: 'MiB',
        note: `${(r.ours.rssMiB / one.ours.rssMiB).toFixed(2)}x the 1x run; floor ${r.floor.rssMiB.toFixed(0)} MiB`,
      });
    }
    const big = results.find((r) => r.files === 100 * DEMO_FILES);
    const ten = results.find((r) => r.files === 10 * DEMO_FILES);
    rows.push({
      figure: 'check --evidence, cost of each trail file past the demo (10x to 100x)',
      value: (big.ours.wallMs - ten.ours.wallMs) / (big.files - ten.files),
      unit: 'ms/file',
      note: `floor ${((big.floor.wallMs - ten.floor.wallMs) / (big.files - ten.files)).toFixed(3)} ms/file${big.baseline ? `; baseline ${((big.baseline.wallMs - ten.baseline.wallMs) / (big.files - ten.files)).toFixed(3)} ms/file` : ''}`,
    });
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
