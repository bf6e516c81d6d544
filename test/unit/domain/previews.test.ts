/**
 * The preview use case against in-memory ports, for the orders of events a real bucket and a real send can
 * produce: the upload before or after the message, a claim landing while the preview is made, a retry.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  attachmentKey,
  type PreviewRenderer,
  thumbnailKey,
} from '../../../shared/domain/attachment-ports.ts';
import { createUpload } from '../../../shared/domain/attachments.ts';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { sendMessage } from '../../../shared/domain/messaging.ts';
import { MessageNotYetStored, makePreview, uploadOfKey } from '../../../shared/domain/previews.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

const pngBytes = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2);

/** Renders every image as 2 bytes of 640 × 480, counting its calls; `during` runs while it renders. */
function countingRenderer(during: () => Promise<void> = async () => {}) {
  const renderer: PreviewRenderer & { calls: number } = {
    calls: 0,
    async render() {
      renderer.calls++;
      await during();
      return { bytes: Uint8Array.of(1, 2), contentType: 'image/webp', original: { width: 640, height: 480 } };
    },
  };
  return renderer;
}

async function upload(bytes = pngBytes, contentType = 'image/png') {
  const chat = inMemoryChat();
  const { conversation } = await createConversation(chat.ctx, {
    userId: 'alice',
    input: { type: 'group', name: 'Team', memberIds: ['bob'] },
  });
  const { conversationId } = conversation;
  const { attachmentId } = await createUpload(chat.ctx, {
    userId: 'alice',
    conversationId,
    fileName: 'a.png',
    contentType,
    size: bytes.length,
  });
  chat.attachmentObjects.put(attachmentKey(conversationId, attachmentId), {
    size: bytes.length,
    contentType,
    leadingBytes: bytes,
  });
  const send = (clientMessageId = 'c1') =>
    sendMessage(chat.ctx, {
      userId: 'alice',
      conversationId,
      clientMessageId,
      body: '',
      attachmentIds: [attachmentId],
    });
  return { chat, upload: { conversationId, attachmentId }, send };
}

describe('makePreview', () => {
  it('reads only keys of uploads', () => {
    expect(uploadOfKey('attachments/c1/a1')).toEqual({ conversationId: 'c1', attachmentId: 'a1' });
    expect(uploadOfKey('thumbnails/c1/a1')).toBeUndefined();
    expect(uploadOfKey('attachments/c1/a1/x')).toBeUndefined();
  });

  it('an upload no message names yet: stored untagged, recorded, and shown by the send that names it later', async () => {
    const { chat, upload: target, send } = await upload();
    expect(await makePreview(chat.ctx, countingRenderer(), target)).toBe('ready');
    const key = thumbnailKey(target.conversationId, target.attachmentId);
    expect(chat.attachmentObjects.objects.get(key)?.contentType).toBe('image/webp');
    expect(chat.attachmentObjects.attached.has(key)).toBe(false);
    const sent = await send();
    expect(sent.message.attachments).toEqual([
      expect.objectContaining({ width: 640, height: 480, hasThumbnail: true }),
    ]);
    // The claim takes the preview out of the unattached-upload rule with its upload.
    expect(chat.attachmentObjects.attached.has(key)).toBe(true);
  });

  it('a message sent first gets the preview; a retry renders nothing again and changes nothing', async () => {
    const { chat, upload: target, send } = await upload();
    const sent = await send();
    expect(sent.message.attachments?.[0]?.hasThumbnail).toBe(false);
    const renderer = countingRenderer();
    expect(await makePreview(chat.ctx, renderer, target)).toBe('shown');
    expect(await makePreview(chat.ctx, renderer, target)).toBe('shown');
    expect(renderer.calls).toBe(1);
    const stored = await chat.ctx.messages.get({
      conversationId: target.conversationId,
      seq: sent.message.seq,
    });
    expect(stored?.attachments?.[0]).toMatchObject({ width: 640, height: 480, hasThumbnail: true });
    expect(
      chat.attachmentObjects.attached.has(thumbnailKey(target.conversationId, target.attachmentId)),
    ).toBe(true);
  });

  it('a claim landing while the preview is made: the preview is tagged attached all the same', async () => {
    const { chat, upload: target, send } = await upload();
    const renderer = countingRenderer(async () => {
      await send();
    });
    expect(await makePreview(chat.ctx, renderer, target)).toBe('shown');
    expect(
      chat.attachmentObjects.attached.has(thumbnailKey(target.conversationId, target.attachmentId)),
    ).toBe(true);
  });

  it('a preview recorded between the send reading the upload and claiming it still reaches the message', async () => {
    const { chat, upload: target, send } = await upload();
    const claim = chat.attachments.claim.bind(chat.attachments);
    let outcome: string | undefined;
    vi.spyOn(chat.attachments, 'claim').mockImplementationOnce(async (options) => {
      // The upload is still pending: the function leaves the message to the send.
      outcome = await makePreview(chat.ctx, countingRenderer(), target);
      return claim(options);
    });
    const sent = await send();
    expect(outcome).toBe('ready');
    expect(sent.message.attachments).toEqual([
      expect.objectContaining({ width: 640, height: 480, hasThumbnail: true }),
    ]);
  });

  it('a claimed upload whose message is not stored yet fails the invocation, to be retried', async () => {
    const { chat, upload: target } = await upload();
    await chat.ctx.attachments.claim({
      conversationId: target.conversationId,
      uploaderId: 'alice',
      attachmentIds: [target.attachmentId],
      clientMessageId: 'c-in-flight',
    });
    await expect(makePreview(chat.ctx, countingRenderer(), target)).rejects.toBeInstanceOf(
      MessageNotYetStored,
    );
  });

  it('a type it does not render is not even read', async () => {
    const { chat, upload: target } = await upload(new TextEncoder().encode('%PDF-1.7\n'), 'application/pdf');
    const read = vi.spyOn(chat.attachmentObjects, 'read');
    const renderer = countingRenderer();
    expect(await makePreview(chat.ctx, renderer, target)).toBe('no-preview');
    expect(read).not.toHaveBeenCalled();
  });

  it('bytes that are not the declared type get no preview, and nothing is rendered', async () => {
    const { chat, upload: target } = await upload(new TextEncoder().encode('<html>not a png</html>'));
    const renderer = countingRenderer();
    expect(await makePreview(chat.ctx, renderer, target)).toBe('no-preview');
    expect(renderer.calls).toBe(0);
    expect(await makePreview(chat.ctx, renderer, { ...target, attachmentId: 'unknown' })).toBe('unknown');
  });
});
