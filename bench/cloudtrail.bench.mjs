// CloudTrail trail-file scanning: MB/s of decompressed JSON (per CPU-second
// and wall clock), events/s and peak RSS over 1,000,000 generated events in
// 1,000 gzip trail files, plus peak RSS for 100 files, to show memory does not
// grow with the number of files. Each scan runs in a fresh child process so
// its peak RSS is its own; the parent only generates the files.
//
// `inventag cloudtrail scan --principal` as users run it (the CLI, default worker threads) is measured in
// rounds, interleaved with a bare gunzip + JSON.parse of the same files in one thread (the CPU floor), with
// DuckDB's read_json over the same files on 2 threads, and with another build: medians of the rounds' wall, CPU
// (the whole process, every thread, under /usr/bin/time) and peak RSS, and each ratio taken within a round.
//   INVENTAG_BENCH_DUCKDB=<dir>     a directory where `npm install @duckdb/node-api` was run (outside this
//                                   repository; it is not a dependency): adds the DuckDB line
//   INVENTAG_BENCH_BASELINE=<dir>   a built checkout of another commit: its CLI in the same rounds
//   INVENTAG_BENCH_SCAN_ROUNDS=N    rounds (default 3)
//
// Digest validation (`cloudtrail verify`): the same 1,000 log files get
// hourly signed digests (a key pair made here), and the verification's files/s
// and MB/s hashed are set against `sha256sum` over the same files in the same
// run (sha256sum hashes the gzip bytes; verify inflates and hashes the JSON,
// as CloudTrail's digests require).
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { backgroundRecords, trailKey } from '../scripts/trailFixtures.mjs';

export const name = 'cloudtrail';

const FILES = 1000;
const EVENTS_PER_FILE = 1000;
// Distinct file bodies; the 1,000 files reuse them under their own names (generating
// and compressing 1.2 GB of unique JSON would take longer than the scan being measured).
const DISTINCT = 40;
const DAYS = 10;
const REGIONS = ['us-east-1', 'eu-west-1'];
const here = dirname(fileURLToPath(import.meta.url));
const dist = pathToFileURL(join(here, '..', 'dist', 'cloudtrail', 'index.js')).href;
const ROUNDS = Number(process.env.INVENTAG_BENCH_SCAN_ROUNDS ?? 3);
const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/InventoryReadOnly/inventag';

function generate(root) {
  const bodies = [];
  for (let i = 0; i < DISTINCT; i++) {
    const start = new Date(Date.UTC(2024, 4, 1, i % 24));
    const records = backgroundRecords(EVENTS_PER_FILE, {
      start,
      end: new Date(start.getTime() + 300_000),
      region: REGIONS[i % 2],
      seed: 1000 + i,
    });
    bodies.push(gzipSync(JSON.stringify({ Records: records })));
  }
  const perDayRegion = FILES / (DAYS * REGIONS.length);
  const written = [];
  let n = 0;
  for (let d = 0; d < DAYS; d++) {
    for (const region of REGIONS) {
      for (let k = 0; k < perDayRegion; k++) {
        const time = new Date(Date.UTC(2024, 4, 1 + d, Math.floor((k * 24) / perDayRegion), 5));
        const path = join(root, ...trailKey({ region, time, uniq: `b${n}` }).split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, bodies[n % DISTINCT]);
        written.push({ key: trailKey({ region, time, uniq: `b${n}` }), region, time, body: n % DISTINCT, path });
        n++;
      }
    }
  }
  return { compressed: bodies.reduce((s, b) => s + b.length, 0) / DISTINCT, bodies, written };
}

