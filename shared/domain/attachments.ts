/**
 * Use cases of attachments. A member asks for an upload (checked type and size, a sanitised name) and gets a
 * presigned POST straight to S3; a send naming it checks the stored object (there, no larger than declared, of the
 * declared type by its first bytes) and claims it for that one message (or gives it back when the send is then
 * refused); deleting the message deletes its objects. Downloads: `attachment-downloads.ts`; previews:
 * `previews.ts`.
 */
import { epochSeconds } from '../async.ts';
import { validationFailed } from '../errors.ts';
import { type AttachmentRecord, attachmentKey, type ImageSize, thumbnailKey } from './attachment-ports.ts';
import { attachmentContentTypes, previewedContentTypes, sanitiseFileName } from './attachment-rules.ts';
import { bytesMatchType } from './attachment-signatures.ts';
import { type ChatContext, isoNow } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { limits } from './limits.ts';
import type { Message, MessageAttachment } from './model.ts';

const allowedTypes: ReadonlySet<string> = new Set(attachmentContentTypes);

export interface UploadRequest extends MemberRequest {
  fileName: string;
  contentType: string;
  size: number;
}

export interface IssuedUpload {
  attachmentId: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}

/** Issues an upload to a member: records it (pending) and signs a form for exactly that type and size. */
export async function createUpload(ctx: ChatContext, request: UploadRequest): Promise<IssuedUpload> {
  const { userId, conversationId, contentType, size } = request;
  await ctx.access.member({ userId, conversationId });
  if (!allowedTypes.has(contentType))
    throw validationFailed(
      'contentType',
      `${contentType} is not allowed; allowed: ${attachmentContentTypes.join(', ')}`,
    );
  const maxBytes = ctx.settings.attachmentMaxBytes;
  if (size > maxBytes) throw validationFailed('size', `must be at most ${maxBytes} bytes`);
  const attachmentId = ctx.newId();
  const now = ctx.clock();
  await ctx.attachments.create({
    conversationId,
    attachmentId,
    uploaderId: userId,
    fileName: sanitiseFileName(request.fileName),
    contentType,
    declaredSize: size,
    state: 'pending',
    createdAt: isoNow(ctx),
    expiresAt: epochSeconds(now) + limits.pendingAttachmentDays * 86_400,
  });
  const upload = await ctx.attachmentSigner.uploadForm({
    key: attachmentKey(conversationId, attachmentId),
    contentType,
    maxBytes: size,
    expiresInSeconds: limits.attachmentUploadSeconds,
  });
  const expiresAt = new Date(now + limits.attachmentUploadSeconds * 1000).toISOString();
  return { attachmentId, upload, expiresAt };
}

/** The objects of an attachment: the upload, and its preview if it gets one (made, or maybe on its way). */
const objectKeys = (conversationId: string, { attachmentId, contentType }: AttachmentFile) => [
  attachmentKey(conversationId, attachmentId),
  ...(previewedContentTypes.has(contentType) ? [thumbnailKey(conversationId, attachmentId)] : []),
];

interface AttachmentFile {
  attachmentId: string;
  contentType: string;
}

const refused = (attachmentId: string, why: string) =>
  validationFailed('attachmentIds', `${attachmentId} ${why}`);

/** Why a record may not be named by this send, if it may not. */
function recordProblem(
  record: AttachmentRecord | undefined,
  { senderId, clientMessageId }: { senderId: string; clientMessageId: string },
): string | undefined {
  if (!record || record.uploaderId !== senderId) return 'is not an upload of yours to this conversation';
  if (record.state === 'attached' && record.claimedBy !== clientMessageId)
    return 'is attached to another message already';
  return undefined;
}

/**
 * Checks and claims the attachments a send names, answering what the message shows of them. Each must be the
 * sender's upload to this conversation, stored, no larger than declared, of the declared type both as stored
 * and by its first bytes (one ranged GET each), and
 * named by no other message: the claim is one conditional transaction, which a retry of the same send
 * (`clientMessageId`) passes again. Nothing is read or written when the send names none.
 */
