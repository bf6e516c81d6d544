/** Which item changes make which domain event, read from stream records as the stores write the items. */
import { describe, expect, it } from 'vitest';
import { eventOf } from '../../../shared/domain/events.ts';
import { toItemChange } from '../../../shared/store/item-stream.ts';
import { itemRecord, messageItem, reportItem, suspensionItem } from '../../support/item-records.ts';

type Item = Record<string, unknown>;

const insert = (item: Item) => toItemChange(itemRecord('INSERT', { item }));
const modify = (previous: Item, item: Item) => toItemChange(itemRecord('MODIFY', { item, previous }));
const eventOfChange = (change: ReturnType<typeof toItemChange>) => (change ? eventOf(change) : undefined);

describe('domain events of item changes', () => {
  it('a new message is chat.message.created with its ids, text and time, and nothing of its delivery', () => {
    const event = eventOfChange(insert(messageItem()));
    expect(event).toEqual({
      type: 'chat.message.created',
      id: 'chat.message.created/conv-1/7-01JABCDEF',
      time: '2026-12-01T10:00:00.000Z',
      detail: {
        conversationId: 'conv-1',
        messageId: '7-01JABCDEF',
        seq: 7,
        senderId: 'alice',
        sentAt: '2026-12-01T10:00:00.000Z',
        body: 'hello',
      },
    });
    expect(JSON.stringify(event)).not.toContain('conn-alice-1');
  });

  it("a new message's mentions and attachments are part of its event when it has them", () => {
    const mentions = ['bob'];
    const attachments = [{ kind: 'image', url: 'https://example.com/a.png' }];
    expect(eventOfChange(insert(messageItem({ mentions, attachments })))?.detail).toMatchObject({
      mentions,
      attachments,
    });
  });

  it("a moderator's removal is chat.message.removed, once: a later change of the removed message is none", () => {
    const removed = messageItem({ body: '', deletedAt: '2026-12-01T10:03:00.000Z', removedBy: 'moderator' });
    expect(eventOfChange(modify(messageItem(), removed))).toEqual({
      type: 'chat.message.removed',
      id: 'chat.message.removed/conv-1/7-01JABCDEF',
      time: '2026-12-01T10:03:00.000Z',
      detail: {
        conversationId: 'conv-1',
        messageId: '7-01JABCDEF',
        seq: 7,
        senderId: 'alice',
        removedBy: 'moderator',
        at: '2026-12-01T10:03:00.000Z',
      },
    });
    expect(eventOfChange(modify(removed, { ...removed, editedAt: 'x' }))).toBeUndefined();
  });

  it("an edit and the author's own deletion make no event", () => {
    const edited = messageItem({ body: 'hello!', editedAt: '2026-12-01T10:01:00.000Z' });
    expect(eventOfChange(modify(messageItem(), edited))).toBeUndefined();
    const deleted = messageItem({ body: '', deletedAt: '2026-12-01T10:02:00.000Z' });
    expect(eventOfChange(modify(messageItem(), deleted))).toBeUndefined();
  });

  it('a new report group is chat.message.reported with its count and reasons, and no reporter', () => {
    const event = eventOfChange(insert({ ...reportItem(), reporters: new Set(['bob']), reporterId: 'bob' }));
    expect(event).toEqual({
      type: 'chat.message.reported',
      id: 'chat.message.reported/r-1/1',
      time: '2026-12-01T10:01:00.000Z',
      detail: {
        reportId: 'r-1',
        conversationId: 'conv-1',
        messageId: '7-01JABCDEF',
        reportedUserId: 'alice',
        reporterCount: 1,
        reasons: ['spam'],
        firstReportedAt: '2026-12-01T10:01:00.000Z',
      },
    });
    expect(JSON.stringify(event)).not.toContain('bob');
  });

  it('another report of the message is a new chat.message.reported; resolving the group is none', () => {
    const second = reportItem({ reporterCount: 2, reasons: new Set(['spam', 'abuse']) });
    expect(eventOfChange(modify(reportItem(), second))).toMatchObject({
      id: 'chat.message.reported/r-1/2',
      // When the stream recorded the second report.
      time: '2026-12-01T10:05:00.000Z',
      detail: { reporterCount: 2, reasons: ['abuse', 'spam'] },
    });
    expect(eventOfChange(modify(second, { ...second, status: 'resolved' }))).toBeUndefined();
  });

  it('a suspension is chat.user.suspended, and so is a new one replacing it; until is left out when none', () => {
    expect(eventOfChange(insert(suspensionItem()))).toEqual({
      type: 'chat.user.suspended',
      id: 'chat.user.suspended/alice/2026-12-01T10:02:00.000Z',
      time: '2026-12-01T10:02:00.000Z',
      detail: {
        userId: 'alice',
        until: '2026-12-08T10:00:00.000Z',
        reason: 'spam',
        at: '2026-12-01T10:02:00.000Z',
      },
    });
    const forGood = suspensionItem({ until: undefined, at: '2026-12-01T11:00:00.000Z' });
    const replaced = eventOfChange(modify(suspensionItem(), forGood));
    expect(replaced?.detail).toEqual({ userId: 'alice', reason: 'spam', at: '2026-12-01T11:00:00.000Z' });
    expect(eventOfChange(modify(forGood, { ...forGood, ttl: 1 }))).toBeUndefined();
  });

  it('a lifted suspension (the item removed) and other items make no event', () => {
    expect(toItemChange(itemRecord('REMOVE', { previous: suspensionItem() }))).toBeUndefined();
    expect(eventOfChange(insert({ entity: 'member', userId: 'bob' }))).toBeUndefined();
  });

  it('a redelivered change gives the same id, by which a consumer drops it', () => {
    const first = eventOfChange(insert(messageItem()));
    expect(eventOfChange(insert(messageItem()))?.id).toBe(first?.id);
  });
});