const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Hourly digests over the written log files, chained and signed as CloudTrail does; returns the key file. */
function writeDigests(root, bodies, written) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'pkcs1', format: 'der' });
  const fingerprint = createHash('md5').update(der).digest('hex');
  const hashes = bodies.map((b) => createHash('sha256').update(gunzipSync(b)).digest('hex'));
  const account = '123456789012';
  for (const region of REGIONS) {
    const byHour = new Map();
    for (const f of written.filter((w) => w.region === region)) {
      const hour = Math.floor(f.time.getTime() / 3_600_000);
      byHour.set(hour, [...(byHour.get(hour) ?? []), f]);
    }
    let prev;
    const first = Math.min(...byHour.keys());
    const last = Math.max(...byHour.keys());
    for (let h = first; h <= last + 1; h++) {
      const end = new Date((h + 1) * 3_600_000);
      const day = iso(end).slice(0, 10).replaceAll('-', '/');
      const key = `AWSLogs/${account}/CloudTrail-Digest/${region}/${day}/${account}_CloudTrail-Digest_${region}_bench_us-east-1_${iso(end).replace(/[-:]/g, '')}.json.gz`;
      const json = {
        awsAccountId: account,
        digestStartTime: iso(new Date(h * 3_600_000)),
        digestEndTime: iso(end),
        digestS3Bucket: 'bench-bucket',
        digestS3Object: key,
        digestPublicKeyFingerprint: fingerprint,
        digestSignatureAlgorithm: 'SHA256withRSA',
        previousDigestS3Bucket: prev ? 'bench-bucket' : null,
        previousDigestS3Object: prev?.key ?? null,
        previousDigestHashValue: prev?.hash ?? null,
        previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
        previousDigestSignature: prev?.signature ?? null,
        logFiles: (byHour.get(h) ?? []).map((f) => ({
          s3Bucket: 'bench-bucket',
          s3Object: f.key,
          hashValue: hashes[f.body],
          hashAlgorithm: 'SHA-256',
        })),
      };
      const text = JSON.stringify(json);
      const hash = createHash('sha256').update(text).digest('hex');
      const toSign = `${json.digestEndTime}\nbench-bucket/${key}\n${hash}\n${json.previousDigestSignature ?? 'null'}`;
      const signature = sign('sha256', Buffer.from(toSign), privateKey).toString('hex');
      const path = join(root, ...key.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(text));
      prev = { key, hash, signature };
    }
  }
  const keys = join(root, 'keys.json');
  writeFileSync(keys, JSON.stringify({ PublicKeyList: [{ Fingerprint: fingerprint, Value: der.toString('base64') }] }));
  return keys;
}

function verifyInChild(root, keys) {
  const script = `
    const ct = await import(${JSON.stringify(dist)});
    const { readFileSync } = await import('node:fs');
    const ring = new ct.PublicKeyRing();
    ring.add(ct.parsePublicKeyFile(readFileSync(${JSON.stringify(keys)}, 'utf8'), 'keys.json'), 'keys.json');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await new ct.DigestVerifier(new ct.LocalTrailStore(${JSON.stringify(root)}), { publicKeys: ring }).verify();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(JSON.stringify({ files: r.logFiles.verified + r.issues.filter((i) => i.code === 'LOG_UNVERIFIED').length, tampered: r.issues.filter((i) => ct.TAMPER_CODES.has(i.code)).length, digests: r.digests.total, bytes: r.logFiles.bytesHashed, compressed: r.logFiles.compressedBytes, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS }));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 }),
  );
}

/** Wall and CPU time of sha256sum over the same log files, or undefined when it is not installed. */
function sha256sumTimes(paths) {
  const t0 = performance.now();
  // bash's `times` prints the CPU time of its children (sha256sum) on its second line.
  const r = spawnSync('bash', ['-c', 'sha256sum "$@" > /dev/null && times', '_', ...paths], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) return undefined;
  const secs = (r.stdout.trim().split('\n')[1] ?? '')
    .split(/\s+/)
    .map((t) => /^(\d+)m([\d.]+)s$/.exec(t))
    .reduce((sum, m) => sum + (m ? Number(m[1]) * 60 + Number(m[2]) : 0), 0);
  return { wallMs, cpuMs: secs * 1000 };
}

// Runs one scan in a child and returns its figures. Event times in the files
// are in May 2024, so no time filter applies; the day folders select files.
function scanInChild(root, walk) {
  const script = `
    const ct = await import(${JSON.stringify(dist)});
    const analyzer = new ct.PrincipalAnalyzer(${JSON.stringify(PRINCIPAL)}, { keepEventsForCorrelation: false });
    const walk = ${JSON.stringify(walk)};
    for (const k of ['start', 'end']) if (walk[k]) walk[k] = new Date(walk[k]);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const s = await new ct.TrailFileReader(new ct.LocalTrailStore(${JSON.stringify(root)}), walk).scan((e) => analyzer.add(e));
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const a = analyzer.result();
    process.stdout.write(JSON.stringify({ files: s.filesRead, corrupt: s.filesCorrupt, events: s.events, bytes: s.bytes, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS, writes: a.writes.length }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out);
}

/** A command under /usr/bin/time: wall, CPU of the whole process (every thread) and peak RSS. */
function timed(args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %M %U %S', process.execPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    ...options,
  });
  const wallMs = performance.now() - t0;
  const m = /TIME (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  if (!m) throw new Error(`${args.join(' ')} did not run under /usr/bin/time: ${r.stderr}`);
  return {
    status: r.status,
    stdout: r.stdout,
    wallMs,
    rssKiB: Number(m[1]),
    cpuMs: (Number(m[2]) + Number(m[3])) * 1000,
  };
}

