import { chromium } from 'playwright-core';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/** The system's headless Chromium, as every browser test launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/** A page and what a user would not see on it: console messages, page errors, dialogs, every request. */
export interface WatchedPage {
  page: Page;
  /** Console errors and warnings, and page errors. */
  consoleErrors: string[];
  /** Every console message as `type: text`, and page errors as `pageerror: message`. */
  consoleMessages: string[];
  dialogs: string[];
  requests: string[];
}

/** Opens a page (in its own context when options are given) that records what a user would not see. */
export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 }, ...options });
  const page = await context.newPage();
  // The browser may already be closing (browser.close() closes its pages): that rejection is not a test failure.
  page.once('close', () => void context.close().catch(() => undefined));
  const consoleErrors: string[] = [];
  const consoleMessages: string[] = [];
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    consoleMessages.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === 'error' || msg.type() === 'warning') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => {
    consoleErrors.push(err.message);
    consoleMessages.push(`pageerror: ${err.message}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss().catch(() => undefined);
  });
  page.on('request', (req) => requests.push(req.url()));
  return { page, consoleErrors, consoleMessages, dialogs, requests };
}
