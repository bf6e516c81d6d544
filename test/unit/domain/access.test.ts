import { describe, expect, it } from 'vitest';
import { Access, MemberDirectory, requireAuthor } from '../../../shared/domain/access.ts';
import type { Member, StoredConversation } from '../../../shared/domain/model.ts';
import type { ConversationRepository } from '../../../shared/domain/ports.ts';
import { ChatError } from '../../../shared/errors.ts';

/** An in-memory stand-in for the two repository reads `Access` makes, counting member reads. */
class FakeConversations implements Pick<ConversationRepository, 'get' | 'listMembers'> {
  readonly conversations = new Map<string, StoredConversation>();
  readonly members = new Map<string, Member[]>();
  listMembersCalls = 0;

  async get(conversationId: string): Promise<StoredConversation | undefined> {
    const found = this.conversations.get(conversationId);
    return found ? { ...found } : undefined;
  }

  async listMembers(conversationId: string): Promise<Member[]> {
    this.listMembersCalls++;
    return [...(this.members.get(conversationId) ?? [])];
  }

  add(conversationId: string, members: [string, Member['role']][], membersVersion = 1) {
    this.conversations.set(conversationId, {
      conversationId,
      type: 'group',
      name: 'g',
      createdBy: members[0]?.[0] ?? 'nobody',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSeq: 0,
      sentSeqs: {},
      lastActivityAt: '2026-01-01T00:00:00.000Z',
      inboxIndexedAt: '2026-01-01T00:00:00.000Z',
      membersVersion,
      memberCount: members.length,
    });
    this.members.set(
      conversationId,
      members.map(([userId, role]) => ({
        userId,
        role,
        joinedAt: '2026-01-01T00:00:00.000Z',
        lastReadSeq: 0,
      })),
    );
  }

  /** A membership change as the store makes it: new member list and a bumped members version. */
  setMembers(conversationId: string, members: [string, Member['role']][]) {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new Error('no such conversation');
    this.add(conversationId, members, conversation.membersVersion + 1);
  }
}

async function rejection(promise: Promise<unknown>): Promise<ChatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ChatError);
    return error as ChatError;
  }
  throw new Error('expected a rejection');
}

const publicShape = (error: ChatError) => ({
  code: error.code,
  status: error.status,
  message: error.message,
});

function setup() {
  const fake = new FakeConversations();
  fake.add('room', [
    ['alice', 'admin'],
    ['bob', 'member'],
  ]);
  let now = 1_000_000;
  const directory = new MemberDirectory(fake, 60_000, 2_000, () => now);
  const access = new Access(fake, directory);
  return {
    fake,
    directory,
    advance: (ms: number) => {
      now += ms;
    },
    check: (conversationId: string, userId: string, requirement: 'member' | 'admin' = 'member') =>
      access[requirement]({ conversationId, userId }),
  };
}