/** `inventag cloudtrail scan ROOT --principal P --json` of the build at `distRoot`, default workers. */
function cliScanOnce(distRoot, root) {
  // The package's bin as users run it (a build from before the bin was bundled: its ES module entry).
  const bin = join(distRoot, 'dist', 'cli', 'inventag.cjs');
  const r = timed([
    existsSync(bin) ? bin : join(distRoot, 'dist', 'cli', 'main.js'),
    'cloudtrail',
    'scan',
    root,
    '--principal',
    PRINCIPAL,
    '--json',
  ]);
  if (r.status !== 0) throw new Error(`inventag cloudtrail scan exited ${r.status}`);
  const out = JSON.parse(r.stdout);
  return { ...r, events: out.summary.events, principalEvents: out.analysis.principalEvents, stdout: undefined };
}

/** The floor: gunzip + JSON.parse of the same files in one thread, nothing else. */
function bareOnce(list) {
  const script = `
    const { readFileSync } = await import('node:fs');
    const { gunzipSync } = await import('node:zlib');
    let records = 0;
    for (const p of JSON.parse(readFileSync(${JSON.stringify(list)}, 'utf8'))) records += JSON.parse(gunzipSync(readFileSync(p)).toString('latin1')).Records.length;
    process.stdout.write(String(records));
  `;
  const r = timed(['--input-type=module', '-e', script]);
  return { ...r, records: Number(r.stdout), stdout: undefined };
}

/**
 * The floor on this machine's 2 cores: the same gunzip + JSON.parse in 2 worker threads, the files shared out as
 * the scan shares them. Two threads on two cores each take more CPU per byte than one alone (they share caches
 * and memory bandwidth), and two heaps take more memory: what a parallel scan cannot go below.
 */
function bareParallelOnce(list) {
  const script = `
    const { readFileSync } = await import('node:fs');
    const { Worker } = await import('node:worker_threads');
    const body = "const { readFileSync } = require('node:fs'); const { gunzipSync } = require('node:zlib'); const { parentPort, workerData } = require('node:worker_threads'); let records = 0; for (const p of workerData) records += JSON.parse(gunzipSync(readFileSync(p)).toString('latin1')).Records.length; parentPort.postMessage(records);";
    const files = JSON.parse(readFileSync(${JSON.stringify(list)}, 'utf8'));
    const shares = [files.filter((_f, i) => i % 2 === 0), files.filter((_f, i) => i % 2 === 1)];
    const counts = await Promise.all(shares.map((share) => new Promise((resolve, reject) => {
      const w = new Worker(body, { eval: true, workerData: share, execArgv: [] });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    process.stdout.write(String(counts[0] + counts[1]));
  `;
  const r = timed(['--input-type=module', '-e', script]);
  if (r.status !== 0) throw new Error(`the 2-thread gunzip + JSON.parse exited ${r.status}`);
  return { ...r, records: Number(r.stdout), stdout: undefined };
}

