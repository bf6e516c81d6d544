import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { desktop, eventually, phone, texts, useDemoBrowser, write } from '../support/demo-page.ts';
import { target } from '../support/target.ts';

// The demo is served by the local runtime's HTTP gateway, as on a laptop.
const t = target();
const { signIn, pageErrors } = useDemoBrowser(t);

/** Which of the two panes are shown: the conversation list, the open conversation, and the back control. */
const panes = async (page: Page) => ({
  list: await page.locator('.sidebar').isVisible(),
  conversation: await page.locator('.conversation').isVisible(),
  back: await page.getByRole('button', { name: 'Back to conversations' }).isVisible(),
});

/** The page and its scrolling panes that are wider than their box, which would scroll sideways. */
const scrollingSideways = (page: Page) =>
  page.evaluate(() =>
    [
      document.documentElement,
      ...Array.from(document.querySelectorAll('.messages, .conversations, .sidebar')),
    ]
      .filter((element) => element.scrollWidth > element.clientWidth)
      .map((element) => element.className || element.tagName),
  );

/** Whether the composer lies entirely within the window, not below its bottom edge or beside it. */
const composerOnScreen = (page: Page) =>
  page.evaluate(() => {
    const box = document.getElementById('composer')?.getBoundingClientRect();
    return (
      box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth
    );
  });

