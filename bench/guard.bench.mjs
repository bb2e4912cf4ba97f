// Guard overhead on a real round trip: EC2 DescribeInstances against the
// loopback AWS server, guarded and unguarded clients interleaved call by call
// in one run, so drift in machine load hits both sides alike. Then what users
// call: `manager.guard(client)` with its default durable audit trail (an
// AuditStore with durability 'full', and the security log), at 1 and at 16
// concurrent calls, interleaved with unguarded calls of the same concurrency:
// once with the loopback server in a process of its own (as AWS is for users:
// the guard's work after a request leaves overlaps the server's), and once
// with the server on the client's own thread (every microsecond the guard
// spends on that thread is added to the round trip).
// Also the middleware alone (fake next), in microseconds per call.
// INVENTAG_BENCH_BASELINE=<a built checkout of another commit> adds that build's manager.guard(client) to the
// durable-trail rounds (a third side in the rotation) and the ratio of the two builds' added latencies.
// Run alone: node bench/run.mjs guard (after npm run build).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { guardClient, inventagGuardMiddleware, OperationGuard } from '../dist/guard/index.js';
import { ComplianceManager } from '../dist/manager/index.js';
import { loadAwsServer } from './awsServer.mjs';

export const name = 'guard';

/** The loopback AWS server in its own process: `{ url, count(filter), close() }`, as the in-process server has. */
async function serverProcess() {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = fork(join(here, 'guard', 'awsServerProcess.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`the loopback server process exited (${code}) before listening`)));
  });
  return {
    url,
    /** Asks the process how many requests matched; resolves to the number. */
    count: (filter) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m.count));
        child.send({ count: filter });
      }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.disconnect();
      }),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** An audit sink that keeps entries in memory: the guard's bookkeeping without a store's disk writes. */
function memoryAudit() {
  const entries = new Map();
  let next = 0;
  return {
    recordAttempt(attempt) {
      const auditId = String(++next);
      entries.set(auditId, attempt);
      if (entries.size > 10_000) entries.clear();
      return { auditId };
    },
    recordOutcome(auditId, outcome) {
      const entry = entries.get(auditId);
      if (entry) entry.outcome = outcome;
    },
  };
}

/**
 * `manager.guard(client)` with the manager's default durable audit trail against the same client unguarded:
 * rounds of `concurrency` calls at once on one side, then the other (the order alternates), so each call's
 * latency is measured under the same load on both sides.
 */
