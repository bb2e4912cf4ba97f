import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ComplianceMetrics, isMetricsError, pushToGateway } from '../../src/metrics/index.js';
import { knownSnapshot, parsePrometheus, valueOf } from './fixtures.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A loopback stand-in for a Pushgateway: records pushes, answers with `status`. */
async function gateway(status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 200 ? '' : 'pushed metrics are invalid or inconsistent with existing metrics');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function knownText(): Promise<string> {
  const metrics = new ComplianceMetrics();
  metrics.update(knownSnapshot());
  return metrics.render();
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('pushToGateway', () => {
  it('replaces the job group with the metrics (PUT), with grouping labels and Basic auth from the URL', async () => {
    const gw = await gateway();
    const withCredentials = gw.url.replace('http://', 'http://ci:s3cret@');

    await pushToGateway(await knownText(), {
      url: withCredentials,
      grouping: { instance: 'nightly', branch: 'release/1.0' },
    });

    expect(gw.received).toHaveLength(1);
    const push = gw.received[0]!;
    expect(push.method).toBe('PUT');
    expect(push.url).toBe(
      `/metrics/job/inventag/instance/nightly/branch@base64/${Buffer.from('release/1.0').toString('base64url')}`,
    );
    expect(push.authorization).toBe(`Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
    expect(valueOf(parsePrometheus(push.body), 'inventag_compliance_score')).toBe(87.5);
  });

  it('names an unreachable gateway without printing its credentials', async () => {
    const port = await closedPort();
    const err = await caught(pushToGateway('x 1\n', { url: `http://ci:s3cret@127.0.0.1:${port}` }));
    expect(isMetricsError(err) && err.code).toBe('PUSHGATEWAY_UNREACHABLE');
    expect(err.message).toBe(`cannot reach the Pushgateway at http://127.0.0.1:${port}/: ECONNREFUSED`);
    expect(err.message).not.toContain('s3cret');
  });

  it('reports a refused push with the gateway status and reason', async () => {
    const gw = await gateway(400);
    const err = await caught(pushToGateway('x 1\n', { url: gw.url, job: 'nightly' }));
    expect(isMetricsError(err) && err.code).toBe('PUSHGATEWAY_REJECTED');
    expect(err.message).toContain('HTTP 400 (pushed metrics are invalid');
    expect(gw.received[0]?.url).toBe('/metrics/job/nightly');
  });

  it('refuses a URL that is not http(s) and a bad grouping label before sending anything', async () => {
    const gw = await gateway();
    expect((await caught(pushToGateway('x 1\n', { url: 'ftp://127.0.0.1:21' }))).message).toContain(
      'must use http or https',
    );
    expect((await caught(pushToGateway('x 1\n', { url: 'not a url' }))).message).toContain('not a valid URL');
    expect((await caught(pushToGateway('x 1\n', { url: gw.url, grouping: { 'bad-name': 'x' } }))).message).toContain(
      'not a Prometheus label name',
    );
    expect(gw.received).toHaveLength(0);
  });
});
