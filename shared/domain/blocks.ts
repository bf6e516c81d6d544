/**
 * Blocks: a user stops another from reaching them. The blocked user can no longer start or message a direct
 * conversation with the blocker or add them to a group; neither hears the other's typing or presence.
 */
import { forbidden, validationFailed } from '../errors.ts';
import { type ChatContext, isoNow } from './context.ts';
import { limits } from './limits.ts';

export interface BlockRequest {
  userId: string;
  targetId: string;
}

function refuseSelf({ userId, targetId }: BlockRequest): void {
  if (targetId === userId) throw validationFailed('userId', 'is you');
}

/** Blocking again changes nothing; past `limits.maxBlocksPerUser` it is refused. */
export async function blockUser(ctx: ChatContext, request: BlockRequest): Promise<void> {
  refuseSelf(request);
  const outcome = await ctx.blocks.block({
    blockerId: request.userId,
    blockedId: request.targetId,
    at: isoNow(ctx),
    maxBlocks: limits.maxBlocksPerUser,
  });
  if (outcome === 'limit-reached') {
    throw validationFailed('userId', `you block ${limits.maxBlocksPerUser} users already; unblock one first`);
  }
}

export async function unblockUser(ctx: ChatContext, request: BlockRequest): Promise<void> {
  refuseSelf(request);
  await ctx.blocks.unblock({ blockerId: request.userId, blockedId: request.targetId });
}

export async function listBlocks(ctx: ChatContext, userId: string): Promise<{ userIds: string[] }> {
  return { userIds: await ctx.blocks.listBlocked(userId) };
}

/** The users in a block with `userId` either way: neither side hears the other's typing or presence. */
export async function blockedEitherWay(ctx: ChatContext, userId: string): Promise<Set<string>> {
  const { blocks, blockedBy } = await ctx.blocks.relationsOf(userId);
  return new Set([...blocks, ...blockedBy]);
}

/** A user may not put someone who blocks them into a group; the answer does not say who. */
export async function refuseAddingBlockers(
  ctx: ChatContext,
  userId: string,
  joining: string[],
): Promise<void> {
  if (joining.length === 0) return;
  const { blockedBy } = await ctx.blocks.relationsOf(userId);
  if (joining.some((id) => blockedBy.has(id))) throw forbidden('You cannot add one of these users');
}
