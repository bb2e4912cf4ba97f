// The gateway as users run it: `inventag gateway` (the CLI, its durable audit
// trail on, the default) in a process of its own, the upstream in another,
// and the load from client processes. On this machine all of them share the
// same cores, so every figure includes the clients' and the upstream's CPU
// competing with the gateway's.
// - Added latency: one SDK v3 STS client process calls GetCallerIdentity
//   straight to the upstream and through the gateway, alternately (interleaved,
//   so drift in machine load hits both alike); median, p99 and ratio.
// - Reads/s with 16 concurrent clients: (a) 16 SDK v3 clients in 2 processes;
//   (b) 16 keep-alive connections from one lean client process replaying
//   requests the SDK signed with the session key: the gateway does the same
//   work for them (parse, verify the signature, decide, audit attempt and
//   outcome, re-sign, forward, stream back); a tampered copy must be refused.
// - The gateway process's resident memory while a 1 GiB S3 GetObject streams
//   through it to a client process.
// Run alone: node bench/gateway.bench.mjs (after npm run build).
// INVENTAG_BENCH_GATEWAY_PROFILE=DIR writes a CPU profile of the gateway process there.
import { fork, spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const name = 'gateway';
const here = dirname(fileURLToPath(import.meta.url));
/** The package's bin; INVENTAG_BENCH_GATEWAY_CLI=path/to/dist/cli/inventag.cjs (or main.js) runs another build's gateway (an A/B comparison in turns). */
const CLI = process.env.INVENTAG_BENCH_GATEWAY_CLI ?? join(here, '..', 'dist', 'cli', 'inventag.cjs');
const REAL = { accessKeyId: 'AKIDBENCHREAL0000001', secretAccessKey: 'bench-real-secret' };
const GIB = 2 ** 30;
const SECONDS = 5;
/** Load before the measured seconds: the gateway's first requests load its catalog and route table. */
const WARMUP_MS = 2000;

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** A forked helper that answers one message per job. */
function helper(file) {
  const child = fork(join(here, 'gateway', file), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (job) =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
      child.send(job);
    });
  return { child, ask };
}

function startUpstream() {
  const child = fork(join(here, 'gateway', 'upstream.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) =>
    child.once('message', ({ port }) => resolve({ child, url: `http://127.0.0.1:${port}` })),
  );
}

/** `inventag gateway --print-env` in its own process; resolves with its URL, session key and process. */
function startGateway(upstreamUrl, dir) {
  const profile = process.env.INVENTAG_BENCH_GATEWAY_PROFILE;
  const env = { ...process.env, INVENTAG_AUDIT_STORE: join(dir, 'audit.db'), AWS_REGION: 'us-east-1' };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[name];
  env.AWS_ACCESS_KEY_ID = REAL.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = REAL.secretAccessKey;
  const child = spawn(
    process.execPath,
    [
      ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []),
      CLI,
      'gateway',
      '--upstream',
      upstreamUrl,
      '--print-env',
    ],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
  const ready = new Promise((resolve, reject) => {
    child.once('exit', () => reject(new Error(`the gateway exited before listening: ${stderr}`)));
    const check = () => {
      if (!stdout.includes('unset ') || !stderr.includes('listening on')) return;
      const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
      resolve({
        url: vars.AWS_ENDPOINT_URL,
        session: { accessKeyId: vars.AWS_ACCESS_KEY_ID, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY },
      });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
  });
  return { child, exited, ready };
}

/** CPU time (user + system) a process has used, in ms (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** INVENTAG_BENCH_GATEWAY_PHASES=latency,sdk,replay,big (the default: all) runs only some of them (for profiling). */
const PHASES = new Set((process.env.INVENTAG_BENCH_GATEWAY_PHASES ?? 'latency,sdk,replay,big').split(','));
const MACHINE = 'gateway, upstream and client processes share the 2 cores; shared machine: noisy';

async function latencyRows({ clients, upstream, url, session }) {
  const n = 2000;
  const lat = await clients[0].ask({
    mode: 'latency',
    direct: upstream.url,
    gateway: url,
    real: REAL,
    session,
    warmup: 300,
    n,
  });
  const note = `${n} interleaved calls of one SDK v3 client process; audit trail on (durable); ${MACHINE}`;
  const [d50, g50, d99, g99] = [
    quantile(lat.direct, 0.5),
    quantile(lat.through, 0.5),
    quantile(lat.direct, 0.99),
    quantile(lat.through, 0.99),
  ];
  return [
    { figure: 'read direct to upstream, median', value: d50, unit: 'ms', note },
    { figure: 'read through the gateway, median', value: g50, unit: 'ms', note },
    { figure: 'gateway added latency, median', value: g50 - d50, unit: 'ms', goal: '≤ 0.5 ms', note },
    { figure: 'gateway added latency, p99', value: g99 - d99, unit: 'ms', note },
    { figure: 'gateway / direct, median ratio', value: g50 / d50, unit: '×', note },
  ];
}

/** The audit store's disk: a durable read waits for its attempt's fdatasync, so this is a floor of the added latency. */
function diskRows(dir) {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const page = Buffer.alloc(4096, 1);
  const times = [];
  try {
    for (let i = 0; i < 300; i++) {
      writeSync(fd, page, 0, page.length, (i % 16) * page.length);
      const t = performance.now();
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
  }
  return [
    {
      figure: "the audit store's disk: one fdatasync of a 4 KiB write, median",
      value: quantile(times, 0.5),
      unit: 'ms',
      note: `p99 ${quantile(times, 0.99).toFixed(3)} ms; a read's attempt record is on the disk before its answer is sent, so the added latency cannot be below this`,
    },
  ];
}

async function sdkRows({ clients, url, session }) {
  const startAt = Date.now() + WARMUP_MS;
  const sdk = await Promise.all(
    clients.map((c) => c.ask({ mode: 'sdk', gateway: url, session, clients: 8, startAt, seconds: SECONDS })),
  );
  return [
    {
      figure: 'reads/s through the gateway, 16 concurrent SDK v3 clients',
      value: sdk.reduce((sum, r) => sum + r.done, 0) / SECONDS,
      unit: 'reads/s',
      note: `${SECONDS} s, 2 client processes of 8 STS clients each; the SDK clients' CPU takes much of the 2 cores`,
    },
  ];
}

async function replayRows({ clients, upstream, gateway, url, session }) {
  const startAt = Date.now() + WARMUP_MS;
  const pids = { gateway: gateway.child.pid, upstream: upstream.child.pid, client: clients[1].child.pid };
  let cpuBefore;
  setTimeout(
    () => (cpuBefore = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]))),
    startAt - Date.now(),
  );
  const replayed = await clients[1].ask({
    mode: 'replay',
    gateway: url,
    session,
    clients: 16,
    startAt,
    seconds: SECONDS,
  });
  const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid) - cpuBefore[k]]));
  const perRead = (ms) => (ms * 1000) / replayed.done;
  const { status } = await clients[1].ask({ mode: 'tampered', gateway: url, session });
  if (status !== 403) throw new Error(`a replayed request with a changed signature was answered ${status}, not 403`);
  return [
    {
      figure: 'reads/s through the gateway, 16 concurrent clients (replayed SDK-signed requests)',
      value: replayed.done / SECONDS,
      unit: 'reads/s',
      goal: '≥ 5,000',
      note: `${SECONDS} s, 16 keep-alive connections from one lean client process; each request verified, decided, audited, re-signed; ${MACHINE}`,
    },
    {
      figure: 'gateway process CPU per read, 16 concurrent clients (replayed)',
      value: perRead(cpu.gateway),
      unit: 'µs',
      note: `user + system time of the gateway process over the replay run; upstream process ${perRead(cpu.upstream).toFixed(0)} µs, client process ${perRead(cpu.client).toFixed(0)} µs per read on the same 2 cores`,
    },
  ];
}

