/** Typing signals: straight to the other members' sockets, coalesced, expiring by themselves. */
import { rateLimited } from '../errors.ts';
import type { ChatContext } from './context.ts';
import type { MemberRequest } from './conversations.ts';

export async function signalTyping(ctx: ChatContext, request: MemberRequest & { isTyping: boolean }) {
  const { userId, conversationId, isTyping } = request;
  const nowMs = ctx.clock();
  const perMinute = ctx.settings.typingRatePerMinute;
  if (!(await ctx.rateLimits.take({ userId, bucket: 'typing', perMinute, nowMs }))) {
    throw rateLimited('typing signals');
  }
  const { members } = await ctx.access.member({ conversationId, userId });
  const expiresAtMs = nowMs + ctx.settings.typingTtlSeconds * 1000;
  const coalesceMs = ctx.settings.typingCoalesceSeconds * 1000;
  const broadcast = isTyping
    ? await ctx.typing.start({ conversationId, userId, nowMs, expiresAtMs, coalesceMs })
    : await ctx.typing.stop({ conversationId, userId, nowMs });
  if (!broadcast) return;
  const others = members.map((m) => m.userId).filter((id) => id !== userId);
  await ctx.notifier.toUsers(others, {
    type: 'typing',
    conversationId,
    userId,
    isTyping,
    expiresAt: new Date(isTyping ? expiresAtMs : nowMs).toISOString(),
  });
}