describe('Access', () => {
  it('lets a member in and answers the conversation, its members and the caller', async () => {
    const { check } = setup();
    const granted = await check('room', 'bob');
    expect(granted.conversation.conversationId).toBe('room');
    expect(granted.members.map((m) => m.userId)).toEqual(['alice', 'bob']);
    expect(granted.me).toMatchObject({ userId: 'bob', role: 'member' });
  });

  it('gives a non-member of an existing conversation exactly the answer for a conversation that does not exist', async () => {
    const { check } = setup();
    const outsider = await rejection(check('room', 'mallory'));
    const missing = await rejection(check('no-such-room', 'mallory'));
    expect(publicShape(outsider)).toEqual(publicShape(missing));
    expect(outsider.code).toBe('not_member');
    expect(outsider.status).toBe(403);
    expect(outsider.message).not.toMatch(/room|mallory/);
  });

  it('gives a non-member the not_member answer even where admin is required (never a revealing forbidden)', async () => {
    const { check } = setup();
    const outsider = await rejection(check('room', 'mallory', 'admin'));
    const missing = await rejection(check('no-such-room', 'mallory', 'admin'));
    expect(publicShape(outsider)).toEqual(publicShape(missing));
    expect(outsider.code).toBe('not_member');
  });

  it('requires the admin role only where asked', async () => {
    const { check } = setup();
    await expect(check('room', 'alice', 'admin')).resolves.toMatchObject({ me: { role: 'admin' } });
    await expect(check('room', 'bob', 'member')).resolves.toMatchObject({ me: { role: 'member' } });
    const error = await rejection(check('room', 'bob', 'admin'));
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('does not treat an id that merely contains a member id as that member', async () => {
    const { check } = setup();
    for (const userId of ['Bob', 'bob ', ' bob', 'bo', 'bobby', 'MEMBER#bob']) {
      expect((await rejection(check('room', userId))).code).toBe('not_member');
    }
  });

  it('stops letting a removed member in as soon as the members version is bumped', async () => {
    const { fake, check } = setup();
    await check('room', 'bob');
    fake.setMembers('room', [['alice', 'admin']]);
    expect((await rejection(check('room', 'bob'))).code).toBe('not_member');
  });

  it('lets a newly added member in at once, although the old list is still cached', async () => {
    const { fake, check } = setup();
    expect((await rejection(check('room', 'carol'))).code).toBe('not_member');
    fake.setMembers('room', [
      ['alice', 'admin'],
      ['bob', 'member'],
      ['carol', 'member'],
    ]);
    await expect(check('room', 'carol')).resolves.toMatchObject({ me: { userId: 'carol' } });
  });

  it('sees a demoted admin as a member once the version is bumped', async () => {
    const { fake, check } = setup();
    await check('room', 'alice', 'admin');
    fake.setMembers('room', [
      ['alice', 'member'],
      ['bob', 'admin'],
    ]);
    expect((await rejection(check('room', 'alice', 'admin'))).code).toBe('forbidden');
    await expect(check('room', 'bob', 'admin')).resolves.toBeDefined();
  });
});

describe('MemberDirectory', () => {
  it('reads the member list once per members version while the entry is fresh', async () => {
    const { fake, directory } = setup();
    await directory.members('room', 1);
    await directory.members('room', 1);
    await directory.members('room', 1);
    expect(fake.listMembersCalls).toBe(1);
  });

  it('reloads when the members version is bumped, and keys entries per conversation', async () => {
    const { fake, directory } = setup();
    fake.add('other', [['zed', 'admin']]);
    await directory.members('room', 1);
    await directory.members('room', 2);
    expect(fake.listMembersCalls).toBe(2);
    expect((await directory.members('other', 1)).map((m) => m.userId)).toEqual(['zed']);
    expect(fake.listMembersCalls).toBe(3);
  });

  it('does not confuse conversations whose id and version would concatenate alike', async () => {
    const { fake, directory } = setup();
    fake.add('a@1', [['one', 'admin']]);
    fake.add('a', [['two', 'admin']]);
    const first = await directory.members('a@1', 1);
    const second = await directory.members('a', 1);
    expect(first.map((m) => m.userId)).toEqual(['one']);
    // '@' is allowed in ids, so `${id}@${version}` must not alias another conversation's entry.
    expect(second.map((m) => m.userId)).toEqual(['two']);
  });

  it('reloads after the time to live', async () => {
    const { fake, directory, advance } = setup();
    await directory.members('room', 1);
    advance(59_999);
    await directory.members('room', 1);
    expect(fake.listMembersCalls).toBe(1);
    advance(2);
    await directory.members('room', 1);
    expect(fake.listMembersCalls).toBe(2);
  });

  it('stays within its size bound, evicting the oldest entry', async () => {
    const fake = new FakeConversations();
    for (let i = 0; i < 4; i++) fake.add(`c${i}`, [[`u${i}`, 'admin']]);
    const directory = new MemberDirectory(fake, 60_000, 3, () => 0);
    for (let i = 0; i < 4; i++) await directory.members(`c${i}`, 1);
    expect(fake.listMembersCalls).toBe(4);
    await directory.members('c3', 1);
    expect(fake.listMembersCalls).toBe(4);
    await directory.members('c0', 1);
    expect(fake.listMembersCalls).toBe(5);
  });
});

describe('requireAuthor', () => {
  it('lets the author through and forbids anyone else', () => {
    expect(() => requireAuthor('alice', 'alice')).not.toThrow();
    for (const other of ['bob', 'Alice', 'alice ', '']) {
      let error: unknown;
      try {
        requireAuthor('alice', other);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ChatError);
      expect((error as ChatError).code).toBe('forbidden');
      expect((error as ChatError).status).toBe(403);
    }
  });
});
