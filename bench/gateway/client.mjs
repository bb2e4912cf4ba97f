// The bench's load, in client processes of their own (as users run aws, boto3
// or an SDK script beside `inventag gateway`). Forked by
// bench/gateway.bench.mjs; each message is one job, answered with its result:
// - latency: one SDK v3 STS client straight to the upstream and one through
//   the gateway, called alternately (interleaved), each call timed;
// - sdk: N SDK v3 STS clients calling GetCallerIdentity as fast as they can
//   (from the start, to warm up; counted from startAt for `seconds`);
// - replay: requests signed by the SDK v3 client with the session key, replayed
//   byte for byte over N keep-alive connections, counted as sdk (a lean client: the gateway
//   still parses, verifies the signature of, decides, audits and re-signs each);
// - tampered: one such request with its signature changed (must be refused);
// - big: an S3 GetObject of 1 GiB through the gateway, streamed and counted.
import { Agent, request } from 'node:http';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sts = (endpoint, credentials) => new STSClient({ endpoint, region: 'us-east-1', credentials });
const call = (client) => client.send(new GetCallerIdentityCommand({}));

async function latency({ direct, gateway, real, session, warmup, n }) {
  const straight = sts(direct, real);
  const through = sts(gateway, session);
  for (let i = 0; i < warmup; i++) await Promise.all([call(straight), call(through)]);
  const d = [];
  const g = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await call(straight);
    d.push(performance.now() - t);
    t = performance.now();
    await call(through);
    g.push(performance.now() - t);
  }
  return { direct: d, through: g };
}

async function sdk({ gateway, session, clients, startAt, seconds }) {
  const list = Array.from({ length: clients }, () => sts(gateway, session));
  // Load from the start on (warming the clients and the gateway up), counted from startAt.
  const until = startAt + seconds * 1000;
  let done = 0;
  await Promise.all(
    list.map(async (client) => {
      while (Date.now() < until) {
        await call(client);
        const now = Date.now();
        if (now >= startAt && now <= until) done += 1;
      }
    }),
  );
  return { done };
}

/** What the SDK v3 client sends for one GetCallerIdentity, signed with the session key (captured, not sent). */
async function signedRequests(gateway, session, count) {
  const captured = [];
  const client = new STSClient({
    endpoint: gateway,
    region: 'us-east-1',
    credentials: session,
    requestHandler: {
      handle: (req) => {
        captured.push(req);
        return Promise.reject(new Error('captured'));
      },
    },
  });
  for (let i = 0; i < count; i++) await call(client).catch(() => undefined);
  return captured.map((req) => {
    const query = new URLSearchParams(req.query ?? {}).toString();
    return {
      method: req.method,
      hostname: req.hostname,
      port: req.port,
      path: query === '' ? req.path : `${req.path}?${query}`,
      headers: { ...req.headers },
      body: req.body === undefined ? undefined : Buffer.from(req.body),
    };
  });
}

function send(agent, req) {
  return new Promise((resolve, reject) => {
    const out = request({ ...req, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
      res.once('error', reject);
    });
    out.once('error', reject);
    out.end(req.body);
  });
}

async function replay({ gateway, session, clients, startAt, seconds }) {
  const requests = await signedRequests(gateway, session, clients);
  const agents = requests.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const statuses = await Promise.all(requests.map((req, i) => send(agents[i], req)));
  if (statuses.some((s) => s !== 200)) throw new Error(`a replayed request was answered ${statuses.join(',')}`);
  // Load from the start on (warming the gateway up), counted from startAt.
  const until = startAt + seconds * 1000;
  let done = 0;
  await Promise.all(
    requests.map(async (req, i) => {
      while (Date.now() < until) {
        const status = await send(agents[i], req);
        if (status !== 200) throw new Error(`a replayed request was answered ${status}`);
        const now = Date.now();
        if (now >= startAt && now <= until) done += 1;
      }
    }),
  );
  for (const agent of agents) agent.destroy();
  return { done };
}

async function tampered({ gateway, session }) {
  const [req] = await signedRequests(gateway, session, 1);
  req.headers.authorization = req.headers.authorization.replace(
    /Signature=([0-9a-f])/,
    (_, c) => `Signature=${c === '0' ? '1' : '0'}`,
  );
  const agent = new Agent({ keepAlive: false });
  return { status: await send(agent, req) };
}

async function big({ gateway, session }) {
  const s3 = new S3Client({ endpoint: gateway, region: 'us-east-1', credentials: session, forcePathStyle: true });
  const t0 = performance.now();
  const object = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'one-gib' }));
  let bytes = 0;
  for await (const chunk of object.Body) bytes += chunk.length;
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}

const jobs = { latency, sdk, replay, tampered, big };
process.on('message', (job) => {
  jobs[job.mode](job).then(
    (result) => process.send({ ok: true, result }),
    (error) => process.send({ ok: false, error: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
