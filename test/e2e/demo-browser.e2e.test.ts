import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { target } from '../support/target.ts';

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

// The demo is served by the local runtime's HTTP gateway, as on a laptop.
const t = target();
let browser: Browser | undefined;
/** Every console error and uncaught exception of every page, which the tests expect to stay empty. */
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

const eventually = (assertion: () => Promise<void>) =>
  vi.waitFor(assertion, { timeout: 10_000, interval: 100 });

/** A separate browser context (its own storage, like another person's browser) signed in as `userId`. */
async function signIn(userId: string): Promise<Page> {
  if (!browser) throw new Error('the browser starts in beforeAll');
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${userId}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error')
      pageErrors.push(`${userId}: console error ${message.text()} (${message.location().url})`);
  });
  await page.goto(`${t.httpUrl}/demo/`);
  await page.getByLabel('User id').fill(userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await eventually(async () => expect(await page.locator('#status').textContent()).toBe('open'));
  return page;
}

async function write(page: Page, text: string): Promise<void> {
  // The composer is disabled until a conversation is open; keys pressed before that would go nowhere.
  await eventually(async () => expect(await page.getByLabel('Message').isEnabled()).toBe(true));
  await page.getByLabel('Message').pressSequentially(text);
  await page.getByLabel('Message').press('Enter');
}

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

describe.runIf(t.isLocal)('the demo page in Chromium', () => {
  it('lets two people chat: messages, typing, presence, unread badges and read marks', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const [alicePage, bobPage] = await Promise.all([signIn(alice), signIn(bob)]);
    const bobsInboxEntry = bobPage.locator('.conversation-item', { hasText: alice });

    await alicePage.getByLabel('Members').fill(bob);
    await alicePage.getByRole('button', { name: 'Start conversation' }).click();
    await write(alicePage, 'Hi Bob!');
    await write(alicePage, 'Are you there?');

    await eventually(async () =>
      expect(await texts(alicePage, '.message.mine .body')).toEqual(['Hi Bob!', 'Are you there?']),
    );
    await eventually(async () => expect(await bobsInboxEntry.locator('.badge').textContent()).toBe('2'));
    expect(await bobsInboxEntry.locator('.preview').textContent()).toBe('Are you there?');

    await bobsInboxEntry.click();
    await eventually(async () =>
      expect(await texts(bobPage, '.message .body')).toEqual(['Hi Bob!', 'Are you there?']),
    );
    expect(await bobsInboxEntry.locator('.badge').count()).toBe(0);
    await eventually(async () =>
      expect(await texts(alicePage, '.message.mine .state')).toEqual(['Read', 'Read']),
    );
    await eventually(async () =>
      expect(await alicePage.locator('.conversation-title .member .presence.online').count()).toBe(1),
    );

    await bobPage.getByLabel('Message').pressSequentially('Yes, here');
    await eventually(async () =>
      expect(await alicePage.locator('#typing').textContent()).toBe(`${bob} is typing…`),
    );
    await bobPage.getByLabel('Message').press('Enter');
    await eventually(async () =>
      expect(await texts(alicePage, '.message:not(.mine) .body')).toEqual(['Yes, here']),
    );
    expect(await alicePage.locator('#typing').textContent()).toBe('');

    await mkdir('test-results', { recursive: true });
    await alicePage.screenshot({ path: 'test-results/demo.png' });
    expect(pageErrors).toEqual([]);
  });

  it("shows a new conversation's partner as online in the receiver's list, without a reload", async () => {
    const [carol, dave] = await t.newUsers('carol', 'dave');
    const [carolPage, davePage] = await Promise.all([signIn(carol), signIn(dave)]);

    await carolPage.getByLabel('Members').fill(dave);
    await carolPage.getByRole('button', { name: 'Start conversation' }).click();

    // Dave's list gains the conversation from its `conversation.updated` event; Carol was online all along,
    // so no `presence` event will come: the dot is right only if the page asked when the conversation appeared.
    const davesEntry = davePage.locator('.conversation-item', { hasText: carol });
    await eventually(async () => expect(await davesEntry.count()).toBe(1));
    await eventually(async () =>
      expect(await davesEntry.locator('.presence').getAttribute('class')).toBe('presence online'),
    );
    expect(await davesEntry.locator('.presence').getAttribute('title')).toBe(`${carol} is online`);
    const carolsEntry = carolPage.locator('.conversation-item', { hasText: dave });
    await eventually(async () =>
      expect(await carolsEntry.locator('.presence').getAttribute('class')).toBe('presence online'),
    );
    expect(pageErrors).toEqual([]);
  });
});
