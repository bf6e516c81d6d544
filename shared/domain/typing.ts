/** Typing signals: straight to the other members' sockets, coalesced, expiring by themselves. */
import { blockedEitherWay } from './blocks.ts';
import type { ChatContext } from './context.ts';
import type { MemberRequest } from './conversations.ts';

export async function signalTyping(ctx: ChatContext, request: MemberRequest & { isTyping: boolean }) {
  const { userId, conversationId, isTyping } = request;
  const nowMs = ctx.clock();
  const { members } = await ctx.access.member({ conversationId, userId });
  const expiresAtMs = nowMs + ctx.settings.typingTtlSeconds * 1000;
  const coalesceMs = ctx.settings.typingCoalesceSeconds * 1000;
  const broadcast = isTyping
    ? await ctx.typing.start({ conversationId, userId, nowMs, expiresAtMs, coalesceMs })
    : await ctx.typing.stop({ conversationId, userId, nowMs });
  if (!broadcast) return;
  // Nobody in a block with the typist hears them, either way (one Query of the typist's blocks).
  const blocked = await blockedEitherWay(ctx, userId);
  const others = members.map((m) => m.userId).filter((id) => id !== userId && !blocked.has(id));
  await ctx.notifier.toUsers(others, {
    type: 'typing',
    conversationId,
    userId,
    isTyping,
    expiresAt: new Date(isTyping ? expiresAtMs : nowMs).toISOString(),
  });
}