describe.runIf(t.isLocal)('the demo page in Chromium', () => {
  it('lets two people chat: messages, typing, presence, unread badges and read marks', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const [alicePage, bobPage] = await Promise.all([signIn(alice), signIn(bob)]);
    const bobsInboxEntry = bobPage.locator('.conversation-item', { hasText: alice });
    // Side by side, with no back control.
    expect(await panes(alicePage)).toEqual({ list: true, conversation: true, back: false });

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

    expect(await panes(alicePage)).toEqual({ list: true, conversation: true, back: false });
    expect(await scrollingSideways(alicePage)).toEqual([]);

    await mkdir('test-results', { recursive: true });
    await alicePage.screenshot({ path: 'test-results/demo-desktop.png' });
    expect(pageErrors).toEqual([]);
  });

  it('works on a 375 × 700 phone: the list, then the conversation (read, type, send), then back', async () => {
    const [erin, frank] = await t.newUsers('erin', 'frank');
    const [erinPage, frankPage] = await Promise.all([signIn(erin), signIn(frank, phone)]);
    const franksEntry = frankPage.locator('.conversation-item', { hasText: erin });
    await mkdir('test-results', { recursive: true });

    // The list alone, the whole width of the screen.
    expect(await panes(frankPage)).toEqual({ list: true, conversation: false, back: false });
    expect((await frankPage.locator('.sidebar').boundingBox())?.width).toBe(375);

    await erinPage.getByLabel('Members').fill(frank);
    await erinPage.getByRole('button', { name: 'Start conversation' }).click();
    const longLink = `https://example.com/${'a-long-path-segment-'.repeat(8)}end`;
    await write(erinPage, 'Hi Frank!');
    await write(erinPage, `The notes: ${longLink}`);
    await eventually(async () => expect(await franksEntry.locator('.badge').textContent()).toBe('2'));
    expect(await scrollingSideways(frankPage)).toEqual([]);

    // Opening a conversation swaps the list for it; the messages are there to read, the composer on screen.
    await franksEntry.tap();
    await eventually(async () =>
      expect(await texts(frankPage, '.message .body')).toEqual(['Hi Frank!', `The notes: ${longLink}`]),
    );
    expect(await panes(frankPage)).toEqual({ list: false, conversation: true, back: true });
    expect(await frankPage.locator('.message').last().isVisible()).toBe(true);
    expect(await composerOnScreen(frankPage)).toBe(true);

    await frankPage.getByLabel('Message').tap();
    await frankPage.getByLabel('Message').pressSequentially('On my phone');
    await eventually(async () =>
      expect(await erinPage.locator('#typing').textContent()).toBe(`${frank} is typing…`),
    );
    await frankPage.getByLabel('Message').press('Enter');
    await eventually(async () =>
      expect(await texts(erinPage, '.message:not(.mine) .body')).toEqual(['On my phone']),
    );
    // Erin has the conversation open, so she reads it as it arrives.
    await eventually(async () => expect(await texts(frankPage, '.message.mine .state')).toEqual(['Read']));
    expect(await composerOnScreen(frankPage)).toBe(true);
    expect(await scrollingSideways(frankPage)).toEqual([]);
    await frankPage.screenshot({ path: 'test-results/demo-phone-conversation.png' });

    // Back: the list again, with the conversation closed, so what arrives now is unread.
    await frankPage.getByRole('button', { name: 'Back to conversations' }).tap();
    expect(await panes(frankPage)).toEqual({ list: true, conversation: false, back: false });
    expect(await franksEntry.getAttribute('aria-current')).toBe('false');
    expect(await franksEntry.locator('.preview').textContent()).toBe('On my phone');
    await write(erinPage, 'Got it');
    await eventually(async () => expect(await franksEntry.locator('.badge').textContent()).toBe('1'));
    expect(await franksEntry.locator('.preview').textContent()).toBe('Got it');
    expect(await scrollingSideways(frankPage)).toEqual([]);
    await frankPage.screenshot({ path: 'test-results/demo-phone-list.png' });
    expect(pageErrors).toEqual([]);
  });

  it("shows a new conversation's creator as online in the receiver's list, without a reload", async () => {
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
    // Carol only opened it: Dave's presence is not hers to see until he reads or writes in it.
    const carolsEntry = carolPage.locator('.conversation-item', { hasText: dave });
    await eventually(async () => expect(await carolsEntry.count()).toBe(1));
    expect(await carolsEntry.locator('.presence').getAttribute('class')).toBe('presence');
    expect(pageErrors).toEqual([]);
  });

  it('reports a message; the moderator view lists it, and Remove shows it removed on the members’ pages', async () => {
    const [ann, ben, moderator] = await t.newUsers('ann', 'ben', 'moderator');
    const [annPage, benPage, moderatorPage] = await Promise.all([
      signIn(ann),
      signIn(ben),
      signIn(moderator, desktop, { moderator: true }),
    ]);
    await benPage.getByLabel('Members').fill(ann);
    await benPage.getByRole('button', { name: 'Start conversation' }).click();
    // The moderator view lists every open report of the run: this one is told apart by its text.
    const spam = `Buy cheap watches from ${ben}`;
    await write(benPage, spam);
    await annPage.locator('.conversation-item', { hasText: ben }).click();

    const message = annPage.locator('.message', { hasText: spam });
    await message.getByRole('button', { name: 'Report' }).click();
    // A message arriving while the picker is open redraws the timeline; the picker stays.
    await write(benPage, 'Are you there?');
    await eventually(async () =>
      expect(await annPage.locator('.message', { hasText: 'Are you there?' }).count()).toBe(1),
    );
    await message.getByLabel('Reason').selectOption('spam', { timeout: 5_000 });
    await message.getByRole('button', { name: 'Send report' }).click();
    await eventually(async () => expect(await message.locator('.state').textContent()).toBe('Reported'));
    // Ben's own message has no Report action, and only the moderator has the moderator view.
    expect(await benPage.locator('.message .report').count()).toBe(0);
    expect(await annPage.locator('#moderation').isVisible()).toBe(false);

    const listed = moderatorPage.locator('.report-item', { hasText: spam });
    await eventually(async () => expect(await listed.count()).toBe(1));
    expect(await listed.locator('.report-meta').textContent()).toBe(`${ben} · spam`);
    expect(await listed.locator('.badge').textContent()).toBe('1');
    await mkdir('test-results', { recursive: true });
    await moderatorPage.screenshot({ path: 'test-results/demo-moderation.png' });

    await listed.getByRole('button', { name: 'Remove message' }).click();
    await eventually(async () => expect(await listed.count()).toBe(0));
    for (const page of [annPage, benPage]) {
      await eventually(async () =>
        expect(await texts(page, '.message .body')).toEqual(['Removed by a moderator', 'Are you there?']),
      );
    }
    const removed = annPage.locator('.message', { hasText: 'Removed by a moderator' });
    expect(await removed.locator('.report').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    // Three pages at once: slower than the others on a loaded machine.
  }, 60_000);

  it('suspends a reported sender from the moderator view: their page says suspended', async () => {
    const [cleo, dan, moderator] = await t.newUsers('cleo', 'dan', 'moderator');
    const [cleoPage, danPage, moderatorPage] = await Promise.all([
      signIn(cleo),
      signIn(dan),
      signIn(moderator, desktop, { moderator: true }),
    ]);
    await danPage.getByLabel('Members').fill(cleo);
    await danPage.getByRole('button', { name: 'Start conversation' }).click();
    await write(danPage, 'You will regret this');
    await cleoPage.locator('.conversation-item', { hasText: dan }).click();
    const message = cleoPage.locator('.message', { hasText: 'You will regret this' });
    await message.getByRole('button', { name: 'Report' }).click();
    await message.getByLabel('Reason').selectOption('abuse');
    await message.getByRole('button', { name: 'Send report' }).click();

    const listed = moderatorPage.locator('.report-item', { hasText: 'You will regret this' });
    await eventually(async () => expect(await listed.count()).toBe(1));
    moderatorPage.once('dialog', (dialog) => void dialog.accept('threats'));
    await listed.getByRole('button', { name: 'Suspend sender' }).click();

    await eventually(async () => expect(await danPage.locator('#status').textContent()).toBe('suspended'));
    await eventually(async () => expect(await listed.count()).toBe(0));
    // Only the sender is suspended; the message stays until a moderator removes it.
    expect(await cleoPage.locator('#status').textContent()).toBe('open');
    expect(await texts(cleoPage, '.message .body')).toEqual(['You will regret this']);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
