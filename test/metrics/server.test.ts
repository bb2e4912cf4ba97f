import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ComplianceMetrics, isMetricsError, startMetricsServer } from '../../src/metrics/index.js';
import type { RunningServer } from '../../src/metrics/index.js';
import { MutableSource, knownSnapshot, parsePrometheus, valueOf } from './fixtures.js';

const TOKEN = 'test-token-0123456789abcdef';
const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(
  options: Partial<Parameters<typeof startMetricsServer>[0]> = {},
): Promise<{ server: RunningServer; source: MutableSource }> {
  const source = new MutableSource(knownSnapshot());
  const server = await startMetricsServer({ metrics: new ComplianceMetrics(), source, port: 0, ...options });
  running.push(server);
  return { server, source };
}

/** A raw request, so the Host header can be chosen. */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('GET /metrics', () => {
  it('serves the seed metrics of a known history, current at each scrape', async () => {
    const { server, source } = await start();

    const first = await get(`${server.url}/metrics`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(first.body);
    expect(valueOf(families, 'inventag_compliance_score')).toBe(87.5);
    expect(valueOf(families, 'inventag_risk_score')).toBe(42);
    expect(valueOf(families, 'inventag_total_operations')).toBe(40);
    expect(valueOf(families, 'inventag_error_rate')).toBe(10);
    expect(valueOf(families, 'inventag_success_rate')).toBe(80);
    expect(valueOf(families, 'inventag_blocked_operations')).toBe(4);

    source.snapshot.dashboard.metrics.totalOperations = 41;
    source.snapshot.dashboard.complianceScore = 90;
    const second = parsePrometheus((await get(`${server.url}/metrics`)).body);
    expect(valueOf(second, 'inventag_total_operations')).toBe(41);
    expect(valueOf(second, 'inventag_compliance_score')).toBe(90);
  });

  it('answers 503 without detail when the snapshot cannot be read, and recovers', async () => {
    const errors: unknown[] = [];
    const source = new MutableSource(knownSnapshot());
    let fail = true;
    const server = await startMetricsServer({
      metrics: new ComplianceMetrics(),
      source: { getSnapshot: () => (fail ? Promise.reject(new Error('store locked')) : source.getSnapshot()) },
      port: 0,
      onError: (err) => errors.push(err),
    });
    running.push(server);

    const bad = await get(`${server.url}/metrics`);
    expect(bad.status).toBe(503);
    expect(bad.body).not.toContain('store locked');
    expect(errors).toHaveLength(1);
    fail = false;
    expect((await get(`${server.url}/metrics`)).status).toBe(200);
  });

  it('refuses other methods and paths', async () => {
    const { server } = await start();
    expect((await get(`${server.url}/nothing`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });
});

describe('bind and token rules', () => {
  it('refuses a non-loopback address without a token', async () => {
    const err = await caught(startMetricsServer({ metrics: new ComplianceMetrics(), host: '0.0.0.0', port: 0 }));
    expect(isMetricsError(err) && err.code).toBe('BIND_REFUSED');
    expect((err as Error).message).toMatch(/0\.0\.0\.0.*not a loopback address.*token/);
  });

  it('refuses a weak token', async () => {
    const err = await caught(
      startMetricsServer({ metrics: new ComplianceMetrics(), host: '0.0.0.0', port: 0, token: 'short' }),
    );
    expect(isMetricsError(err) && err.code).toBe('BIND_REFUSED');
    expect((err as Error).message).toContain('at least 16');
  });

  it('with a token, answers 401 to a request without it or with a wrong one', async () => {
    const { server } = await start({ token: TOKEN, host: '0.0.0.0' });
    const url = `http://127.0.0.1:${server.port}/metrics`;

    const none = await get(url);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect((await get(url, { Authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    // Scrapers send a header; a token in the URL would end up in logs.
    expect((await get(`${url}?token=${TOKEN}`)).status).toBe(401);
    const ok = await get(url, { Authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(valueOf(parsePrometheus(ok.body), 'inventag_total_operations')).toBe(40);
  });

  it('without a token, answers only requests addressed to a loopback name (DNS rebinding)', async () => {
    const { server } = await start();
    expect((await get(`${server.url}/metrics`, { Host: `localhost:${server.port}` })).status).toBe(200);
    expect((await get(`${server.url}/metrics`, { Host: `attacker.example:${server.port}` })).status).toBe(403);
  });

  it('reports a port in use clearly and leaves the server holding it untouched', async () => {
    const { server } = await start();
    const err = await caught(startMetricsServer({ metrics: new ComplianceMetrics(), port: server.port }));
    expect(isMetricsError(err) && err.code).toBe('PORT_IN_USE');
    expect((err as Error).message).toBe(
      `port ${server.port} on 127.0.0.1 is already in use; choose another with --port`,
    );
    expect((await get(`${server.url}/metrics`)).status).toBe(200);
  });
});
