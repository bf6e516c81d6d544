/**
 * The demo page (client/demo) in real headless Chromium, as its browser tests drive it: one browser per test
 * file, one browser context per person, every console error and uncaught exception collected.
 */
import { execFileSync } from 'node:child_process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { eventually as retriedUntil, type Target } from './target.ts';

const chromiumPath = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps calling Google services, which floods a closed network.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const desktop = { viewport: { width: 1000, height: 640 } };
// A phone: the page's meta viewport is honoured (isMobile), taps are touches.
export const phone = {
  viewport: { width: 375, height: 700 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 2,
};

/** `eventually` of the protocol tests, given the longer time a page in a browser takes to show a change. */
export const eventually = (assertion: () => Promise<void>, timeoutMs = 10_000) =>
  retriedUntil(assertion, timeoutMs);

/** Types `text` into the composer and sends it with Enter. */
export async function write(page: Page, text: string): Promise<void> {
  // The composer is disabled until a conversation is open; keys pressed before that would go nowhere.
  await eventually(async () => expect(await page.getByLabel('Message').isEnabled()).toBe(true));
  await page.getByLabel('Message').pressSequentially(text);
  await page.getByLabel('Message').press('Enter');
}

export const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

interface DemoBrowser {
  /**
   * A separate browser context (its own storage, like another person's browser) signed in as `userId`, on a
   * desktop screen unless told otherwise, "as moderator" when asked.
   */
  signIn(
    userId: string,
    device?: typeof desktop | typeof phone,
    options?: { moderator?: boolean },
  ): Promise<Page>;
  /** Every console error and uncaught exception of the current test's pages, which tests expect to stay empty. */
  pageErrors: string[];
}

/** Starts Chromium before the file's tests and closes it after them; the demo is served by `t`'s gateway. */
export function useDemoBrowser(t: Target): DemoBrowser {
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    execFileSync('bash', ['scripts/ensure-chromium.sh'], { stdio: 'inherit' });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 300_000);

  beforeEach(() => {
    pageErrors.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    pageErrors,
    async signIn(userId, device = desktop, { moderator = false } = {}) {
      if (!browser) throw new Error('the browser starts in beforeAll');
      const context = await browser.newContext(device);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${userId}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error')
          pageErrors.push(`${userId}: console error ${message.text()} (${message.location().url})`);
      });
      await page.goto(`${t.httpUrl}/demo/`);
      await page.getByLabel('User id').fill(userId);
      if (moderator) await page.getByLabel('as moderator').check();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await eventually(async () => expect(await page.locator('#status').textContent()).toBe('open'));
      return page;
    },
  };
}
