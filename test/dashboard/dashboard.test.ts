import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/dashboard/index.js';
import { isMetricsError, parseSnapshot } from '../../src/metrics/index.js';
import type { RunningServer } from '../../src/metrics/index.js';
import { launchChromium, watchedPage as watchedPageOf } from '../support/browser.js';
import { HOSTILE_USER_AGENT, MutableSource, knownSnapshot, parsePrometheus, valueOf } from '../metrics/fixtures.js';

const TOKEN = 'dashboard-token-0123456789';
const OUTPUT = join(process.cwd(), 'test-output', 'dashboard');

let browser: Browser;
const running: RunningServer[] = [];

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: { token?: string } = {}): Promise<{ server: RunningServer; source: MutableSource }> {
  const source = new MutableSource(knownSnapshot());
  const server = await startDashboard({ source, port: 0, refreshSeconds: 0.3, ...options });
  running.push(server);
  return { server, source };
}

const watchedPage = () => watchedPageOf(browser);

describe('dashboard in a browser', () => {
  it('shows a known history, updates itself, renders hostile CloudTrail text as text, and stays on localhost', async () => {
    const { server, source } = await start();
    const { page, consoleErrors, dialogs, requests } = await watchedPage();

    await page.goto(`${server.url}/`);
    await page.locator('#compliance-score', { hasText: '87.5%' }).waitFor();

    expect(await page.locator('#risk-score').textContent()).toBe('42.0/100');
    expect(await page.locator('#overall-status').textContent()).toBe('NON_COMPLIANT');
    expect(await page.locator('#total-operations').textContent()).toBe('40');
    expect(await page.locator('#blocked-operations').textContent()).toBe('4');
    expect(await page.locator('#status-indicators').textContent()).toContain('CloudTrail integration: active');
    expect(await page.locator('#breakers-table tbody tr').first().textContent()).toContain('OPEN');
    expect(await page.locator('#resources .resource.over').textContent()).toContain('91.5% (threshold 80%)');
    expect(await page.locator('#blocked-table tbody').textContent()).toContain('s3:DeleteBucket');
    expect(await page.locator('#audit').textContent()).toContain('40 entries');
    // The hostile user agent is a cell's text, not an element.
    const agentCell = page.locator('#findings-table tbody td', { hasText: 'onerror' });
    expect(await agentCell.textContent()).toBe(HOSTILE_USER_AGENT);
    expect(await page.locator('#findings-table img').count()).toBe(0);
    expect(await page.evaluate('typeof window.Chart')).toBe('function');
    expect(await page.locator('#timeline-chart').getAttribute('height')).not.toBeNull();

    // New operations arrive; the page refreshes on its own.
    source.snapshot.dashboard.metrics.totalOperations = 45;
    source.snapshot.dashboard.complianceScore = 91.25;
    source.snapshot.timeline.push({ start: '2026-03-01T12:00:00.000Z', allowed: 5, blocked: 0, failed: 0 });
    // Every other AWS-derived field hostile too: none may become markup.
    const finding = source.snapshot.cloudtrail.findings[0]!;
    finding.eventName = '"><svg onload=alert(2)>';
    finding.principal = '<script>alert(3)</script>';
    finding.sourceIpAddress = '<iframe src=javascript:alert(4)>';
    source.snapshot.recentBlocked[0]!.message = '<img src=x onerror=alert(5)>';
    source.snapshot.breakers[0]!.service = '<b onmouseover=alert(6)>s3</b>';
    source.snapshot.dashboard.overallStatus = '<img src=x onerror=alert(7)>';
    await page.locator('#compliance-score', { hasText: '91.3%' }).waitFor();
    expect(await page.locator('#total-operations').textContent()).toBe('45');
    expect(await page.locator('#overall-status').textContent()).toBe('<img src=x onerror=alert(7)>');
    expect(await page.locator('#findings-table tbody').textContent()).toContain('<script>alert(3)</script>');
    expect(await page.locator('main img, main svg, main script, main iframe, main b, header img').count()).toBe(0);

    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    await page.close();

    expect(dialogs).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith(`${server.url}/`))).toEqual([]);
  });

  it('with a token: the page opens with ?token= and fetches its data with the bearer header; without it, 401', async () => {
    const { server } = await start({ token: TOKEN });
    const { page, consoleErrors } = await watchedPage();

    const refused = await page.goto(`${server.url}/`);
    expect(refused?.status()).toBe(401);

    await page.goto(`${server.url}/?token=${TOKEN}`);
    await page.locator('#compliance-score', { hasText: '87.5%' }).waitFor();
    await page.close();
    // The refused first load is the only error.
    expect(consoleErrors.filter((text) => !text.includes('401'))).toEqual([]);
  });
});

describe('dashboard HTTP surface', () => {
  it('serves the seed dashboard data, the snapshot and /metrics, with a strict CSP', async () => {
    const { server } = await start();

    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).not.toContain('<script>');

    const dashboard = (await (await fetch(`${server.url}/api/dashboard`)).json()) as Record<string, unknown>;
    expect(dashboard).toEqual(knownSnapshot().dashboard);

    const snapshot: unknown = await (await fetch(`${server.url}/api/snapshot`)).json();
    expect(snapshot).toEqual(knownSnapshot());
    // What the API serves loads back as a snapshot file (metrics write --snapshot).
    expect(parseSnapshot(snapshot, '/api/snapshot')).toEqual(knownSnapshot());

    const metrics = await fetch(`${server.url}/metrics`);
    expect(valueOf(parsePrometheus(await metrics.text()), 'inventag_risk_score')).toBe(42);
  });

  it('with a token, the API takes only the bearer header', async () => {
    const { server } = await start({ token: TOKEN });
    expect((await fetch(`${server.url}/api/snapshot`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/snapshot?token=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${server.url}/assets/dashboard.js`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/snapshot`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
  });

  it('refuses a non-loopback bind without a token, and a port in use', async () => {
    const source = new MutableSource(knownSnapshot());
    let err: unknown;
    try {
      await startDashboard({ source, host: '0.0.0.0', port: 0 });
    } catch (e) {
      err = e;
    }
    expect(isMetricsError(err) && err.code).toBe('BIND_REFUSED');

    const { server } = await start();
    err = undefined;
    try {
      await startDashboard({ source, port: server.port });
    } catch (e) {
      err = e;
    }
    expect(isMetricsError(err) && err.code).toBe('PORT_IN_USE');
    expect((await fetch(`${server.url}/api/dashboard`)).status).toBe(200);
  });
});
