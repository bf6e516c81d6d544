import { describe, expect, it } from 'vitest';
import { createConversation } from '../../../shared/domain/conversations.ts';
import { connect, disconnect } from '../../../shared/domain/presence.ts';
import { inMemoryChat } from '../../support/in-memory-ports.ts';

/** `tog` and a contact, `pal`, who is online to hear tog's presence changes. */
async function contacts(settings = {}) {
  const chat = inMemoryChat({ settings });
  await createConversation(chat.ctx, { userId: 'tog', input: { type: 'direct', memberIds: ['pal'] } });
  await chat.online('pal');
  const toggle = async (times: number) => {
    for (let i = 0; i < times; i++) {
      await connect(chat.ctx, { userId: 'tog', connectionId: `tog-${i}` });
      await disconnect(chat.ctx, { userId: 'tog', connectionId: `tog-${i}` });
    }
  };
  const heard = () => chat.notifier.eventsOf('pal').filter((e) => e.type === 'presence');
  return { chat, toggle, heard };
}

describe('presence changes pushed per user', () => {
  it('pushes at most presenceChangeRatePerMinute changes a minute to contacts, however often one toggles', async () => {
    const { toggle, heard } = await contacts({ presenceChangeRatePerMinute: 3 });

    await toggle(10);

    expect(heard().map((e) => e.type === 'presence' && e.status)).toEqual(['online', 'offline', 'online']);
  });

  it('pushes again in the next minute, and records every change meanwhile', async () => {
    const { chat, toggle, heard } = await contacts({ presenceChangeRatePerMinute: 2 });
    await toggle(3);
    await connect(chat.ctx, { userId: 'tog', connectionId: 'tog-last' });

    const online = (await chat.ctx.sessions.getMany(['tog'], chat.clock.now())).get('tog')?.online;
    chat.clock.advance(60_000);
    await disconnect(chat.ctx, { userId: 'tog', connectionId: 'tog-last' });

    expect(online).toBe(true);
    expect(heard().map((e) => e.type === 'presence' && e.status)).toEqual(['online', 'offline', 'offline']);
  });

  it('pushes 20 a minute by default', async () => {
    const { toggle, heard } = await contacts();

    await toggle(15);

    expect(heard()).toHaveLength(20);
  });
});