/** DuckDB's read_json over the same files on 2 threads, from INVENTAG_BENCH_DUCKDB, or undefined. */
function duckdbOnce(root) {
  const dir = process.env.INVENTAG_BENCH_DUCKDB;
  if (!dir) return undefined;
  let entry;
  try {
    entry = createRequire(join(resolve(dir), 'package.json')).resolve('@duckdb/node-api');
  } catch {
    return undefined;
  }
  const script = `
    const api = await import(${JSON.stringify(pathToFileURL(entry).href)});
    const db = await api.DuckDBInstance.create(':memory:', { threads: '2' });
    const c = await db.connect();
    const r = await c.runAndReadAll(\`SELECT count(*) AS n, count(*) FILTER (WHERE rec.userIdentity.arn = '${PRINCIPAL}') AS mine FROM (SELECT unnest(Records) AS rec FROM read_json('${root}/AWSLogs/**/*.json.gz', maximum_object_size = 268435456))\`);
    process.stdout.write(JSON.stringify(r.getRows()[0].map(Number)));
  `;
  const r = timed(['--input-type=module', '-e', script]);
  if (r.status !== 0) throw new Error(`DuckDB exited ${r.status}`);
  const [events, mine] = JSON.parse(r.stdout);
  return { ...r, events, principalEvents: mine, stdout: undefined };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (runs) =>
  runs.length === 0
    ? undefined
    : {
        wallMs: median(runs.map((r) => r.wallMs)),
        cpuMs: median(runs.map((r) => r.cpuMs)),
        rssMiB: Math.max(...runs.map((r) => r.rssKiB)) / 1024,
      };

/** ROUNDS interleaved rounds: bare, ours, DuckDB, the baseline build; medians, and ratios within each round. */
function scanRounds(root, list) {
  const baseline = process.env.INVENTAG_BENCH_BASELINE ? resolve(process.env.INVENTAG_BENCH_BASELINE) : undefined;
  const bare = [];
  const bare2 = [];
  const ours = [];
  const duck = [];
  const base = [];
  const cpuRatio = [];
  const cpuRatio2 = [];
  const duckRatio = [];
  const baseCpuRatio = [];
  for (let i = 0; i < ROUNDS; i++) {
    const b = bareOnce(list);
    const b2 = bareParallelOnce(list);
    const o = cliScanOnce(join(here, '..'), root);
    const d = duckdbOnce(root);
    if (b2.records !== b.records)
      throw new Error(`the 2-thread floor counted ${b2.records} records, one thread ${b.records}`);
    bare.push(b);
    bare2.push(b2);
    ours.push(o);
    cpuRatio.push(o.cpuMs / b.cpuMs);
    cpuRatio2.push(o.cpuMs / b2.cpuMs);
    if (d) {
      if (d.events !== o.events || d.principalEvents !== o.principalEvents)
        throw new Error(
          `DuckDB counted ${d.events}/${d.principalEvents} events, the scan ${o.events}/${o.principalEvents}`,
        );
      duck.push(d);
      duckRatio.push(o.wallMs / d.wallMs);
    }
    if (baseline) {
      const t = cliScanOnce(baseline, root);
      base.push(t);
      baseCpuRatio.push(o.cpuMs / t.cpuMs);
    }
  }
  return {
    bare: summary(bare),
    bare2: summary(bare2),
    cpuRatio2: median(cpuRatio2),
    ours: { ...summary(ours), events: ours[0].events },
    duck: summary(duck),
    baseline: summary(base),
    cpuRatio: median(cpuRatio),
    duckRatio: duck.length ? median(duckRatio) : undefined,
    baseCpuRatio: base.length ? median(baseCpuRatio) : undefined,
  };
}

export async function run() {
  const root = mkdtempSync(join(tmpdir(), 'inventag-ct-bench-'));
  try {
    const { compressed, bodies, written } = generate(root);
    // Warm the page cache so the first measured scan does not pay for disk reads.
    scanInChild(root, { regions: ['us-east-1'], start: '2024-05-01T00:00:00Z', end: '2024-05-01T00:00:00Z' });
    const full = scanInChild(root, {});
    const small = scanInChild(root, {
      regions: ['us-east-1'],
      start: '2024-05-01T00:00:00Z',
      end: '2024-05-01T00:00:00Z',
    });
    // As users run it: the CLI, default worker threads; in rounds against the floor, DuckDB and another build.
    const list = join(root, 'paths.json');
    writeFileSync(list, JSON.stringify(written.map((w) => w.path)));
    const scans = scanRounds(root, list);
    // Memory against the number of events: 10 files (read in the main thread: 64 or fewer start no worker),
    // 100 and 1,000 files (worker threads).
    const sized = {};
    for (const n of [10, 100]) {
      const sub = join(root, `first-${n}`);
      for (const w of written.slice(0, n)) {
        const path = join(sub, ...w.key.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, bodies[w.body]);
      }
      sized[n] = cliScanOnce(join(here, '..'), sub);
    }
    const keys = writeDigests(root, bodies, written);
    const paths = written.map((w) => w.path);
    sha256sumTimes(paths);
    const verified = verifyInChild(root, keys);
    const sha = sha256sumTimes(paths);
    const mb = full.bytes / 1e6;
    const ratio = (full.bytes / full.files / (compressed || 1)).toFixed(1);
    return [
      {
        figure: 'events scanned',
        value: full.events,
        unit: 'events',
        note: `${full.files} files, ${(mb / 1000).toFixed(2)} GB of JSON (gzip ${ratio}:1), 0 corrupt`,
      },
      {
        figure: 'scan throughput per CPU-second',
        value: mb / (full.cpuMs / 1000),
        unit: 'MB/s',
        goal: '>= 100 MB/s per core',
        note: 'gunzip + JSON.parse + event model + verdict + principal analysis; CPU time of the process, zlib threads included',
      },
      {
        figure: 'scan throughput, wall clock',
        value: mb / (full.wallMs / 1000),
        unit: 'MB/s',
        note: `${(full.wallMs / 1000).toFixed(1)} s on this machine`,
      },
      { figure: 'events per second, wall clock', value: full.events / (full.wallMs / 1000), unit: 'events/s' },
      { figure: `peak RSS, ${full.files} files`, value: full.maxRssKiB / 1024, unit: 'MiB' },
      {
        figure: `peak RSS, ${small.files} files`,
        value: small.maxRssKiB / 1024,
        unit: 'MiB',
        goal: 'flat: same as for 1,000 files',
      },
      {
        figure: 'peak RSS ratio, 1,000 / 100 files',
        value: full.maxRssKiB / small.maxRssKiB,
        unit: 'x',
        goal: '~1 (memory does not grow with files)',
      },
      {
        figure: `inventag cloudtrail scan --principal, wall clock (${scans.ours.events.toLocaleString('en-US')} events)`,
        value: scans.ours.wallMs / 1000,
        unit: 's',
        goal: 'faster than DuckDB read_json on the same files and cores',
        note: `the CLI with its default worker threads, median of ${ROUNDS} rounds: ${(scans.ours.cpuMs / 1000).toFixed(1)} s CPU, peak RSS ${scans.ours.rssMiB.toFixed(0)} MiB${scans.duck ? `; DuckDB read_json on 2 threads ${(scans.duck.wallMs / 1000).toFixed(1)} s wall, ${(scans.duck.cpuMs / 1000).toFixed(1)} s CPU, ${scans.duck.rssMiB.toFixed(0)} MiB` : '; DuckDB left out: set INVENTAG_BENCH_DUCKDB to a directory with @duckdb/node-api installed'}${scans.baseline ? `; the baseline build ${(scans.baseline.wallMs / 1000).toFixed(1)} s wall, ${(scans.baseline.cpuMs / 1000).toFixed(1)} s CPU, ours / baseline CPU ${scans.baseCpuRatio.toFixed(2)}x` : ''}`,
      },
      ...(scans.duckRatio === undefined
        ? []
        : [
            {
              figure: 'cloudtrail scan / DuckDB read_json, wall clock',
              value: scans.duckRatio,
              unit: 'x',
              goal: '< 1',
              note: `median of the ratios within each of ${ROUNDS} rounds; both count the same events and the principal's`,
            },
          ]),
      {
        figure: 'cloudtrail scan CPU / bare gunzip + JSON.parse CPU',
        value: scans.cpuRatio,
        unit: 'x',
        goal: '<= 1.2',
        note: `median of the ratios within each round; bare gunzip + JSON.parse in one thread: ${(scans.bare.cpuMs / 1000).toFixed(1)} s CPU, ${(scans.bare.wallMs / 1000).toFixed(1)} s wall; CPU of the whole CLI process, start-up and every thread included`,
      },
      {
        figure: 'cloudtrail scan CPU / bare gunzip + JSON.parse on 2 threads CPU',
        value: scans.cpuRatio2,
        unit: 'x',
        note: `median of the ratios within each round; the same bare work shared out to 2 worker threads: ${(scans.bare2.cpuMs / 1000).toFixed(1)} s CPU (${(scans.bare2.cpuMs / scans.bare.cpuMs).toFixed(2)}x one thread's), ${(scans.bare2.wallMs / 1000).toFixed(1)} s wall, peak RSS ${scans.bare2.rssMiB.toFixed(0)} MiB`,
      },
      {
        figure: 'cloudtrail scan peak RSS, 1,000,000 / 100,000 events',
        value: scans.ours.rssMiB / (sized[100].rssKiB / 1024),
        unit: 'x',
        goal: '~1 (flat)',
        note: `${(sized[10].rssKiB / 1024).toFixed(0)} MiB for ${sized[10].events} events (10 files, read in the main thread), ${(sized[100].rssKiB / 1024).toFixed(0)} MiB for ${sized[100].events}, ${scans.ours.rssMiB.toFixed(0)} MiB for ${scans.ours.events} (worker threads); 1,000,000 / 10,000 events: ${(scans.ours.rssMiB / (sized[10].rssKiB / 1024)).toFixed(2)}x`,
      },
      {
        figure: 'digest validation, log files verified per second',
        value: verified.files / (verified.wallMs / 1000),
        unit: 'files/s',
        note: `${verified.files} log files, ${verified.digests} digests, ${verified.tampered} tampered, ${(verified.wallMs / 1000).toFixed(1)} s wall, ${(verified.cpuMs / 1000).toFixed(1)} s CPU, peak RSS ${(verified.maxRssKiB / 1024).toFixed(0)} MiB`,
      },
      {
        figure: 'digest validation, MB/s hashed (inflated JSON)',
        value: verified.bytes / 1e6 / (verified.wallMs / 1000),
        unit: 'MB/s',
        note: `${(verified.compressed / 1e6).toFixed(0)} MB of gzip read`,
      },
      {
        figure: 'digest validation, MB/s hashed per CPU-second',
        value: verified.bytes / 1e6 / (verified.cpuMs / 1000),
        unit: 'MB/s',
        note: 'gunzip + SHA-256 of each log file, digest parsing and RSA checks; CPU time, zlib threads included',
      },
      ...(sha === undefined
        ? []
        : [
            {
              figure: 'sha256sum over the same files (gzip bytes), files/s',
              value: paths.length / (sha.wallMs / 1000),
              unit: 'files/s',
              note: `${(sha.wallMs / 1000).toFixed(2)} s wall, ${(sha.cpuMs / 1000).toFixed(2)} s CPU; verify / sha256sum: ${(verified.wallMs / sha.wallMs).toFixed(1)}x wall, ${(verified.cpuMs / Math.max(1, sha.cpuMs)).toFixed(1)}x CPU (verify also inflates ${(verified.bytes / Math.max(1, verified.compressed)).toFixed(0)}x more bytes and hashes those)`,
            },
          ]),
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
