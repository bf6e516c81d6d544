/**
 * Unread mentions on DynamoDB Local: the stream consumer's marks are exact under redelivery (a stream record
 * delivered twice counts once), follow read positions, and go when the message is deleted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatContext } from '../../shared/domain/context.ts';
import { createConversation, listInbox } from '../../shared/domain/conversations.ts';
import { fanOut, type MessageChange } from '../../shared/domain/fan-out.ts';
import { deleteMessage, sendMessage } from '../../shared/domain/messaging.ts';
import type { Message } from '../../shared/domain/model.ts';
import { markRead } from '../../shared/domain/read-state.ts';
import { createTestChat } from '../support/chat-context.ts';

let ctx: ChatContext;
beforeAll(async () => {
  ctx = (await createTestChat({ settings: { directDeliveryMaxConnections: 0 } })).ctx;
});

/** The stream consumer's run for a change of the message; a redelivery is the same call again. */
const consume = (kind: MessageChange['kind'], message: Message) =>
  fanOut(ctx, [{ id: `${kind}-${message.seq}`, kind, message, membersVersion: 1 }]);

const unreadMentionsOf = async (userId: string, conversationId: string) =>
  (await listInbox(ctx, { userId, limit: 50 })).items.find(
    (item) => item.conversation.conversationId === conversationId,
  )?.unreadMentions;

describe('unread mentions', () => {
  it('count a redelivered message once, drop when read, and forget a deleted message', async () => {
    const { conversation } = await createConversation(ctx, {
      userId: 'ann',
      input: { type: 'group', name: 'Team', memberIds: ['ben', 'cat'] },
    });
    const { conversationId } = conversation;
    const send = async (clientMessageId: string, mentions?: string[]) =>
      (
        await sendMessage(ctx, {
          userId: 'ann',
          conversationId,
          clientMessageId,
          body: 'hey',
          ...(mentions ? { mentions } : {}),
        })
      ).message;

    const first = await send('m1', ['ben']);
    await consume('new', first);
    await consume('new', first);
    await consume('new', await send('m2'));
    const third = await send('m3', ['ben', 'cat']);
    await consume('new', third);
    await consume('new', third);
    expect(await unreadMentionsOf('ben', conversationId)).toBe(2);
    expect(await unreadMentionsOf('cat', conversationId)).toBe(1);
    expect(await unreadMentionsOf('ann', conversationId)).toBe(0);

    await markRead(ctx, { userId: 'ben', conversationId, seq: first.seq });
    expect(await unreadMentionsOf('ben', conversationId)).toBe(1);
    // A redelivery of the read one after the read does not bring it back.
    await consume('new', first);
    expect(await unreadMentionsOf('ben', conversationId)).toBe(1);

    await deleteMessage(ctx, { userId: 'ann', conversationId, messageId: third.messageId });
    await consume('deleted', { ...third, body: '', deletedAt: new Date().toISOString() });
    expect(await unreadMentionsOf('ben', conversationId)).toBe(0);
    expect(await unreadMentionsOf('cat', conversationId)).toBe(0);
  });
});
