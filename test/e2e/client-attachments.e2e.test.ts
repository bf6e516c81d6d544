/**
 * Files through the SDK against the running system: `send` with `attachments` uploads to the object store
 * (locally s3rver) and sends the message naming them, another member gets it and downloads the same bytes with
 * `attachmentBlob`, a store that fails a POST still ends in exactly one message, and an outsider is refused.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ChatApiError, type FileFetch, fetchFileTransport, type Message } from '../../client/src/index.ts';
import { type SdkDevice, sdkDevices } from '../support/sdk-devices.ts';
import { api, eventually, target } from '../support/target.ts';

const t = target();
const signIn = sdkDevices(t);

/** A PNG's signature, then bytes: the server checks a file's first bytes against its declared type. */
const pngBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(4_088)]);
const photo = () => new File([pngBytes], 'cat.png', { type: 'image/png' });

const until = (assertion: () => void, timeout = t.eventTimeoutMs) =>
  vi.waitFor(assertion, { timeout, interval: 20 });
const statusOf = (device: SdkDevice, clientMessageId: string) =>
  device.outgoing.filter((m) => m.clientMessageId === clientMessageId).at(-1)?.status;

/** The object store as seen through a flaky network: the first `failures` POSTs answer 503 without arriving. */
function flakyStore(failures: number) {
  const posts: number[] = [];
  const flaky: FileFetch = async (url, init) => {
    if (init.method !== 'POST') return fetch(url, init);
    const answer =
      posts.length < failures
        ? new Response('<Error><Code>SlowDown</Code></Error>', { status: 503 })
        : await fetch(url, init);
    posts.push(answer.status);
    return answer;
  };
  return { posts, transport: fetchFileTransport(flaky) };
}

describe('attachments through the SDK', () => {
  it('sends a PNG that another member receives and downloads byte for byte; an outsider is refused', async () => {
    const [aliceId, bobId, carolId] = await t.newUsers('alice', 'bob', 'carol');
    const [alice, bob, carol] = await Promise.all([signIn(aliceId), signIn(bobId), signIn(carolId)]);
    const { conversationId } = await alice.client.startDirectConversation(bobId);
    const progress: number[] = [];

    const sending = alice.client.send(conversationId, 'the cat', {
      attachments: [photo()],
      onProgress: ({ loaded }) => progress.push(loaded),
    });
    expect(sending.uploads).toEqual([
      { fileName: 'cat.png', contentType: 'image/png', size: pngBytes.length, loaded: 0 },
    ]);
    await until(() => expect(bob.delivered).toHaveLength(1));
    const [received] = bob.delivered;
    expect(received).toMatchObject({
      body: 'the cat',
      clientMessageId: sending.clientMessageId,
      attachments: [{ fileName: 'cat.png', contentType: 'image/png', size: pngBytes.length }],
    });
    await until(() => expect(statusOf(alice, sending.clientMessageId)).toBe('sent'));
    expect(progress).toEqual([0, pngBytes.length]);

    const attachmentId = received?.attachments?.[0]?.attachmentId ?? '';
    const downloaded = await bob.client.attachmentBlob(conversationId, attachmentId);
    expect(new Uint8Array(await downloaded.arrayBuffer())).toEqual(pngBytes);
    const refusal = await carol.client.attachmentBlob(conversationId, attachmentId).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ChatApiError);
    expect(refusal).toMatchObject({ status: 403, code: 'not_member' });
  });

  it('a store failing POSTs ends in exactly one message: retried with backoff, then resumed by retry()', async () => {
    const [aliceId, bobId] = await t.newUsers('alice', 'bob');
    const store = flakyStore(3);
    const uploadRetry = { retries: 1, initialDelayMs: 50, maxDelayMs: 50 };
    const alice = await signIn(aliceId, { fileTransport: store.transport, uploadRetry });
    const bob = await signIn(bobId);
    const { conversationId } = await alice.client.startDirectConversation(bobId);

    // Two tries, both refused: the message fails, and says why.
    const sending = alice.client.send(conversationId, '', { attachments: [photo()] });
    await until(() => expect(statusOf(alice, sending.clientMessageId)).toBe('failed'));
    expect(store.posts).toEqual([503, 503]);
    expect(alice.outgoing.at(-1)?.error).toEqual({
      code: 'upload_failed',
      message: 'cat.png could not be uploaded: the object store answered 503',
    });

    // The retry posts to the same form: one more 503, tried again, then it arrives.
    alice.client.retry(sending.clientMessageId);
    await until(() => expect(statusOf(alice, sending.clientMessageId)).toBe('sent'));
    expect(store.posts).toHaveLength(4);
    expect(store.posts[3]).toBeLessThan(300);
    await until(() => expect(bob.delivered).toHaveLength(1));
    // Stored once delivered (the ack comes first): history has it a moment later.
    const stored: Message[] = await eventually(async () => {
      const history = await api(t, bobId, 'GET', `/conversations/${conversationId}/messages`);
      expect(history.body.items).toHaveLength(1);
      return history.body.items;
    });
    expect(stored[0]).toMatchObject({
      clientMessageId: sending.clientMessageId,
      body: '',
      attachments: [{ fileName: 'cat.png', size: pngBytes.length }],
    });
    const file = await bob.client.attachmentBlob(
      conversationId,
      stored[0]?.attachments?.[0]?.attachmentId ?? '',
    );
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(pngBytes);
  });
});
