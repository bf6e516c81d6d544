/**
 * Push notifications for members who are not connected. The deliveries of a new message (the send's, or the
 * stream consumer's) hand one job per message to the push queue, listing the members who had no live connection
 * (`enqueuePushes`); the push worker decides and sends (`sendPushes`): never a push service call on the message
 * path.
 */
import { forEachBounded } from '../async.ts';
import type { ChatContext } from './context.ts';
import type { Member, Message } from './model.ts';
import type { Device, PushJob, PushNotification, UserSessions } from './ports.ts';
import { getUnread } from './read-state.ts';

/** A device gets at most one push per conversation in this window; the platforms also collapse by conversation. */
export const pushCollapseMs = 30_000;
/** Members listed in one job, well within SQS's 256 KiB message (a user id is at most 128 characters). */
const maxRecipientsPerJob = 500;
/** The pushed text's length; a message is at most 4 KiB, and a lock screen shows a line or two. */
const maxPushBodyChars = 180;
/** The body of a push when the stack is configured for private payloads. */
export const privatePushBody = 'New message';
/** Recipients decided at once by the worker (each reads their devices and unread count). */
const recipientsInParallel = 8;

/**
 * Hands the message's pushes to the queue: one job per message (split past `maxRecipientsPerJob`) with every
 * member other than the sender whose sessions have no live connection. Called right after the posts by both
 * deliveries, with the sessions they read.
 */
export async function enqueuePushes(
  ctx: ChatContext,
  message: Message,
  members: Member[],
  sessions: Map<string, UserSessions>,
): Promise<void> {
  const others = members.filter((member) => member.userId !== message.senderId);
  const offline = others
    .map((member) => member.userId)
    .filter((userId) => (sessions.get(userId)?.connections.length ?? 0) === 0);
  if (offline.length === 0) return;
  const jobs: PushJob[] = [];
  for (let start = 0; start < offline.length; start += maxRecipientsPerJob) {
    jobs.push({
      message,
      recipientIds: offline.slice(start, start + maxRecipientsPerJob),
      onlineCount: start === 0 ? others.length - offline.length : 0,
    });
  }
  await ctx.pushQueue.enqueue(jobs);
}

/** What a job came to, per recipient or device; `failed` pushes are retried with the job. */
export interface PushReport {
  sent: number;
  failed: number;
  /** Devices whose token the push service reported dead: forgotten. */
  invalid: number;
  skipped: {
    online: number;
    muted: number;
    noDevice: number;
    /** No longer a member, or the recipient blocks the sender. */
    notAllowed: number;
    /** Suspended by a moderator: their devices get nothing until it ends. */
    suspended: number;
    /** Collapsed into a recent push of the same conversation, or already pushed (a redelivered job). */
    collapsed: number;
    /** No push service configured for the device's platform. */
    unconfigured: number;
  };
}

function notificationOf(
  ctx: ChatContext,
  job: PushJob,
  conversation: { type: string; name?: string },
  badge: number,
): PushNotification {
  const { message } = job;
  const text =
    message.body.length > maxPushBodyChars ? `${message.body.slice(0, maxPushBodyChars - 1)}…` : message.body;
  return {
    conversationId: message.conversationId,
    messageId: message.messageId,
    title: conversation.type === 'group' ? (conversation.name ?? 'Group') : message.senderId,
    body: ctx.settings.pushPrivatePayloads ? privatePushBody : text,
    badge,
  };
}

/**
 * Sends a job's pushes: to each listed member who is still a member, does not block the sender, is not
 * suspended, has not muted the conversation and has a device, with their total unread count as the badge; each
 * push is claimed first, so that a redelivered job or a burst of messages pushes a device at most once per
 * conversation per window.
 */
export async function sendPushes(ctx: ChatContext, job: PushJob): Promise<PushReport> {
  const report: PushReport = {
    sent: 0,
    failed: 0,
    invalid: 0,
    skipped: {
      online: job.onlineCount,
      muted: 0,
      noDevice: 0,
      notAllowed: 0,
      suspended: 0,
      collapsed: 0,
      unconfigured: 0,
    },
  };
  const { conversationId, senderId } = job.message;
  const conversation = await ctx.conversations.get(conversationId);
  if (!conversation) {
    report.skipped.notAllowed += job.recipientIds.length;
    return report;
  }
  const nowMs = ctx.clock();
  const [members, muted, { blockedBy }, suspended] = await Promise.all([
    ctx.directory.members(conversationId, conversation.membersVersion),
    ctx.mutes.mutedIn({ conversationId, nowMs }),
    ctx.blocks.relationsOf(senderId),
    ctx.suspensions.suspendedAmong(job.recipientIds, nowMs),
  ]);
  const memberIds = new Set(members.map((member) => member.userId));
  const skipReason = (userId: string) => {
    if (!memberIds.has(userId) || blockedBy.has(userId)) return 'notAllowed';
    if (suspended.has(userId)) return 'suspended';
    // A mention reaches its member even in a conversation they muted.
    if (muted.has(userId) && !job.message.mentions?.includes(userId)) return 'muted';
    return undefined;
  };
  await forEachBounded(job.recipientIds, recipientsInParallel, async (userId) => {
    const reason = skipReason(userId);
    const devices = reason ? [] : await ctx.devices.list(userId);
    if (reason || devices.length === 0) {
      report.skipped[reason ?? 'noDevice'] += 1;
      return;
    }
    const { total } = await getUnread(ctx, userId);
    const notification = notificationOf(ctx, job, conversation, total);
    for (const device of devices) await pushToDevice(ctx, job, device, notification, report);
  });
  return report;
}

async function pushToDevice(
  ctx: ChatContext,
  job: PushJob,
  device: Device,
  notification: PushNotification,
  report: PushReport,
): Promise<void> {
  const claim = {
    userId: device.userId,
    deviceId: device.deviceId,
    conversationId: job.message.conversationId,
    seq: job.message.seq,
  };
  if (!(await ctx.devices.claimPush({ ...claim, nowMs: ctx.clock(), collapseMs: pushCollapseMs }))) {
    report.skipped.collapsed += 1;
    return;
  }
  try {
    const result = await ctx.pushSender.send(device, notification);
    if (result.outcome === 'sent') {
      report.sent += 1;
      if (result.endpoint !== device.endpoint || device.endpointStale)
        await ctx.devices.setEndpoint({
          userId: device.userId,
          deviceId: device.deviceId,
          endpoint: result.endpoint,
        });
    } else if (result.outcome === 'invalid') {
      report.invalid += 1;
      await ctx.devices.remove({ userId: device.userId, deviceId: device.deviceId });
    } else {
      report.skipped.unconfigured += 1;
      await ctx.devices.releasePush(claim);
    }
  } catch {
    // The job is retried; without its claim this device is pushed then.
    report.failed += 1;
    await ctx.devices.releasePush(claim);
  }
}