async function durableManager(config, server, concurrency, rounds, where, Baseline) {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-bench-guard-'));
  const manager = new ComplianceManager({ dataDirectory: dir });
  const plain = { label: 'unguarded', client: new EC2Client(config), times: [] };
  const guarded = { label: 'manager.guard, durable trail', client: manager.guard(new EC2Client(config)), times: [] };
  // INVENTAG_BENCH_BASELINE: the other build's manager in the same rounds, with a data directory of its own.
  const baseDir = Baseline && mkdtempSync(join(tmpdir(), 'inventag-bench-guard-base-'));
  const baseManager = Baseline && new Baseline({ dataDirectory: baseDir });
  const base = baseManager && { client: baseManager.guard(new EC2Client(config)), times: [] };
  const sides = base ? [plain, guarded, base] : [plain, guarded];
  const before = await server.count({ operation: 'DescribeInstances' });
  const round = async (side, keep) => {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const t0 = performance.now();
        await side.client.send(new DescribeInstancesCommand({}));
        if (keep) side.times.push(performance.now() - t0);
      }),
    );
  };
  try {
    const warmup = Math.max(20, Math.ceil(300 / concurrency));
    for (let i = 0; i < warmup + rounds; i++) {
      // Rotate which side goes first so none always follows another.
      for (let k = 0; k < sides.length; k++) await round(sides[(i + k) % sides.length], i >= warmup);
    }
    const calls = sides.length * concurrency * (warmup + rounds);
    if ((await server.count({ operation: 'DescribeInstances' })) - before !== calls)
      throw new Error('the loopback server did not see every call');
    const store = manager.auditStore();
    await store.flush();
    const verified = store.verify();
    const attempts = [...store.entries()].filter((e) => e.operation === 'DescribeInstances' && e.outcome?.success);
    if (!verified.ok || attempts.length !== calls / sides.length)
      throw new Error(
        `the audit trail does not hold every guarded call (${attempts.length} of ${calls / sides.length})`,
      );
    const mp = median(plain.times);
    const mg = median(guarded.times);
    const mb = base && median(base.times);
    const baseline = base
      ? [
          {
            figure: `baseline build: added latency, manager.guard with durable trail, ${concurrency} concurrent, ${where}`,
            value: ((mb - mp) / mp) * 100,
            unit: '%',
            note: `median +${((mb - mp) * 1000).toFixed(0)} µs/call, in the same rounds as ours; the build in INVENTAG_BENCH_BASELINE`,
          },
          {
            figure: `added latency, ours / baseline build, ${concurrency} concurrent, ${where}`,
            value: (mg - mp) / (mb - mp),
            unit: 'x',
            note: `ours +${((mg - mp) * 1000).toFixed(0)} µs, baseline +${((mb - mp) * 1000).toFixed(0)} µs over the same unguarded calls`,
          },
        ]
      : [];
    return [
      {
        figure: `DescribeInstances, ${concurrency} concurrent, ${where}: unguarded (median per call)`,
        value: mp * 1000,
        unit: 'µs/call',
        note: `${plain.times.length} calls per side, interleaved rounds of ${concurrency}`,
      },
      {
        figure: `DescribeInstances, ${concurrency} concurrent, ${where}: manager.guard, durable audit trail (median per call)`,
        value: mg * 1000,
        unit: 'µs/call',
        note: `p99 ${(quantile(guarded.times, 0.99) * 1000).toFixed(0)} µs vs unguarded p99 ${(quantile(plain.times, 0.99) * 1000).toFixed(0)} µs; ${attempts.length} attempts with outcomes in the trail, chain intact`,
      },
      {
        figure: `added latency, manager.guard with durable trail, ${concurrency} concurrent, ${where} (ratio of medians)`,
        value: ((mg - mp) / mp) * 100,
        unit: '%',
        goal: '<= 5%',
        note: `median +${((mg - mp) * 1000).toFixed(0)} µs/call over the unguarded baseline of this run`,
      },
      ...baseline,
    ];
  } finally {
    plain.client.destroy();
    guarded.client.destroy();
    base?.client.destroy();
    await baseManager?.close();
    if (baseDir) rmSync(baseDir, { recursive: true, force: true });
    await manager.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export async function run() {
  const { mod, cleanup } = await loadAwsServer();
  const server = await mod.startAwsServer();
  const config = {
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const sides = [
    { label: 'unguarded', client: new EC2Client(config), times: [] },
    { label: 'guarded', client: guardClient(new EC2Client(config)), times: [] },
    {
      label: 'guarded + in-memory audit',
      client: guardClient(new EC2Client(config), { audit: memoryAudit() }),
      times: [],
    },
  ];
  const rows = [];
  const warmup = 300;
  const rounds = 2000;
  try {
    for (let i = 0; i < warmup; i++) for (const side of sides) await side.client.send(new DescribeInstancesCommand({}));
    for (let i = 0; i < rounds; i++) {
      // Rotate which side goes first so none always follows another.
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(i + k) % sides.length];
        const t0 = performance.now();
        await side.client.send(new DescribeInstancesCommand({}));
        side.times.push(performance.now() - t0);
      }
    }
    if (server.count({ operation: 'DescribeInstances' }) !== sides.length * (warmup + rounds))
      throw new Error('the loopback server did not see every call');
    const [plain, ...guarded] = sides;
    const mp = median(plain.times);
    rows.push({
      figure: 'DescribeInstances round trip, unguarded (median)',
      value: mp * 1000,
      unit: 'µs/call',
      note: `${rounds} calls per side, loopback server, interleaved`,
    });
    for (const side of guarded) {
      const mg = median(side.times);
      // Paired: each guarded call against the unguarded call of the same round, which drift in machine load hits alike.
      const paired = median(side.times.map((t, i) => t - plain.times[i]));
      rows.push({ figure: `DescribeInstances round trip, ${side.label} (median)`, value: mg * 1000, unit: 'µs/call' });
      rows.push({
        figure: `overhead, ${side.label} (ratio of medians)`,
        value: ((mg - mp) / mp) * 100,
        unit: '%',
        goal: '<= 5%',
        note: `median paired difference ${(paired * 1000).toFixed(1)} µs/call (${((paired / mp) * 100).toFixed(1)}%)`,
      });
    }
    const baselineRoot = process.env.INVENTAG_BENCH_BASELINE;
    const Baseline = baselineRoot
      ? (await import(pathToFileURL(join(resolve(baselineRoot), 'dist', 'manager', 'index.js')).href)).ComplianceManager
      : undefined;
    const own = await serverProcess();
    try {
      const ownConfig = { ...config, endpoint: own.url };
      rows.push(...(await durableManager(ownConfig, own, 1, 2000, 'server in its own process', Baseline)));
      rows.push(...(await durableManager(ownConfig, own, 16, 200, 'server in its own process', Baseline)));
    } finally {
      await own.close();
    }
    rows.push(...(await durableManager(config, server, 1, 2000, "server on the client's thread", Baseline)));
    rows.push(...(await durableManager(config, server, 16, 200, "server on the client's thread", Baseline)));
  } finally {
    for (const side of sides) side.client.destroy();
    await server.close();
    cleanup();
  }

  // The middleware alone: decide (cached verdict), breaker, timing; next() resolves at once.
  const output = { output: { $metadata: {} }, response: {} };
  const next = async () => output;
  const context = {
    clientName: 'EC2Client',
    commandName: 'DescribeInstancesCommand',
    __smithy_context: { operation: 'DescribeInstances' },
  };
  const handler = inventagGuardMiddleware(new OperationGuard())(next, context);
  const n = 100_000;
  for (let i = 0; i < 10_000; i++) await handler({ input: {} });
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await next({ input: {} });
  const bareUs = ((performance.now() - t0) * 1000) / n;
  t0 = performance.now();
  for (let i = 0; i < n; i++) await handler({ input: {} });
  const guardUs = ((performance.now() - t0) * 1000) / n - bareUs;
  rows.push({
    figure: 'guard middleware alone (allowed call, fake next)',
    value: guardUs,
    unit: 'µs/call',
    note: `${n.toLocaleString('en-US')} calls`,
  });
  return rows;
}
