import { describe, expect, it } from 'vitest';
import { attachmentKey } from '../../../shared/domain/attachment-ports.ts';
import { contentDisposition, sanitiseFileName } from '../../../shared/domain/attachment-rules.ts';
import { createUpload } from '../../../shared/domain/attachments.ts';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

describe('sanitiseFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['invoice\u202Efdp.exe', 'invoice_fdp.exe'],
    ['a"b<c>d|e?.txt', 'a_b_c_d_e_.txt'],
    ['...hidden', 'hidden'],
    ['  many   spaces .png ', 'many spaces .png'],
    ['\u0000\u0007', 'file'],
    ['', 'file'],
    ['e\u0301.txt', '\u00e9.txt'],
  ])('%j → %j', (raw, safe) => {
    expect(sanitiseFileName(raw)).toBe(safe);
  });

  it('cuts a long name to 200 characters and keeps its extension', () => {
    const safe = sanitiseFileName(`${'x'.repeat(300)}.jpeg`);
    expect([...safe]).toHaveLength(200);
    expect(safe.endsWith('x.jpeg')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('shows images inline and downloads everything else, with an ASCII name and the exact one', () => {
    expect(contentDisposition('photo.png', 'image/png')).toBe(
      `inline; filename="photo.png"; filename*=UTF-8''photo.png`,
    );
    expect(contentDisposition('résumé 100%.pdf', 'application/pdf')).toBe(
      `attachment; filename="r_sum_ 100_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20100%25.pdf`,
    );
    expect(contentDisposition('notes.txt', 'text/plain')).toMatch(/^attachment;/);
  });
});

async function group() {
  const chat = inMemoryChat();
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  const conversationId = conversation.conversationId;
  /** An upload by alice, stored as declared. */
  const uploaded = async () => {
    const { attachmentId } = await createUpload(chat.ctx, {
      userId: 'alice',
      conversationId,
      fileName: 'a.png',
      contentType: 'image/png',
      size: 10,
    });
    chat.attachmentObjects.put(attachmentKey(conversationId, attachmentId), {
      size: 10,
      contentType: 'image/png',
      leadingBytes: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0),
    });
    return attachmentId;
  };
  return { chat, conversationId, uploaded };
}

describe('sending with attachments', () => {
  it('a plain text send reads and writes no attachment', async () => {
    const { chat, conversationId } = await group();
    const calls: string[] = [];
    for (const method of ['getMany', 'claim'] as const) {
      const original = chat.attachments[method].bind(chat.attachments);
      chat.attachments[method] = (async (options: never) => {
        calls.push(method);
        return original(options);
      }) as never;
    }
    await sendMessage(chat.ctx, { userId: 'alice', conversationId, clientMessageId: 'c1', body: 'hi' });
    expect(calls).toEqual([]);
  });

  it('claims all or none: one taken attachment leaves the others pending, and takes no seq', async () => {
    const { chat, conversationId, uploaded } = await group();
    const [first, second] = [await uploaded(), await uploaded()];
    const sent = await sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId: 'c1',
      body: '',
      attachmentIds: [first],
    });
    expect(sent.message.seq).toBe(1);
    await expect(
      sendMessage(chat.ctx, {
        userId: 'alice',
        conversationId,
        clientMessageId: 'c2',
        body: '',
        attachmentIds: [second, first],
      }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      message: `attachmentIds: ${first} is attached to another message already`,
    });
    const [record] = await chat.attachments.getMany({ conversationId, attachmentIds: [second] });
    expect(record?.state).toBe('pending');
    const next = await sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId: 'c3',
      body: '',
      attachmentIds: [second],
    });
    expect(next.message.seq).toBe(2);
    expect(chat.attachmentObjects.attached).toEqual(
      new Set([attachmentKey(conversationId, first), attachmentKey(conversationId, second)]),
    );
  });
});
