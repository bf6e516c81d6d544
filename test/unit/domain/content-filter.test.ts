/** The content filter in the send and edit use cases: a refused text is never stored, delivered or counted. */
import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { editMessage, listMessages, sendMessage } from '../../../shared/domain/messaging.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';
import { refusal, seenByClient } from '../../support/refusal.ts';

const rejected = {
  code: 'content_rejected',
  status: 400,
  message: 'This message was refused by the content filter',
};

/** A group of alice and bob, bob online, with `spam` refused by the filter. */
async function filteredGroup() {
  const chat = inMemoryChat();
  chat.contentFilter.refusedWords.add('spam');
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  await chat.online('bob');
  const { conversationId } = conversation;
  const history = async () =>
    (await listMessages(chat.ctx, { userId: 'bob', conversationId, limit: 100, after: 0 })).items;
  return { chat, conversationId, history };
}

describe('the content filter on send', () => {
  it('refuses a listed text with content_rejected: nothing stored, delivered or acked, no seq taken', async () => {
    const { chat, conversationId, history } = await filteredGroup();
    const accepted: unknown[] = [];

    const error = await refusal(
      sendMessage(chat.ctx, {
        userId: 'alice',
        conversationId,
        clientMessageId: 'c1',
        body: 'buy spam',
        onAccepted: async (message) => {
          accepted.push(message);
        },
      }),
    );

    expect(seenByClient(error)).toEqual(rejected);
    expect(accepted).toEqual([]);
    expect(await history()).toEqual([]);
    expect(chat.notifier.deliveries.filter((d) => d.event.type === 'message.new')).toEqual([]);
    // No intent was recorded under its clientMessageId, and the next message is number 1.
    const next = await sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId: 'c1',
      body: 'hello',
    });
    expect(next).toMatchObject({ created: true, message: { seq: 1, body: 'hello' } });
  });

  it('reviews the trimmed body and lets every other text through', async () => {
    const { chat, conversationId, history } = await filteredGroup();
    await sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId: 'c1',
      body: '  hi bob ',
    });
    expect(chat.contentFilter.reviewed).toEqual(['hi bob']);
    expect((await history()).map((m) => m.body)).toEqual(['hi bob']);
  });

  it('answers a non-member not_member, not what the filter thinks of the text', async () => {
    const { chat, conversationId } = await filteredGroup();
    const error = await refusal(
      sendMessage(chat.ctx, { userId: 'mallory', conversationId, clientMessageId: 'c1', body: 'spam' }),
    );
    expect(error.code).toBe('not_member');
  });
});

describe('the content filter on edit', () => {
  it('refuses an edit to a listed text, and the message keeps its body', async () => {
    const { chat, conversationId, history } = await filteredGroup();
    const { message } = await sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId: 'c1',
      body: 'hello',
    });

    const error = await refusal(
      editMessage(chat.ctx, {
        userId: 'alice',
        conversationId,
        messageId: message.messageId,
        body: 'SPAM spam',
      }),
    );

    expect(seenByClient(error)).toEqual(rejected);
    const [stored] = await history();
    expect(stored).toMatchObject({ body: 'hello' });
    expect(stored?.editedAt).toBeUndefined();
  });
});
