/**
 * Image previews end to end: the upload's arrival (locally s3rver's notification, in AWS the bucket's) runs the
 * thumbnail function, which makes a WebP within 320 px of a real image. A message sent before it is ready gets
 * it as `message.updated`; one sent after shows it at once; files that are not images, or not the image they
 * claim to be, get none; outsiders get none; deleting the message deletes the preview.
 */
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { api, eventually, socketPool, target } from '../support/target.ts';
import { downloadRedirect, uploadFile } from '../support/uploads.ts';

const t = target();
const { open, closeAll } = socketPool(t);
afterAll(closeAll);

const newClientId = () => `c-${Math.random().toString(36).slice(2)}`;

/** A real photo-sized JPEG, its EXIF orientation 6 (shown turned a quarter): stored 1200 × 800, seen 800 × 1200. */
const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3a7' } })
  .jpeg()
  .withMetadata({ orientation: 6 })
  .toBuffer();
const smallPng = await sharp({ create: { width: 120, height: 90, channels: 4, background: '#f00a' } })
  .png()
  .toBuffer();

async function group(creator: string, memberIds: string[]) {
  const answer = await api(t, creator, 'POST', '/conversations', {
    type: 'group',
    name: 'Photos',
    memberIds,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.conversationId as string;
}

function send(userId: string, conversationId: string, attachmentIds: string[]) {
  return api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: newClientId(),
    body: '',
    attachmentIds,
  });
}

/** The preview's bytes as a member gets them (302, then the object store), once it is ready. */
async function previewOf(userId: string, conversationId: string, attachmentId: string) {
  const redirect = await eventually(async () => {
    const answer = await downloadRedirect(t, userId, { conversationId, attachmentId, variant: 'thumbnail' });
    expect(answer.status).toBe(302);
    return answer;
  }, 15_000);
  const file = await fetch(redirect.headers.get('location') ?? '');
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe('image/webp');
  expect(file.headers.get('content-disposition')).toMatch(/^inline; filename="photo\.webp"/);
  return sharp(Buffer.from(await file.arrayBuffer())).metadata();
}

describe('thumbnails', () => {
  it('a message sent while its preview is made gets it live (as message.updated when the send came first), with the upright size', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const bobSocket = await open(bob);
    const issued = await uploadFile(t, alice, conversationId, photo, {
      fileName: 'photo.jpg',
      contentType: 'image/jpeg',
    });
    const sent = await send(alice, conversationId, [issued.attachmentId]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);

    // The upload triggers the preview at once, so under load it can be made before the send reads the upload's
    // record: then message.new carries it (the preview-first case). Usually the send is first, and the preview
    // follows as message.updated. Either way Bob sees it live. (test/unit/domain/previews.test.ts runs every
    // ordering deterministically.)
    const isThisMessage = (e: { message?: unknown }) =>
      (e.message as { messageId?: string } | undefined)?.messageId === sent.body.messageId;
    const arrived = await bobSocket.waitFor((e) => e.type === 'message.new' && isThisMessage(e));
    const live = (arrived.message as { attachments: { hasThumbnail: boolean }[] }).attachments[0]
      ?.hasThumbnail
      ? arrived
      : await bobSocket.waitFor((e) => e.type === 'message.updated' && isThisMessage(e), 20_000);
    expect((live.message as { attachments: unknown }).attachments).toEqual([
      expect.objectContaining({
        attachmentId: issued.attachmentId,
        contentType: 'image/jpeg',
        width: 800,
        height: 1200,
        hasThumbnail: true,
      }),
    ]);
    const preview = await previewOf(bob, conversationId, issued.attachmentId);
    expect(preview).toMatchObject({ format: 'webp', width: 213, height: 320 });
    // The history shows it too, and the message changed only in its attachment.
    const history = await api(t, bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items[0]).toMatchObject({
      messageId: sent.body.messageId,
      body: '',
      attachments: [{ hasThumbnail: true, width: 800, height: 1200 }],
    });
    expect(history.body.items[0].editedAt).toBeUndefined();
  });

  it('a message sent once the preview is ready shows it at once; a small image is not enlarged', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const bobSocket = await open(bob);
    const issued = await uploadFile(t, alice, conversationId, smallPng);
    // The uploader may see the preview of an upload before any message names it.
    expect(await previewOf(alice, conversationId, issued.attachmentId)).toMatchObject({
      width: 120,
      height: 90,
    });
    expect((await downloadRedirect(t, bob, { ...issued, conversationId, variant: 'thumbnail' })).status).toBe(
      404,
    );

    const sent = await send(alice, conversationId, [issued.attachmentId]);
    expect(sent.body.attachments).toEqual([
      expect.objectContaining({ width: 120, height: 90, hasThumbnail: true }),
    ]);
    const delivered = await bobSocket.waitFor((e) => e.type === 'message.new');
    expect((delivered.message as { attachments: unknown }).attachments).toEqual(sent.body.attachments);
  });

  it('no preview for a file that is not an image, or not the image it claims to be; outsiders get none', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const conversationId = await group(alice, [bob]);
    const pdf = await uploadFile(t, alice, conversationId, Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), {
      fileName: 'notes.pdf',
      contentType: 'application/pdf',
    });
    // A PNG's signature, then bytes no decoder reads: the send takes it (its opening is a PNG's), no preview.
    const broken = await uploadFile(
      t,
      alice,
      conversationId,
      Buffer.concat([smallPng.subarray(0, 16), Buffer.alloc(400, 7)]),
    );
    const good = await uploadFile(t, alice, conversationId, smallPng);
    await previewOf(alice, conversationId, good.attachmentId);
    const sent = await send(alice, conversationId, [
      pdf.attachmentId,
      broken.attachmentId,
      good.attachmentId,
    ]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.attachments.map((entry: { hasThumbnail: boolean }) => entry.hasThumbnail)).toEqual([
      false,
      false,
      true,
    ]);
    for (const { attachmentId } of [pdf, broken]) {
      const answer = await downloadRedirect(t, bob, { conversationId, attachmentId, variant: 'thumbnail' });
      expect(answer.status).toBe(404);
    }
    const outsider = await downloadRedirect(t, carol, { ...good, conversationId, variant: 'thumbnail' });
    expect(outsider.status).toBe(403);
  });

  it('deleting the message deletes its preview', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const issued = await uploadFile(t, alice, conversationId, smallPng);
    await previewOf(alice, conversationId, issued.attachmentId);
    const sent = await send(alice, conversationId, [issued.attachmentId]);
    const link =
      (await downloadRedirect(t, bob, { ...issued, conversationId, variant: 'thumbnail' })).headers.get(
        'location',
      ) ?? '';
    expect((await fetch(link)).status).toBe(200);
    const deleted = await api(
      t,
      alice,
      'DELETE',
      `/conversations/${conversationId}/messages/${sent.body.messageId}`,
    );
    expect(deleted.status, JSON.stringify(deleted.body)).toBeLessThan(300);
    // The link signed before the deletion finds nothing now.
    expect((await fetch(link)).status).toBe(404);
    expect((await downloadRedirect(t, bob, { ...issued, conversationId, variant: 'thumbnail' })).status).toBe(
      404,
    );
  });
});
