/**
 * Many people sending into one conversation at the same moment, through the SDK: each send is acked, and every
 * device sees every message once and in seq order, though the sends deliver their messages themselves, in
 * parallel, so they can reach a device out of order.
 */
import { describe, expect, it, vi } from 'vitest';
import { sdkDevices } from '../support/sdk-devices.ts';
import { target } from '../support/target.ts';

const t = target();
const signIn = sdkDevices(t);

describe('concurrent senders in one conversation', () => {
  it('acks every send, and every device sees each message once, in seq order', async () => {
    const names = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'] as const;
    const users = await t.newUsers(...names);
    const devices = await Promise.all(users.map((userId) => signIn(userId)));
    const [owner, ...others] = devices;
    if (!owner) throw new Error('no owner');
    const { conversationId } = await owner.client.startGroupConversation(
      'busy',
      others.map((d) => d.userId),
    );
    const perSender = 5;

    for (let round = 0; round < perSender; round++)
      for (const device of devices) device.client.send(conversationId, `${device.userId} #${round}`);

    const total = devices.length * perSender;
    const seen = (device: (typeof devices)[number]) =>
      device.delivered.filter((m) => m.conversationId === conversationId);
    await vi.waitFor(
      () => {
        for (const device of devices) expect(seen(device)).toHaveLength(total);
      },
      { timeout: 20_000, interval: 50 },
    );
    for (const device of devices) {
      const seqs = seen(device).map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seen(device).map((m) => m.messageId)).size).toBe(total);
      expect(device.outgoing.filter((o) => o.status === 'failed')).toEqual([]);
    }
    expect(seen(owner).map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});
