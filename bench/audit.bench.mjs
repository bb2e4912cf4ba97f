// Audit store: latency of one durable append against a bare fsync of the same
// disk (measured in the same run), throughput of batched and grouped durable
// appends, `inventag audit verify` (the CLI, as users run it) on 100,000 and
// 1,000,000 entries with its peak memory, and incremental verify from the last
// verified head. Runs in a temp directory on the machine's default temp
// filesystem; durability 'full' fsyncs every commit.
//
// INVENTAG_BENCH_BASELINE=<a built checkout of another commit> adds the batched and single-append lines of
// that checkout's AuditStore, measured in turns with ours (rounds of: ours, theirs, then theirs, ours), and
// the ratios of the two.
//
// Run alone: node bench/run.mjs audit (after npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AuditStore } from '../dist/audit/index.js';
import { createCanonicalRedactor, redact } from '../dist/audit/redact.js';

/** The package's bin, as users run `inventag`. */
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'inventag.cjs');

export const name = 'audit';

const entry = (i) => ({
  service: 'ec2',
  operation: 'DescribeInstances',
  iamAction: 'ec2:DescribeInstances',
  operationType: 'read_only',
  decision: 'allowed',
  riskLevel: 'LOW',
  complianceStandard: 'soc2',
  identity: { account: '123456789012', arn: 'arn:aws:iam::123456789012:role/reader', type: 'AssumedRole' },
  requestParameters: { MaxResults: 100, Filters: [{ Name: 'tag:env', Values: ['prod'] }], NextToken: `t${i}` },
});

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** `n` appends to `store`, each timed alone: their milliseconds, sorted. */
function timedAppends(store, n) {
  const ms = [];
  for (let i = 0; i < n; i += 1) {
    const t = process.hrtime.bigint();
    store.append(entry(i));
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

function latencies(dir, durability, n, Store = AuditStore, label = '', steadyToo = false) {
  const path = join(dir, `single-${durability}${label}.db`);
  const store = Store.open({ path, durability });
  store.append(entry(0));
  const walBefore = statSync(`${path}-wal`).size;
  for (let i = 1; i < 200; i += 1) store.append(entry(i)); // warm-up; 199 appends stay below the first checkpoint
  // What one append writes to the write-ahead log (its pages and frame headers), which its fsync puts on the disk.
  const walBytesPerAppend = (statSync(`${path}-wal`).size - walBefore) / 199;
  const ms = timedAppends(store, n);
  // Steady state: once the WAL has grown to its working size and is written over from its start again (the
  // store's first checkpoints done, its threads started), n more appends.
  let steady;
  if (steadyToo) {
    let largest = statSync(`${path}-wal`).size;
    for (let grown = 0; grown < 100_000; grown += 1) {
      store.append(entry(grown));
      const size = statSync(`${path}-wal`).size;
      if (size <= largest && size > 2 ** 20) break;
      largest = Math.max(largest, size);
    }
    steady = timedAppends(store, n);
  }
  store.closeSync();
  return {
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    p999: pct(ms, 99.9),
    perSecond: n / (ms.reduce((a, b) => a + b, 0) / 1000),
    walBytesPerAppend,
    steady: steady && { p50: pct(steady, 50), p99: pct(steady, 99) },
  };
}

function batched(dir, batchSize, total, Store = AuditStore, label = '') {
  const path = join(dir, `batch-${batchSize}${label}.db`);
  const store = Store.open({ path });
  const batch = Array.from({ length: batchSize }, (_, i) => entry(i));
  store.appendBatch(batch); // warm-up
  const t = process.hrtime.bigint();
  for (let done = 0; done < total; done += batchSize) store.appendBatch(batch);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const verifyStart = process.hrtime.bigint();
  const result = store.verify();
  const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;
  store.closeSync();
  // Gone once measured: the next run's writes do not share the disk with the kernel writing this one back.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  return { perSecond: total / seconds, verifyPerSecond: result.checked / verifySeconds, ok: result.ok };
}

/**
 * The disk's and SQLite's ceiling in this run: plain inserts in the same batches and fsyncs, no hashing, no
 * redaction. `schema` false: one JSON column, no index; true: the store's own format-2 table (its audit-id and
 * outcome indexes and triggers) with rows of the store's shape, time-ordered ids as the store makes them.
 */
async function rawSqlite(dir, batchSize, total, schema = false) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, schema ? 'raw-schema.db' : 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  let write;
  if (schema) {
    const { SCHEMA_SQL_V2 } = await import('../dist/audit/schema.js');
    db.exec(SCHEMA_SQL_V2);
    const insert = db.prepare('INSERT INTO audit_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const body = JSON.stringify({ ...entry(0), session_id: '0190a5b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b' });
    let seq = 0;
    write = db.transaction(() => {
      for (let i = 0; i < batchSize; i += 1) {
        seq += 1;
        const id = `0190a5b2-${String(seq).padStart(12, '0')}-7abc-8def`;
        insert.run(seq, id, 'attempt', '2026-12-02T01:00:00.000Z', null, body, 'f'.repeat(64), 'e'.repeat(64));
      }
    });
  } else {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const body = JSON.stringify({ ...entry(0), hash: 'f'.repeat(64), prevHash: '0'.repeat(64) });
    write = db.transaction(() => {
      for (let i = 0; i < batchSize; i += 1) insert.run(body);
    });
  }
  write();
  const t = process.hrtime.bigint();
  for (let done = 0; done < total; done += batchSize) write();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  db.close();
  return total / seconds;
}

/** The disk's own fsync in this run: a 300-byte append to a file beside the stores, then fdatasync. */
function bareFsync(dir, n) {
  const fd = openSync(join(dir, 'bare-fsync.bin'), 'a');
  const line = Buffer.alloc(300, 0x61);
  const ms = [];
  try {
    for (let i = 0; i < 200 + n; i += 1) {
      const t = process.hrtime.bigint();
      writeSync(fd, line);
      fdatasyncSync(fd);
      if (i >= 200) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } finally {
    closeSync(fd);
  }
  ms.sort((a, b) => a - b);
  return { p50: pct(ms, 50), p99: pct(ms, 99) };
}

/**
 * The disk's fsync of as many bytes as one store append writes to its WAL, written in place one after another
 * through a 4 MiB file (as the WAL is once reused), then fdatasync: what the durable append's own fsync costs.
 */
function bareFsyncOf(dir, bytes, n) {
  const size = 4 * 2 ** 20;
  const fd = openSync(join(dir, 'bare-fsync-wal.bin'), 'w+');
  const block = Buffer.alloc(Math.max(1, Math.round(bytes)), 0x62);
  const ms = [];
  try {
    writeSync(fd, Buffer.alloc(size));
    fdatasyncSync(fd);
    let at = 0;
    for (let i = 0; i < 200 + n; i += 1) {
      if (at + block.length > size) at = 0;
      const t = process.hrtime.bigint();
      writeSync(fd, block, 0, block.length, at);
      fdatasyncSync(fd);
      if (i >= 200) ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      at += block.length;
    }
  } finally {
    closeSync(fd);
  }
  ms.sort((a, b) => a - b);
  return { p50: pct(ms, 50), p99: pct(ms, 99) };
}

/** A store of `total` entries (attempt + outcome pairs, as the guard writes them), built with appendBatch. */
function build(path, total) {
  const store = AuditStore.open({ path, durability: 'normal' });
  const batch = Array.from({ length: 1000 }, (_, i) => ({ ...entry(i), outcome: { success: true, durationMs: 3 } }));
  for (let done = 0; done < total; done += batch.length) store.appendBatch(batch);
  store.closeSync();
}

/** `inventag audit verify --store PATH --json` as a child process: wall time and peak resident memory. */
function cliVerify(path) {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %M', process.execPath, CLI, 'audit', 'verify', '--store', path, '--json'],
    {
      encoding: 'utf8',
      env: { ...process.env, INVENTAG_LOG_DIRECTORY: join(dirname(path), 'no-logs') },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`inventag audit verify exited ${r.status}: ${r.stderr}`);
  const result = JSON.parse(r.stdout);
  const [seconds, kib] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { checked: result.checked, ok: result.ok, seconds, rssMiB: kib / 1024 };
}

/** How many times the CLI verify of each store runs; the figure is the median of the runs. */
const CLI_RUNS = Number(process.env.INVENTAG_BENCH_VERIFY_RUNS ?? 5);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * `inventag audit verify` of the 100,000- and 1,000,000-entry stores, in rounds: each round runs the CLI on an
 * empty store (its start-up, taken out of the walk's wall time), then on each store. A round's rate is the entries
 * over (its wall time minus the same round's start-up); the figure is the median round, the note gives the spread.
 */
function cliRounds(dir, small, large) {
  const empty = join(dir, 'empty.db');
  AuditStore.open({ path: empty }).closeSync();
  cliVerify(empty); // warm the file cache and the compiled modules once
  const rounds = [];
  for (let i = 0; i < CLI_RUNS; i += 1) {
    const startup = cliVerify(empty);
    const s = cliVerify(small);
    const l = cliVerify(large);
    if (!s.ok || !l.ok || l.checked !== 1_000_000) throw new Error('verify did not walk the whole intact chain');
    rounds.push({
      startup,
      s,
      l,
      smallRate: s.checked / (s.seconds - startup.seconds),
      largeRate: l.checked / (l.seconds - startup.seconds),
    });
  }
  return rounds;
}

function verifyRows(dir) {
  const small = join(dir, 'verify-100k.db');
  const large = join(dir, 'verify-1m.db');
  build(small, 100_000);
  build(large, 1_000_000);
  // The stores just written reach the disk now, not while the verifies are timed.
  execFileSync('sync');
  const rounds = cliRounds(dir, small, large);
  const rates = rounds.map((r) => r.largeRate);
  const startupSeconds = median(rounds.map((r) => r.startup.seconds));
  const wall = rounds.map((r) => r.l.seconds);
  const rss = { large: median(rounds.map((r) => r.l.rssMiB)), small: median(rounds.map((r) => r.s.rssMiB)) };
  // Library: a full verify and an incremental one after 1,000 more entries, on the same store.
  const store = AuditStore.open({ path: large });
  let t = process.hrtime.bigint();
  const full = store.verify();
  const fullSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  store.appendBatch(Array.from({ length: 1000 }, (_, i) => entry(i)));
  t = process.hrtime.bigint();
  const next = store.verify({ after: full.head });
  const incrementalMs = Number(process.hrtime.bigint() - t) / 1e6;
  store.closeSync();
  if (!full.ok || !next.ok || next.checked !== 1000) throw new Error('incremental verify did not walk the new entries');
  const fmt = (v) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return [
    {
      figure: `inventag audit verify, 1,000,000 entries (CLI, start-up taken out; median of ${rounds.length} runs)`,
      value: median(rates),
      unit: 'entries/s',
      goal: '>= 200,000/s',
      note: `runs ${fmt(Math.min(...rates))}-${fmt(Math.max(...rates))}/s; wall ${Math.min(...wall).toFixed(2)}-${Math.max(...wall).toFixed(2)} s, CLI start-up ${startupSeconds.toFixed(2)} s (median); 100,000 entries: ${fmt(median(rounds.map((r) => r.smallRate)))}/s (median)`,
    },
    {
      figure: 'inventag audit verify peak memory, 1,000,000 vs 100,000 entries',
      value: rss.large / rss.small,
      unit: 'x',
      goal: 'flat (~1x)',
      note: `max RSS ${rss.large.toFixed(0)} MiB vs ${rss.small.toFixed(0)} MiB (medians); an empty store ${median(rounds.map((r) => r.startup.rssMiB)).toFixed(0)} MiB`,
    },
    { figure: 'store.verify() of 1,000,000 entries (library)', value: full.checked / fullSeconds, unit: 'entries/s' },
    {
      figure: 'incremental verify from the last verified head, 1,000 new entries on 1,000,000',
      value: incrementalMs,
      unit: 'ms',
      note: `full verify ${(fullSeconds * 1000).toFixed(0)} ms (ratio ${((fullSeconds * 1000) / incrementalMs).toFixed(0)}x)`,
    },
  ];
}

async function grouped(dir, total) {
  const store = AuditStore.open({ path: join(dir, 'enqueue.db') });
  const t = process.hrtime.bigint();
  for (let done = 0; done < total; done += 1000)
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.enqueue(entry(i))));
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  await store.close();
  return total / seconds;
}

/** How many rounds the baseline comparison runs; each round measures both builds, in alternating order. */
const AB_ROUNDS = Number(process.env.INVENTAG_BENCH_AB_ROUNDS ?? 5);

/**
 * The batched and single durable append lines of this build and of another built checkout, in turns within
 * one run: medians of the rounds and of the per-round ratios (ours / theirs).
 */
async function againstBaseline(dir, baseline) {
  const { AuditStore: Theirs } = await import(pathToFileURL(join(baseline, 'dist', 'audit', 'index.js')).href);
  const builds = { ours: AuditStore, theirs: Theirs };
  // Each build is its own copy of the code, compiled on its own: the baseline's is cold here while ours ran
  // the lines above. Both append 50,000 entries to a store of their own before the rounds, so the rounds
  // compare warm code with warm code (without this the baseline's first round carried its JIT warm-up).
  for (const b of ['theirs', 'ours']) batched(dir, 1000, 50_000, builds[b], `-${b}-warm`);
  const rounds = [];
  for (let r = 0; r < AB_ROUNDS; r += 1) {
    const order = r % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
    const round = {};
    for (const b of order) round[b] = { batch: batched(dir, 1000, 200_000, builds[b], `-${b}-${r}`) };
    for (const b of order) round[b].single = latencies(dir, 'full', 3000, builds[b], `-${b}-${r}`);
    round.bare = bareFsync(dir, 3000);
    rounds.push(round);
  }
  const med = (f) => median(rounds.map(f));
  const ratios = (f) => rounds.map((x) => f(x.ours) / f(x.theirs));
  const spread = (values) => values.map((v) => v.toFixed(2)).join(', ');
  const batchRatios = ratios((x) => x.batch.perSecond);
  const p99Ratios = ratios((x) => x.single.p99);
  return [
    {
      figure: `baseline build: batched durable appends, appendBatch of 1000 (full), in turns with ours (median of ${rounds.length} rounds)`,
      value: med((x) => x.theirs.batch.perSecond),
      unit: 'entries/s',
      note: `ours ${Math.round(med((x) => x.ours.batch.perSecond)).toLocaleString('en-US')}/s in the same rounds; the build in INVENTAG_BENCH_BASELINE`,
    },
    {
      figure: 'batched durable appends, ours / baseline build (median of the per-round ratios)',
      value: median(batchRatios),
      unit: 'x',
      note: `rounds ${spread(batchRatios)}`,
    },
    {
      figure: 'baseline build: single durable append p99, in turns with ours',
      value: med((x) => x.theirs.single.p99),
      unit: 'ms',
      note: `ours ${med((x) => x.ours.single.p99).toFixed(3)} ms; p50 ours ${med((x) => x.ours.single.p50).toFixed(3)}, baseline ${med((x) => x.theirs.single.p50).toFixed(3)} ms; bare fdatasync p99 in those rounds ${med((x) => x.bare.p99).toFixed(3)} ms`,
    },
    {
      figure: 'single durable append p99, ours / baseline build (median of the per-round ratios)',
      value: median(p99Ratios),
      unit: 'x',
      note: `rounds ${spread(p99Ratios)}`,
    },
  ];
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-bench-audit-'));
  try {
    const fsync = bareFsync(dir, 3000);
    const full = latencies(dir, 'full', 3000, AuditStore, '', true);
    const fsyncAfter = bareFsync(dir, 3000);
    const sameBytes = bareFsyncOf(dir, full.walBytesPerAppend, 3000);
    const normal = latencies(dir, 'normal', 3000);
    // The process's first batched store: the JIT warming up lands in these figures. The goal's line is the
    // next store, new too (its own writer and checkpoint threads start and its WAL grows from empty), in a
    // process whose code is warm, as in a long-lived appender.
    const cold = batched(dir, 1000, 50_000, AuditStore, '-cold');
    const big = batched(dir, 1000, 200_000);
    const enqueue = await grouped(dir, 100_000);
    const raw = await rawSqlite(dir, 1000, 200_000);
    const rawSchema = await rawSqlite(dir, 1000, 200_000, true);
    const verify = verifyRows(dir);
    const baseline = process.env.INVENTAG_BENCH_BASELINE ? resolve(process.env.INVENTAG_BENCH_BASELINE) : undefined;
    const ab = baseline === undefined ? [] : await againstBaseline(dir, baseline);
    const sample = entry(1);
    const n = 100_000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) redact(sample.requestParameters);
    const redactUs = Number(process.hrtime.bigint() - t) / 1e3 / n;
    const toJson = createCanonicalRedactor();
    const t2 = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) toJson(sample.requestParameters);
    const redactJsonUs = Number(process.hrtime.bigint() - t2) / 1e3 / n;
    // The bare fsync measured before and after the store's appends: the worse of the two is the fair baseline.
    const bare = { p50: Math.max(fsync.p50, fsyncAfter.p50), p99: Math.max(fsync.p99, fsyncAfter.p99) };
    return [
      { figure: 'baseline: bare fdatasync of a 300-byte append, same directory (p50)', value: bare.p50, unit: 'ms' },
      {
        figure: 'baseline: bare fdatasync (p99)',
        value: bare.p99,
        unit: 'ms',
        note: `before ${fsync.p99.toFixed(3)}, after ${fsyncAfter.p99.toFixed(3)}`,
      },
      {
        figure: 'single durable append p50 (durability full: the WAL fsynced per append)',
        value: full.p50,
        unit: 'ms',
      },
      { figure: 'single durable append p99', value: full.p99, unit: 'ms', note: `p99.9 ${full.p999.toFixed(3)} ms` },
      {
        figure: 'single durable append p99 / bare fdatasync p99',
        value: full.p99 / bare.p99,
        unit: 'x',
        goal: '<= 1 (no worse than the disk)',
        note: `p50 ratio ${(full.p50 / bare.p50).toFixed(2)}`,
      },
      {
        figure: `baseline: bare fdatasync of the bytes one append writes to its WAL (${(full.walBytesPerAppend / 1024).toFixed(1)} KiB, in place), p99`,
        value: sameBytes.p99,
        unit: 'ms',
        note: `p50 ${sameBytes.p50.toFixed(3)} ms`,
      },
      {
        figure: 'single durable append p99 / bare fdatasync of the same bytes p99',
        value: full.p99 / sameBytes.p99,
        unit: 'x',
        note: `p50 ratio ${(full.p50 / sameBytes.p50).toFixed(2)}`,
      },
      {
        figure: 'single durable append p99 once the WAL is written over from its start (steady state)',
        value: full.steady.p99,
        unit: 'ms',
        note: `p50 ${full.steady.p50.toFixed(3)} ms; ${(full.steady.p99 / bare.p99).toFixed(2)}x the bare fdatasync p99, ${(full.steady.p99 / sameBytes.p99).toFixed(2)}x that of the same bytes in place; the same store after the appends above`,
      },
      {
        figure: 'single append p50 (durability normal: survives kill -9, not power loss)',
        value: normal.p50,
        unit: 'ms',
      },
      { figure: 'single append p99 (durability normal)', value: normal.p99, unit: 'ms' },
      { figure: 'single durable appends per second (full)', value: full.perSecond, unit: 'entries/s' },
      {
        figure: 'batched durable appends, appendBatch of 1000 (full), a new store, 200,000 entries',
        value: big.perSecond,
        unit: 'entries/s',
        goal: '>= 100,000/s',
        note: 'the process appended to another store before (its code is warm); this store starts its own threads',
      },
      {
        figure: "batched durable appends from a cold start: the process's first store, 50,000 entries",
        value: cold.perSecond,
        unit: 'entries/s',
        note: 'the JIT still compiling the append path on both threads',
      },
      { figure: 'group commit via enqueue, 1000 in flight (full)', value: enqueue, unit: 'entries/s' },
      {
        figure: 'baseline: plain SQLite inserts of one JSON row, batches of 1000 (synchronous=FULL), no hash/index',
        value: raw,
        unit: 'rows/s',
        note: 'the ceiling of this disk and CPU in this run',
      },
      {
        figure: 'batched audit appends as a share of the plain-insert baseline',
        value: big.perSecond / raw,
        unit: 'ratio',
      },
      {
        figure: "baseline: plain SQLite inserts into the store's own table (indexes, triggers), batches of 1000",
        value: rawSchema,
        unit: 'rows/s',
        note: 'what SQLite alone does with this schema: no hashing, redaction or JSON',
      },
      {
        figure: 'batched audit appends as a share of the same-schema insert',
        value: big.perSecond / rawSchema,
        unit: 'ratio',
      },
      ...ab,
      ...verify,
      { figure: 'redact one request', value: redactUs, unit: 'us' },
      {
        figure: 'redact one request to canonical JSON text (what the store writes)',
        value: redactJsonUs,
        unit: 'us',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
