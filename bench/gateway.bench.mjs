// The gateway's cost on a real round trip: STS GetCallerIdentity from an SDK v3
// client straight to a loopback upstream and through the gateway, interleaved
// call by call in one run (so drift in machine load hits both alike); reads/s
// through the gateway with 16 concurrent clients; and the process's resident
// memory while a 1 GiB S3 GetObject streams through it.
// Run alone: node bench/gateway.bench.mjs (after npm run build).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AuditStore } from '../dist/audit/index.js';
import { GatewayServer } from '../dist/gateway/index.js';
import { OperationGuard } from '../dist/guard/index.js';

export const name = 'gateway';
const REAL = { accessKeyId: 'AKIDBENCHREAL0000001', secretAccessKey: 'bench-real-secret' };
const IDENTITY =
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
  '<Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDABENCH</UserId><Account>123456789012</Account>' +
  '</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
const GIB = 2 ** 30;
const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

function startUpstream() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.startsWith('/big/')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(GIB) });
        let sent = 0;
        const write = () => {
          while (sent < GIB) {
            sent += CHUNK.length;
            if (!res.write(CHUNK)) return void res.once('drain', write);
          }
          res.end();
        };
        write();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(IDENTITY)) });
      res.end(IDENTITY);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'inventag-gateway-bench-'));
  const upstream = await startUpstream();
  const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
  const store = AuditStore.open({ path: join(dir, 'audit.db') });
  const gateway = new GatewayServer({
    upstream: new URL(upstreamUrl),
    credentials: () => Promise.resolve(REAL),
    guard: new OperationGuard({ audit: store }),
  });
  await gateway.listen();
  const rows = [];
  try {
    const direct = new STSClient({ endpoint: upstreamUrl, region: 'us-east-1', credentials: REAL });
    const through = new STSClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { ...gateway.session } });
    const call = (client) => client.send(new GetCallerIdentityCommand({}));
    for (let i = 0; i < 300; i++) await Promise.all([call(direct), call(through)]);
    const n = 2000;
    const d = [];
    const g = [];
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      await call(direct);
      d.push(performance.now() - t);
      t = performance.now();
      await call(through);
      g.push(performance.now() - t);
    }
    const note = `${n} interleaved calls, audit trail on; shared 2-core machine: noisy`;
    rows.push({ figure: 'read direct to upstream, median', value: quantile(d, 0.5), unit: 'ms', note });
    rows.push({ figure: 'read through the gateway, median', value: quantile(g, 0.5), unit: 'ms', note });
    rows.push({
      figure: 'gateway added latency, median',
      value: quantile(g, 0.5) - quantile(d, 0.5),
      unit: 'ms',
      goal: '≤ 0.5 ms',
      note,
    });
    rows.push({ figure: 'gateway added latency, p99', value: quantile(g, 0.99) - quantile(d, 0.99), unit: 'ms', note });
    rows.push({
      figure: 'gateway / direct, median ratio',
      value: quantile(g, 0.5) / quantile(d, 0.5),
      unit: '×',
      note,
    });

    const clients = Array.from(
      { length: 16 },
      () => new STSClient({ endpoint: gateway.url, region: 'us-east-1', credentials: { ...gateway.session } }),
    );
    let done = 0;
    const seconds = 5;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      clients.map(async (client) => {
        while (performance.now() < until) {
          await call(client);
          done += 1;
        }
      }),
    );
    rows.push({
      figure: 'reads/s through the gateway, 16 concurrent clients',
      value: done / seconds,
      unit: 'reads/s',
      goal: '≥ 5,000',
      note: `${seconds} s, clients in the same process as the gateway`,
    });

    const s3 = new S3Client({
      endpoint: gateway.url,
      region: 'us-east-1',
      credentials: { ...gateway.session },
      forcePathStyle: true,
    });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    const object = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'one-gib' }));
    let bytes = 0;
    for await (const chunk of object.Body) bytes += chunk.length;
    const secs = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (bytes !== GIB) throw new Error(`GetObject streamed ${bytes} bytes, not 1 GiB`);
    rows.push({
      figure: 'RSS growth while a 1 GiB GetObject streams through',
      value: (peak - before) / 2 ** 20,
      unit: 'MiB',
      goal: 'flat',
      note: `${(GIB / 2 ** 20 / secs).toFixed(0)} MiB/s; gateway and client in one process`,
    });
  } finally {
    await gateway.close();
    await new Promise((resolve) => upstream.close(resolve));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await run())
    console.log(
      `${row.figure}: ${typeof row.value === 'number' ? row.value.toFixed(3) : row.value} ${row.unit}${row.note ? ` (${row.note})` : ''}`,
    );
}
