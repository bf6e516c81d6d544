/**
 * The attachment claim on DynamoDB Local: one transaction for all of a send's attachments, each conditional on
 * being pending or claimed by that same send, so two messages never share one and a retry of a send claims again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentRecord } from '../../shared/domain/attachment-ports.ts';
import { AttachmentStore } from '../../shared/store/attachment-store.ts';
import { createTestTable } from '../support/dynamo.ts';

let store: AttachmentStore;
beforeAll(async () => {
  store = new AttachmentStore(await createTestTable());
});

let ids = 0;
async function pending(conversationId: string, uploaderId = 'alice'): Promise<string> {
  const attachmentId = `att-${++ids}`;
  const record: AttachmentRecord = {
    conversationId,
    attachmentId,
    uploaderId,
    fileName: 'a.png',
    contentType: 'image/png',
    declaredSize: 10,
    state: 'pending',
    createdAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
  };
  await store.create(record);
  return attachmentId;
}

const claim = (attachmentIds: string[], clientMessageId: string, uploaderId = 'alice') =>
  store.claim({ conversationId: 'c1', uploaderId, attachmentIds, clientMessageId });

describe('the attachment claim', () => {
  it('claims all or none, names the attachment taken, and lets the same send claim again', async () => {
    const [a, b] = [await pending('c1'), await pending('c1')];
    expect(await claim([a], 'send-1')).toEqual({ outcome: 'claimed' });
    expect(await claim([b, a], 'send-2')).toEqual({ outcome: 'taken', attachmentId: a });
    const [stillPending] = await store.getMany({ conversationId: 'c1', attachmentIds: [b] });
    expect(stillPending).toMatchObject({ state: 'pending' });
    expect(stillPending).not.toHaveProperty('claimedBy');
    expect(await claim([a], 'send-1')).toEqual({ outcome: 'claimed' });
  });

  it('lets one of many concurrent sends have an attachment', async () => {
    const a = await pending('c1');
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => claim([a], `racer-${i}`)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'claimed')).toHaveLength(1);
  });

  it("refuses another user's upload, and one of another conversation", async () => {
    const mine = await pending('c1', 'alice');
    expect(await claim([mine], 'send-x', 'bob')).toEqual({ outcome: 'taken', attachmentId: mine });
    const elsewhere = await pending('c2');
    expect(await claim([elsewhere], 'send-y')).toEqual({ outcome: 'taken', attachmentId: elsewhere });
    expect(await store.getMany({ conversationId: 'c1', attachmentIds: [elsewhere] })).toEqual([]);
  });
});

describe('after the claim', () => {
  it('a release gives back only what that send holds, pending with a new expiry', async () => {
    const a = await pending('c1');
    await claim([a], 'send-1');
    const expiresAt = Math.floor(Date.now() / 1000) + 3_600;
    await store.release({
      conversationId: 'c1',
      attachmentIds: [a],
      clientMessageId: 'send-other',
      expiresAt,
    });
    expect((await store.getMany({ conversationId: 'c1', attachmentIds: [a] }))[0]).toMatchObject({
      state: 'attached',
      claimedBy: 'send-1',
    });
    await store.release({ conversationId: 'c1', attachmentIds: [a], clientMessageId: 'send-1', expiresAt });
    const [released] = await store.getMany({ conversationId: 'c1', attachmentIds: [a] });
    expect(released).toMatchObject({ state: 'pending', expiresAt });
    expect(released).not.toHaveProperty('claimedBy');
    expect(await claim([a], 'send-2')).toEqual({ outcome: 'claimed' });
  });

  it('a recorded preview is answered with the record; a record gone answers nothing', async () => {
    const a = await pending('c1');
    await claim([a], 'send-1');
    const preview = { width: 800, height: 1200 };
    expect(await store.recordPreview({ conversationId: 'c1', attachmentId: a, preview })).toMatchObject({
      state: 'attached',
      claimedBy: 'send-1',
      preview,
    });
    expect(
      await store.recordPreview({ conversationId: 'c1', attachmentId: 'att-none', preview }),
    ).toBeUndefined();
  });
});
