/**
 * Attachments end to end, through the public protocol: an upload form from `POST .../attachments`, the file
 * posted straight to the object store (a real multipart POST; locally to s3rver), a send naming it, and a member
 * downloading the same bytes through the 302. Every refusal a send makes of a stored object is tested whether or
 * not the store enforced the form's policy (s3rver does not; S3 does, and then refuses the upload itself).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { api, socketPool, target } from '../support/target.ts';
import {
  downloadRedirect,
  type IssuedUpload,
  issueUpload,
  postUpload,
  type UploadFile,
  uploadFile,
} from '../support/uploads.ts';

const t = target();
const { open, closeAll } = socketPool(t);
afterAll(closeAll);

/** A PNG's signature, then bytes: what a send checks is the file's opening, as a server can. */
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = Buffer.concat([pngSignature, randomBytes(1_992)]);
const newClientId = () => `c-${Math.random().toString(36).slice(2)}`;

async function group(creator: string, memberIds: string[]) {
  const answer = await api(t, creator, 'POST', '/conversations', { type: 'group', name: 'Files', memberIds });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.conversationId as string;
}

type Issued = IssuedUpload;

const issue = (userId: string, conversationId: string, file: UploadFile) =>
  issueUpload(t, userId, conversationId, file);
const upload = postUpload;
const uploaded = (userId: string, conversationId: string, bytes = png, contentType = 'image/png') =>
  uploadFile(t, userId, conversationId, bytes, { contentType });

function send(userId: string, conversationId: string, attachmentIds: string[], extra: object = {}) {
  return api(t, userId, 'POST', `/conversations/${conversationId}/messages`, {
    clientMessageId: newClientId(),
    body: '',
    attachmentIds,
    ...extra,
  });
}

const download = (userId: string, conversationId: string, attachmentId: string) =>
  downloadRedirect(t, userId, { conversationId, attachmentId });

/** A send the server refused, with the code and a message naming the attachment. */
function expectRefused(
  answer: { status: number; body: { error?: { code: string; message: string } } },
  why: RegExp,
) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.error?.code).toBe('validation_failed');
  expect(answer.body.error?.message).toMatch(why);
}

