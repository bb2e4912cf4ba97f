import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ComplianceSnapshot } from '../../src/metrics/index.js';
import { launchChromium, watchedPage } from '../support/browser.js';
import { startCli } from '../support/cli.js';

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url));

describe('inventag dashboard with the bundled demo evidence', () => {
  it('serves the demo history and the page draws it without errors', async () => {
    const server = await startCli(['dashboard', '--port', '0', '--evidence', DEMO]);
    const browser = await launchChromium();
    try {
      const url = /^dashboard at (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(server.line)?.[1];
      expect(url).toBeDefined();

      const snapshot = (await (await fetch(`${url}/api/snapshot`)).json()) as ComplianceSnapshot;
      expect(snapshot.dashboard.metrics.totalOperations).toBeGreaterThan(0);

      const { page, consoleErrors, dialogs } = await watchedPage(browser);
      await page.goto(`${url}/`);
      await page
        .locator('#compliance-score', { hasText: `${snapshot.dashboard.complianceScore.toFixed(1)}%` })
        .waitFor();
      expect(await page.locator('#total-operations').textContent()).toBe(
        String(snapshot.dashboard.metrics.totalOperations),
      );
      const findings = snapshot.cloudtrail.findings.length;
      expect(await page.locator('#findings-table tbody tr').count()).toBe(Math.max(1, findings));
      const output = join(process.cwd(), 'test-output', 'dashboard');
      mkdirSync(output, { recursive: true });
      await page.screenshot({ path: join(output, 'demo.png'), fullPage: true });
      expect(consoleErrors).toEqual([]);
      expect(dialogs).toEqual([]);
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