async function bigRows({ clients, gateway, url, session }) {
  const pid = gateway.child.pid;
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  const big = await clients[0].ask({ mode: 'big', gateway: url, session });
  clearInterval(sampler);
  if (big.bytes !== GIB) throw new Error(`GetObject streamed ${big.bytes} bytes, not 1 GiB`);
  return [
    {
      figure: 'gateway process RSS growth while a 1 GiB GetObject streams through',
      value: peak - before,
      unit: 'MiB',
      goal: 'flat',
      note: `${(GIB / 2 ** 20 / big.seconds).toFixed(0)} MiB/s to an SDK v3 client process`,
    },
  ];
}

export async function run() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = mkdtempSync(join(tmpdir(), 'inventag-gateway-bench-'));
  const upstream = await startUpstream();
  const gateway = startGateway(upstream.url, dir);
  const clients = [helper('client.mjs'), helper('client.mjs')];
  const rows = [];
  let stopped;
  try {
    const ctx = { clients, upstream, gateway, ...(await gateway.ready) };
    if (PHASES.has('latency')) rows.push(...diskRows(dir), ...(await latencyRows(ctx)));
    if (PHASES.has('sdk')) rows.push(...(await sdkRows(ctx)));
    if (PHASES.has('replay')) rows.push(...(await replayRows(ctx)));
    if (PHASES.has('big')) rows.push(...(await bigRows(ctx)));
  } finally {
    gateway.child.kill('SIGTERM');
    stopped = await gateway.exited;
    for (const c of clients) c.child.disconnect();
    upstream.child.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  const stats = /stopped after (\d+) requests \((\d+) forwarded, (\d+) blocked, (\d+) refused\)/.exec(stopped.stderr);
  if (stopped.code !== 0 || stats === null)
    throw new Error(`the gateway did not stop cleanly (${stopped.code}): ${stopped.stderr}`);
  const refused = PHASES.has('replay') ? 1 : 0;
  if (Number(stats[4]) !== refused || Number(stats[3]) !== 0)
    throw new Error(`the gateway refused or blocked requests it should have forwarded: ${stats[0]}`);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await run())
    console.log(
      `${row.figure}: ${typeof row.value === 'number' ? row.value.toFixed(3) : row.value} ${row.unit}${row.note ? ` (${row.note})` : ''}`,
    );
}
