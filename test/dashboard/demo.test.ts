import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { ComplianceSnapshot } from '../../src/metrics/index.js';
import { CLI } from '../support/cli.js';

const ENTRY = CLI;
const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url));

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('inventag dashboard with the bundled demo evidence', () => {
  it('serves the demo history and the page draws it without errors', async () => {
    const child = spawn(process.execPath, [ENTRY, 'dashboard', '--port', '0', '--evidence', DEMO], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`dashboard exited ${code}: ${stderr}`)));
    });
    const url = /^dashboard at (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(line)?.[1];
    expect(url).toBeDefined();

    const snapshot = (await (await fetch(`${url}/api/snapshot`)).json()) as ComplianceSnapshot;
    expect(snapshot.dashboard.metrics.totalOperations).toBeGreaterThan(0);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(msg.text());
      });
      page.on('pageerror', (err) => problems.push(err.message));
      page.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
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
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
