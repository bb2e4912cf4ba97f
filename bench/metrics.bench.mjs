// Cost of exporting metrics: one update()+render() of a busy history, a /metrics
// scrape over loopback against a plain server sending the same bytes, the
// dashboard's /api/snapshot, and an atomic (fsynced) textfile write.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allActions } from '../dist/catalog/index.js';
import { startDashboard } from '../dist/dashboard/index.js';
import { ComplianceMetrics, emptySnapshot, startMetricsServer, writeTextfile } from '../dist/metrics/index.js';

export const name = 'metrics';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** A history of 200 real IAM actions (20 services x 10), every decision/outcome, 50 durations each. */
function busySnapshot() {
  const s = emptySnapshot();
  const services = [
    'ec2',
    's3',
    'iam',
    'sts',
    'lambda',
    'dynamodb',
    'rds',
    'cloudtrail',
    'logs',
    'sns',
    'sqs',
    'kms',
    'ecs',
    'eks',
    'elasticloadbalancing',
    'autoscaling',
    'cloudwatch',
    'route53',
    'acm',
    'ssm',
  ];
  const actions = [...allActions()];
  for (const service of services) {
    const own = actions.filter((a) => a.service === service).slice(0, 10);
    for (const [i, action] of own.entries()) {
      const operation = action.name;
      s.operations.push({ service, operation, decision: 'allowed', outcome: 'success', count: 100 + i });
      s.operations.push({ service, operation, decision: 'allowed', outcome: 'failure', count: i });
      s.operations.push({ service, operation, decision: 'blocked', outcome: 'not_run', count: 1 });
      s.durations.push({ service, operation, seconds: Array.from({ length: 50 }, (_, k) => (k % 10) * 0.05) });
      s.breakers.push({ service, operation, state: i === 0 ? 'OPEN' : 'CLOSED' });
    }
  }
  s.dashboard.metrics.totalOperations = 25_000;
  return s;
}

async function timeRequests(url, n, headers = {}) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    times.push(ms(t0));
  }
  return median(times);
}

export async function run() {
  const rows = [];
  const snapshot = busySnapshot();
  const source = { getSnapshot: async () => snapshot };

  const metrics = new ComplianceMetrics();
  metrics.update(snapshot); // warm the label cache, as a long-running server would be
  const updates = [];
  let text = '';
  for (let i = 0; i < 30; i++) {
    const t0 = process.hrtime.bigint();
    metrics.update(snapshot);
    text = await metrics.render();
    updates.push(ms(t0));
  }
  const series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
  rows.push({
    figure: 'update() + render() of a busy history',
    value: median(updates),
    unit: 'ms',
    goal: '< 100',
    note: `${series} series, ${text.length} bytes, 10,000 durations`,
  });

  const plain = createServer((_req, res) => res.end(text));
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const server = await startMetricsServer({ metrics: new ComplianceMetrics(), source, port: 0 });
  const dashboard = await startDashboard({ source, port: 0 });
  try {
    const n = 40;
    await timeRequests(`${server.url}/metrics`, 3);
    const scrape = await timeRequests(`${server.url}/metrics`, n);
    const base = await timeRequests(`http://127.0.0.1:${plain.address().port}/`, n);
    rows.push({
      figure: 'GET /metrics (snapshot + update + render)',
      value: scrape,
      unit: 'ms',
      goal: '< 250',
      note: `median of ${n}`,
    });
    rows.push({
      figure: 'GET /metrics vs a static server of the same bytes',
      value: scrape / base,
      unit: 'x',
      note: `static: ${base.toFixed(2)} ms`,
    });
    const api = await timeRequests(`${dashboard.url}/api/snapshot`, n);
    rows.push({ figure: 'GET /api/snapshot (dashboard JSON)', value: api, unit: 'ms', note: `median of ${n}` });
  } finally {
    await server.close();
    await dashboard.close();
    await new Promise((resolve) => plain.close(resolve));
  }

  const dir = mkdtempSync(join(tmpdir(), 'inventag-bench-'));
  try {
    const writes = [];
    for (let i = 0; i < 20; i++) {
      const t0 = process.hrtime.bigint();
      await writeTextfile(join(dir, 'inventag.prom'), text);
      writes.push(ms(t0));
    }
    rows.push({
      figure: 'atomic textfile write (temp + fsync + rename)',
      value: median(writes),
      unit: 'ms',
      note: `${text.length} bytes`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
