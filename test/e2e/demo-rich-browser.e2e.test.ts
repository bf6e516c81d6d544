/**
 * Rich messages on the demo page in Chromium, two people in two browser contexts: a picture attached in the
 * composer, reactions counted live, a reply with its quote, and mentions picked from the members.
 */
import { mkdir, readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { eventually, texts, useDemoBrowser, write } from '../support/demo-page.ts';
import { api, target } from '../support/target.ts';

const t = target();
const { signIn, pageErrors } = useDemoBrowser(t);

/** The message whose own text (not a quote of it) is `body`. */
const messageSaying = (page: Page, body: string) =>
  page.locator('.message').filter({ has: page.locator('.body', { hasText: new RegExp(`^${body}$`) }) });

interface StoredMessage {
  messageId: string;
  body: string;
  attachments?: { hasThumbnail: boolean }[];
}

const thumbsUp = (message: ReturnType<Page['locator']>) => message.locator('.reaction[data-emoji="👍"]');

describe.runIf(t.isLocal)('rich messages on the demo page in Chromium', () => {
  it('sends a picture and a file, reacts, replies and mentions: all of it reaches the other page live', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const [alicePage, bobPage] = await Promise.all([signIn(alice), signIn(bob)]);
    await alicePage.getByLabel('Members').fill(bob);
    await alicePage.getByRole('button', { name: 'Start conversation' }).click();

    // 📎 a picture and a text file; the upload to the object store is held a moment, to see its progress.
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } })
      .png()
      .toBuffer();
    const notes = 'Meeting notes: bring the slides\n';
    let releaseUploads = () => {};
    const uploadsHeld = new Promise<void>((resolve) => {
      releaseUploads = resolve;
    });
    await alicePage.route(
      (url) => !url.href.startsWith(t.httpUrl),
      async (route) => {
        if (route.request().method() === 'POST') await uploadsHeld;
        await route.continue();
      },
    );
    // Like the text input, 📎 works once the conversation is open (opening it empties the composer).
    await eventually(async () => expect(await alicePage.getByLabel('Attach files').isEnabled()).toBe(true));
    await alicePage.getByLabel('Attach files').setInputFiles([
      { name: 'square.png', mimeType: 'image/png', buffer: png },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(notes) },
    ]);
    expect(await texts(alicePage, '#picked-files .picked-file')).toEqual(['square.png', 'notes.txt']);
    await write(alicePage, 'A picture');
    const pending = alicePage.locator('.message.pending');
    await eventually(async () =>
      expect(await pending.locator('.state').textContent()).toMatch(/^Uploading \d+%$/),
    );
    expect(await pending.locator('.upload progress').count()).toBe(2);
    expect(await alicePage.locator('#picked-files').isVisible()).toBe(false);
    releaseUploads();
    const conversationId = await alicePage
      .locator('.conversation-item[aria-current="true"]')
      .getAttribute('data-conversation-id');
    /** The message saying `body` as the server has it now. */
    const stored = async (body: string) => {
      const history = await api(t, alice, 'GET', `/conversations/${conversationId}/messages`);
      return (history.body.items as StoredMessage[]).find((message) => message.body === body);
    };

    await bobPage.locator('.conversation-item', { hasText: alice }).click();
    const image = messageSaying(bobPage, 'A picture').locator('img.attachment-image');
    const shownWidth = () => image.evaluate((element: HTMLImageElement) => element.naturalWidth);
    await eventually(async () => expect(await shownWidth()).toBeGreaterThan(0));
    expect(await image.getAttribute('alt')).toBe('square.png');
    // The original until the message says its preview is made (hasThumbnail), then the preview (within
    // 320 × 320), sized as the original.
    await eventually(async () => expect(await shownWidth()).toBe(320), 15_000);
    expect([await image.getAttribute('width'), await image.getAttribute('height')]).toEqual(['640', '480']);
    expect((await stored('A picture'))?.attachments?.[0]?.hasThumbnail).toBe(true);
    const download = bobPage.waitForEvent('download');
    await messageSaying(bobPage, 'A picture')
      .getByRole('link', { name: /notes\.txt/ })
      .click();
    expect((await download).suggestedFilename()).toBe('notes.txt');
    expect(await readFile(await (await download).path(), 'utf8')).toBe(notes);

    // Bob's 👍 is counted on Alice's page, and shown pressed on his.
    await thumbsUp(messageSaying(bobPage, 'A picture')).click();
    await eventually(async () =>
      expect(await thumbsUp(messageSaying(alicePage, 'A picture')).locator('.count').textContent()).toBe('1'),
    );
    await eventually(async () =>
      expect(await thumbsUp(messageSaying(bobPage, 'A picture')).getAttribute('aria-pressed')).toBe('true'),
    );

    // A reply quotes the message on both pages.
    await messageSaying(bobPage, 'A picture').getByRole('button', { name: 'Reply' }).click();
    expect(await bobPage.locator('#replying-to .quote-preview').textContent()).toBe('A picture');
    await write(bobPage, 'Nice one');
    expect(await bobPage.locator('#replying-to').isVisible()).toBe(false);
    for (const page of [alicePage, bobPage]) {
      const quote = messageSaying(page, 'Nice one').locator('.quote');
      await eventually(async () => expect(await quote.locator('.quote-sender').textContent()).toBe(alice));
      expect(await quote.locator('.quote-preview').textContent()).toBe('A picture');
    }

    // A mention picked from the members' suggestions; markup in a message stays text.
    await alicePage.getByLabel('Message').pressSequentially(`Look <b>here</b>, @${bob.slice(0, 3)}`);
    await alicePage.getByRole('button', { name: `@${bob}` }).click();
    await alicePage.getByLabel('Message').press('Enter');
    const mentionOnBobsPage = bobPage.locator('.message', { hasText: 'Look' });
    await eventually(async () =>
      expect(await mentionOnBobsPage.locator('.body').textContent()).toBe(`Look <b>here</b>, @${bob}`),
    );
    expect(await mentionOnBobsPage.locator('.mention.me').textContent()).toBe(`@${bob}`);
    expect(await mentionOnBobsPage.locator('.body b').count()).toBe(0);
    const mentionOnAlicesPage = alicePage.locator('.message.mine', { hasText: 'Look' });
    expect(await mentionOnAlicesPage.locator('.mention:not(.me)').textContent()).toBe(`@${bob}`);

    await mkdir('test-results', { recursive: true });
    await bobPage.screenshot({ path: 'test-results/demo-rich.png' });

    // Taking the 👍 back clears the count on Alice's page.
    await thumbsUp(messageSaying(bobPage, 'A picture')).click();
    await eventually(async () =>
      expect(await thumbsUp(messageSaying(alicePage, 'A picture')).locator('.count').count()).toBe(0),
    );

    // Once the quoted message is deleted, the reply says so instead of keeping its text.
    const picture = await stored('A picture');
    const deleted = await api(
      t,
      alice,
      'DELETE',
      `/conversations/${conversationId}/messages/${picture?.messageId}`,
    );
    expect(deleted.status).toBe(204);
    await eventually(async () =>
      expect(await texts(bobPage, '.message .quote-preview')).toEqual(['deleted message']),
    );

    expect(pageErrors).toEqual([]);
  });
});