export async function claimAttachments(
  ctx: ChatContext,
  send: { conversationId: string; senderId: string; clientMessageId: string; attachmentIds: string[] },
): Promise<MessageAttachment[]> {
  const { conversationId, senderId, clientMessageId, attachmentIds } = send;
  if (attachmentIds.length === 0) return [];
  const records = new Map(
    (await ctx.attachments.getMany({ conversationId, attachmentIds })).map((r) => [r.attachmentId, r]),
  );
  const checked: AttachmentRecord[] = [];
  for (const attachmentId of attachmentIds) {
    const record = records.get(attachmentId);
    const problem = recordProblem(record, { senderId, clientMessageId });
    if (problem || !record) throw refused(attachmentId, problem ?? 'is unknown');
    checked.push(record);
  }
  const objects = await Promise.all(
    checked.map((record) =>
      ctx.attachmentObjects.inspect(attachmentKey(conversationId, record.attachmentId)),
    ),
  );
  checked.forEach((record, index) => {
    const stored = objects[index];
    const id = record.attachmentId;
    if (!stored) throw refused(id, 'has not been uploaded (or its upload expired)');
    if (stored.size === 0) throw refused(id, 'is empty');
    if (stored.size > record.declaredSize)
      throw refused(id, `is ${stored.size} bytes, more than the ${record.declaredSize} declared`);
    if (stored.contentType !== record.contentType)
      throw refused(
        id,
        `was stored as ${stored.contentType || 'no type'}, not the declared ${record.contentType}`,
      );
    if (!bytesMatchType(record.contentType, stored.leadingBytes))
      throw refused(id, `does not hold ${record.contentType}: its first bytes are of another kind`);
  });
  const retentionDays = ctx.settings.messageRetentionDays;
  const claim = await ctx.attachments.claim({
    conversationId,
    uploaderId: senderId,
    attachmentIds,
    clientMessageId,
    ...(retentionDays > 0 ? { expiresAt: epochSeconds(ctx.clock()) + retentionDays * 86_400 } : {}),
  });
  if (claim.outcome === 'taken') throw refused(claim.attachmentId, 'is attached to another message already');
  // Out of the unattached-upload lifecycle rule before the message can exist; an image's preview too, made or
  // being made (the thumbnail function tags one it stores after this claim itself).
  await Promise.all(
    checked
      .flatMap((record) => objectKeys(conversationId, record))
      .map((key) => ctx.attachmentObjects.markAttached(key)),
  );
  const previews = await previewsOf(ctx, conversationId, checked);
  return checked.map((record, index) => {
    const preview = previews.get(record.attachmentId);
    return {
      attachmentId: record.attachmentId,
      fileName: record.fileName,
      contentType: record.contentType,
      size: objects[index]?.size ?? record.declaredSize,
      ...preview,
      hasThumbnail: preview !== undefined,
    };
  });
}

/**
 * The previews of the claimed attachments. One recorded after they were read but before the claim landed was
 * recorded on a pending upload, so the thumbnail function left the message to this send: the images read
 * without one are read again (one read unit each), now that the claim makes any later preview the function's to
 * show on the message.
 */
async function previewsOf(
  ctx: ChatContext,
  conversationId: string,
  records: AttachmentRecord[],
): Promise<Map<string, ImageSize>> {
  const previews = new Map(records.flatMap((r) => (r.preview ? [[r.attachmentId, r.preview] as const] : [])));
  const waiting = records.filter((r) => !r.preview && previewedContentTypes.has(r.contentType));
  if (waiting.length === 0) return previews;
  const reread = await ctx.attachments.getMany({
    conversationId,
    attachmentIds: waiting.map((record) => record.attachmentId),
  });
  for (const record of reread) if (record.preview) previews.set(record.attachmentId, record.preview);
  return previews;
}

/**
 * Gives back the attachments a send claimed before it was refused (blocked, removed meanwhile): pending again,
 * their objects too, so the sender may send them in another message, and unsent they expire as any upload.
 */
export async function releaseAttachments(
  ctx: ChatContext,
  send: { conversationId: string; clientMessageId: string; attachments: AttachmentFile[] },
): Promise<void> {
  const { conversationId, clientMessageId, attachments } = send;
  if (attachments.length === 0) return;
  await ctx.attachments.release({
    conversationId,
    clientMessageId,
    attachmentIds: attachments.map((attachment) => attachment.attachmentId),
    expiresAt: epochSeconds(ctx.clock()) + limits.pendingAttachmentDays * 86_400,
  });
  await Promise.all(
    attachments
      .flatMap((attachment) => objectKeys(conversationId, attachment))
      .map((key) => ctx.attachmentObjects.markPending(key)),
  );
}

/** A deleted message's attachments go with it: their objects and their records. */
export async function discardAttachments(ctx: ChatContext, message: Message): Promise<void> {
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) return;
  const { conversationId } = message;
  await ctx.attachmentObjects.delete(
    attachments.flatMap((attachment) => objectKeys(conversationId, attachment)),
  );
  await ctx.attachments.remove({
    conversationId,
    attachmentIds: attachments.map((attachment) => attachment.attachmentId),
  });
}