describe('attachments', () => {
  it('upload, send, and another member downloads the same bytes through a 302; an outsider is refused', async () => {
    const [alice, bob, carol] = await t.newUsers('alice', 'bob', 'carol');
    const conversationId = await group(alice, [bob]);
    const bobSocket = await open(bob);
    const issuedAnswer = await issue(alice, conversationId, {
      fileName: '../../etc/\u202Egnp.exe"; x.png',
      size: png.length,
    });
    expect(issuedAnswer).toMatchObject({
      status: 201,
      body: {
        attachmentId: expect.any(String),
        upload: { url: expect.any(String), fields: expect.objectContaining({ 'Content-Type': 'image/png' }) },
        expiresAt: expect.any(String),
      },
    });
    const issued = issuedAnswer.body as Issued;
    expect((await upload(issued, png)).status).toBeLessThan(300);

    const sent = await send(alice, conversationId, [issued.attachmentId], { body: 'the photo' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const shown = {
      attachmentId: issued.attachmentId,
      fileName: '_gnp.exe_; x.png',
      contentType: 'image/png',
      size: png.length,
      hasThumbnail: false,
    };
    expect(sent.body.attachments).toEqual([shown]);
    const delivered = await bobSocket.waitFor((e) => e.type === 'message.new');
    expect((delivered.message as { attachments: unknown }).attachments).toEqual([shown]);

    const redirect = await download(bob, conversationId, issued.attachmentId);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const file = await fetch(redirect.headers.get('location') ?? '');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('content-disposition')).toBe(
      `inline; filename="_gnp.exe_; x.png"; filename*=UTF-8''${encodeURIComponent('_gnp.exe_; x.png')}`,
    );
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);

    const outsider = await download(carol, conversationId, issued.attachmentId);
    expect(outsider.status).toBe(403);
    expect(((await outsider.json()) as { error: { code: string } }).error.code).toBe('not_member');
    expect((await issue(carol, conversationId, { size: 10 })).status).toBe(403);
  });

  it('serves anything but an image as a download, under its sanitised name', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const pdf = Buffer.from('%PDF-1.4 not really');
    const answer = await issue(alice, conversationId, {
      fileName: 'Q3 report (final).pdf',
      contentType: 'application/pdf',
      size: pdf.length,
    });
    expect((await upload(answer.body, pdf)).status).toBeLessThan(300);
    expect((await send(alice, conversationId, [answer.body.attachmentId])).status).toBe(201);
    const file = await fetch(
      (await download(bob, conversationId, answer.body.attachmentId)).headers.get('location') ?? '',
    );
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="Q3 report (final).pdf"; filename*=UTF-8''Q3%20report%20%28final%29.pdf`,
    );
  });

  it('refuses types that could run as a page, and sizes over the limit, when the upload is issued', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    for (const contentType of [
      'text/html',
      'image/svg+xml',
      'application/javascript',
      'text/html; charset=utf-8',
    ]) {
      const answer = await issue(alice, conversationId, { contentType, size: 100 });
      expectRefused(answer, /^contentType: .* is not allowed; allowed: image\/jpeg/);
    }
    expectRefused(
      await issue(alice, conversationId, { size: 25 * 1024 * 1024 + 1 }),
      /^size: must be at most 26214400 bytes/,
    );
    expect((await issue(alice, conversationId, { size: 25 * 1024 * 1024 })).status).toBe(201);
  });

  it('refuses a send whose stored object is larger than declared or of another type, whatever the store let in', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);

    const small = await issue(alice, conversationId, { size: 100 });
    const oversize = await upload(small.body, randomBytes(500));
    // The local runtime's s3rver ignores a POST's policy (the README says so); S3 enforces it.
    if (t.isLocal) expect(oversize.ok).toBe(true);
    if (oversize.ok)
      expectRefused(
        await send(alice, conversationId, [small.body.attachmentId]),
        /is 500 bytes, more than the 100 declared/,
      );
    else expect(oversize.status).toBe(400); // S3 enforces content-length-range

    const typed = await issue(alice, conversationId, { size: 100 });
    const html = await upload(typed.body, Buffer.from('<script>alert(1)</script>'), {
      'Content-Type': 'text/html',
    });
    if (t.isLocal) expect(html.ok).toBe(true);
    if (html.ok)
      expectRefused(
        await send(alice, conversationId, [typed.body.attachmentId]),
        /was stored as text\/html, not the declared image\/png/,
      );
    else expect(html.status).toBe(403); // S3 enforces the policy's Content-Type condition

    // Stored with the declared type, but the bytes are a page: the file itself says what it is.
    const disguised = await issue(alice, conversationId, { size: 100 });
    expect((await upload(disguised.body, Buffer.from('<!doctype html><script>alert(1)</script>'))).ok).toBe(
      true,
    );
    expectRefused(
      await send(alice, conversationId, [disguised.body.attachmentId]),
      /does not hold image\/png: its first bytes are of another kind/,
    );

    const never = await issue(alice, conversationId, { size: 100 });
    expectRefused(await send(alice, conversationId, [never.body.attachmentId]), /has not been uploaded/);
    expect((await download(alice, conversationId, never.body.attachmentId)).status).toBe(404);
  });

  it('an attachment belongs to one message of its uploader in its conversation; a retry of that send still gets it', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const otherConversation = await group(alice, [bob]);
    const issued = await uploaded(alice, conversationId);

    expectRefused(
      await send(bob, conversationId, [issued.attachmentId]),
      /is not an upload of yours to this conversation/,
    );
    expectRefused(
      await send(alice, otherConversation, [issued.attachmentId]),
      /is not an upload of yours to this conversation/,
    );
    // Not attached yet: only its uploader may fetch it.
    expect((await download(bob, conversationId, issued.attachmentId)).status).toBe(404);
    expect((await download(alice, conversationId, issued.attachmentId)).status).toBe(302);

    const clientMessageId = newClientId();
    const first = await send(alice, conversationId, [issued.attachmentId], { clientMessageId });
    expect(first.status).toBe(201);
    const retry = await send(alice, conversationId, [issued.attachmentId], { clientMessageId });
    expect(retry).toMatchObject({ status: 200, body: { messageId: first.body.messageId } });
    expectRefused(
      await send(alice, conversationId, [issued.attachmentId]),
      /is attached to another message already/,
    );

    // Two sends racing for one upload: exactly one gets it.
    const contested = await uploaded(alice, conversationId);
    const race = await Promise.all([1, 2].map(() => send(alice, conversationId, [contested.attachmentId])));
    expect(race.map((answer) => answer.status).sort()).toEqual([201, 400]);
  });

  it('a message of attachments only; empty without any is refused; at most 10', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    expectRefused(await send(alice, conversationId, []), /^body: must not be empty/);
    const ids = Array.from({ length: 11 }, (_, i) => `a${i}`);
    expectRefused(await send(alice, conversationId, ids), /^attachmentIds: at most 10 attachments/);

    const socket = await open(alice);
    const issued = await uploaded(alice, conversationId);
    const clientMessageId = newClientId();
    socket.send({
      action: 'sendMessage',
      conversationId,
      clientMessageId,
      body: '  ',
      attachmentIds: [issued.attachmentId],
    });
    const ack = await socket.waitFor((e) => e.clientMessageId === clientMessageId);
    expect(ack).toMatchObject({
      type: 'message.ack',
      message: { body: '', attachments: [{ attachmentId: issued.attachmentId }] },
    });
  });

  it('a send refused after it claimed its attachment (the other blocked the sender) gives it back', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const direct = await api(t, alice, 'POST', '/conversations', { type: 'direct', memberIds: [bob] });
    const conversationId = direct.body.conversationId as string;
    expect((await api(t, bob, 'PUT', `/blocks/${alice}`)).status).toBe(204);
    const issued = await uploaded(alice, conversationId);
    const refusedSend = await send(alice, conversationId, [issued.attachmentId]);
    expect(refusedSend.status, JSON.stringify(refusedSend.body)).toBe(403);
    expect((await api(t, bob, 'DELETE', `/blocks/${alice}`)).status).toBe(204);
    const sent = await send(alice, conversationId, [issued.attachmentId]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  });

  it('deleting the message deletes its attachments', async () => {
    const [alice, bob] = await t.newUsers('alice', 'bob');
    const conversationId = await group(alice, [bob]);
    const issued = await uploaded(alice, conversationId);
    const sent = await send(alice, conversationId, [issued.attachmentId]);
    const link = (await download(bob, conversationId, issued.attachmentId)).headers.get('location') ?? '';
    expect(
      (await api(t, alice, 'DELETE', `/conversations/${conversationId}/messages/${sent.body.messageId}`))
        .status,
    ).toBe(204);
    expect((await download(bob, conversationId, issued.attachmentId)).status).toBe(404);
    // 403 from S3 (the signer may not list the bucket), 404 from s3rver: either way the file is gone.
    expect([403, 404]).toContain((await fetch(link)).status);
    const history = await api(t, bob, 'GET', `/conversations/${conversationId}/messages`);
    expect(history.body.items[0]).not.toHaveProperty('attachments');
  });
});
