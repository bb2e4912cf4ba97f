// Audit store: latency of one durable append, throughput of batched (group
// commit) appends, verify speed. Runs against a temp directory on the
// machine's default temp filesystem; durability 'full' fsyncs every commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditStore } from '../dist/audit/index.js';
import { redact } from '../dist/audit/redact.js';

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

function latencies(dir, durability, n) {
  const store = AuditStore.open({ path: join(dir, `single-${durability}.db`), durability });
  for (let i = 0; i < 200; i += 1) store.append(entry(i)); // warm-up
  const ms = [];
  for (let i = 0; i < n; i += 1) {
    const t = process.hrtime.bigint();
    store.append(entry(i));
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  store.closeSync();
  ms.sort((a, b) => a - b);
  return { p50: pct(ms, 50), p99: pct(ms, 99), perSecond: n / (ms.reduce((a, b) => a + b, 0) / 1000) };
}

function batched(dir, batchSize, total) {
  const store = AuditStore.open({ path: join(dir, `batch-${batchSize}.db`) });
  const batch = Array.from({ length: batchSize }, (_, i) => entry(i));
  store.appendBatch(batch); // warm-up
  const t = process.hrtime.bigint();
  for (let done = 0; done < total; done += batchSize) store.appendBatch(batch);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const verifyStart = process.hrtime.bigint();
  const result = store.verify();
  const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;
  store.closeSync();
  return { perSecond: total / seconds, verifyPerSecond: result.checked / verifySeconds, ok: result.ok };
}

/** The disk's and SQLite's ceiling in this run: plain inserts of rows of similar size, no hashing, no indexes, same batches and fsyncs. */
async function rawSqlite(dir, batchSize, total) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  const body = JSON.stringify({ ...entry(0), hash: 'f'.repeat(64), prevHash: '0'.repeat(64) });
  const write = db.transaction(() => {
    for (let i = 0; i < batchSize; i += 1) insert.run(body);
  });
  write();
  const t = process.hrtime.bigint();
  for (let done = 0; done < total; done += batchSize) write();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  db.close();
  return total / seconds;
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

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-bench-audit-'));
  try {
    const full = latencies(dir, 'full', 3000);
    const normal = latencies(dir, 'normal', 3000);
    const big = batched(dir, 1000, 100_000);
    const enqueue = await grouped(dir, 50_000);
    const raw = await rawSqlite(dir, 1000, 100_000);
    const sample = entry(1);
    const n = 100_000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) redact(sample.requestParameters);
    const redactUs = Number(process.hrtime.bigint() - t) / 1e3 / n;
    return [
      { figure: 'single durable append p50 (synchronous=FULL, fsync per commit)', value: full.p50, unit: 'ms' },
      { figure: 'single durable append p99 (synchronous=FULL)', value: full.p99, unit: 'ms', goal: '<= 1 ms' },
      {
        figure: 'single append p50 (synchronous=NORMAL, survives kill -9, not power loss)',
        value: normal.p50,
        unit: 'ms',
      },
      { figure: 'single append p99 (synchronous=NORMAL)', value: normal.p99, unit: 'ms' },
      { figure: 'single durable appends per second (FULL)', value: full.perSecond, unit: 'entries/s' },
      {
        figure: 'batched durable appends, appendBatch of 1000 (FULL)',
        value: big.perSecond,
        unit: 'entries/s',
        goal: '>= 50,000/s',
      },
      { figure: 'group commit via enqueue, 1000 in flight (FULL)', value: enqueue, unit: 'entries/s' },
      { figure: 'batched vs single durable append throughput', value: big.perSecond / full.perSecond, unit: 'x' },
      {
        figure: 'baseline: plain SQLite inserts, batches of 1000 (FULL), no hash/index',
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
        figure: 'verify speed (100,000-entry chain)',
        value: big.verifyPerSecond,
        unit: 'entries/s',
        note: big.ok ? 'chain intact' : 'CHAIN BROKEN',
      },
      { figure: 'redact one request', value: redactUs, unit: 'us' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
