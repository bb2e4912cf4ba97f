import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveReport } from '../../src/report/index.js';
import type { ComprehensiveComplianceReport } from '../../src/report/index.js';
import { launchChromium, watchedPage } from '../support/browser.js';
import { HOSTILE, buildGeneralReport, buildReport } from './fixtures.js';

const OUTPUT = join(process.cwd(), 'test-output', 'report');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'inventag-html-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Saves the report as a user would, opens the file offline and records everything the page tries. */
async function open(report: ComprehensiveComplianceReport, name: string) {
  const path = await saveReport(report, join(dir, `${name}.html`), 'html');
  const url = pathToFileURL(path).href;
  const { page, requests, dialogs, consoleMessages } = await watchedPage(browser, {
    offline: true,
    viewport: { width: 1280, height: 1200 },
  });
  const context = page.context();
  await page.goto(url, { waitUntil: 'load' });
  return { page, context, url, requests, dialogs, consoleMessages };
}

describe('HTML report in headless Chromium', () => {
  it('shows the executive summary offline, requests nothing and renders hostile strings as text', async () => {
    const { page, context, url, requests, dialogs, consoleMessages } = await open(buildReport(), 'soc2');
    try {
      const overall = page.locator('#overall-compliance');
      expect(await overall.isVisible()).toBe(true);
      expect(await overall.textContent()).toBe('NON-COMPLIANT');
      expect(await page.locator('#compliance-score').textContent()).toBe('87.5%');
      expect(await page.locator('#risk-score').textContent()).toBe('42/100');
      expect(await page.locator('#key-findings li').count()).toBe(2);
      expect(await page.locator('#immediate-actions li').first().textContent()).toBe(
        'Remove write permissions from the inventory role',
      );
      // The inline stylesheet is allowed by the page's CSP: the badge is red.
      expect(
        await page.evaluate("getComputedStyle(document.getElementById('overall-compliance')).backgroundColor"),
      ).toBe('rgb(207, 34, 46)');

      // The planted user agent is the text of a cell, not an element.
      const cell = page.locator('#evidence td', { hasText: 'onerror' }).first();
      expect(await cell.textContent()).toBe(HOSTILE);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('#findings-table tbody tr').first().textContent()).toContain('CRITICAL');
      expect(await page.locator('#controls-table tbody tr').count()).toBe(5);
      expect(await page.title()).toBe('InvenTag compliance report: NON-COMPLIANT (SOC 2)');

      await page.screenshot({ path: join(OUTPUT, 'report-soc2.png'), fullPage: true });
      expect(requests).toEqual([url]);
      expect(dialogs).toEqual([]);
      expect(consoleMessages).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reads a GENERAL report without an executive summary', async () => {
    const { page, context, url, requests, consoleMessages } = await open(buildGeneralReport(), 'general');
    try {
      expect(await page.locator('#overall-compliance').textContent()).toBe('NON-COMPLIANT');
      expect(await page.locator('#executive-summary .note').textContent()).toContain(
        'No executive summary was generated',
      );
      expect(await page.locator('#controls').textContent()).toContain(
        'The GENERAL standard maps findings to no control IDs',
      );
      expect(await page.locator('#risk-level').count()).toBe(0);
      await page.screenshot({ path: join(OUTPUT, 'report-general.png'), fullPage: true });
      expect(requests).toEqual([url]);
      expect(consoleMessages).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
