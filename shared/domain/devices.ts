/** Use cases of push settings: a user's devices, and muting a conversation (members only). */
import { notFound, validationFailed } from '../errors.ts';
import { type ChatContext, isoNow } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { limits } from './limits.ts';
import type { Device, PushPlatform } from './ports.ts';

/** What clients see of a device: never its token. */
export interface DeviceView {
  deviceId: string;
  platform: PushPlatform;
  createdAt: string;
}

const viewOf = ({ deviceId, platform, createdAt }: Device): DeviceView => ({ deviceId, platform, createdAt });

/** The same token again answers the same device; a token another user registered moves to this user. */
export async function registerDevice(
  ctx: ChatContext,
  request: { userId: string; platform: PushPlatform; token: string },
): Promise<{ device: Pick<DeviceView, 'deviceId' | 'platform'>; created: boolean }> {
  const { device, created } = await ctx.devices.register({
    ...request,
    newDeviceId: ctx.newId(),
    now: isoNow(ctx),
    maxDevices: limits.maxDevicesPerUser,
  });
  return { device: { deviceId: device.deviceId, platform: device.platform }, created };
}

export async function listDevices(ctx: ChatContext, userId: string): Promise<{ items: DeviceView[] }> {
  return { items: (await ctx.devices.list(userId)).map(viewOf) };
}

/** Only one's own devices: another user's device id is not found. */
export async function removeDevice(ctx: ChatContext, request: { userId: string; deviceId: string }) {
  if (!(await ctx.devices.remove(request))) throw notFound('device');
}

/** No push for the conversation until `until` (or until unmuted); unread counts are unchanged. */
export async function muteConversation(ctx: ChatContext, request: MemberRequest & { until?: string }) {
  const { userId, conversationId, until } = request;
  if (until !== undefined && Date.parse(until) <= ctx.clock())
    throw validationFailed('until', 'is not in the future');
  await ctx.access.member({ userId, conversationId });
  await ctx.mutes.mute({
    conversationId,
    userId,
    ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
  });
}

export async function unmuteConversation(ctx: ChatContext, request: MemberRequest) {
  await ctx.access.member(request);
  await ctx.mutes.unmute(request);
}
