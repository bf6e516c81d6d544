/**
 * Image previews, made after each upload arrives (the thumbnail function, triggered by the bucket). The file's
 * bytes must open as its declared type and decode as it; the preview is stored beside the upload, tagged as
 * it is, and recorded on its record. When a message names the upload already, the message gets the preview too,
 * and its change reaches the members as `message.updated` through the stream. Safe to run again for the same
 * upload: a recorded preview is not made twice, and showing it on the message again changes nothing.
 */
import {
  type AttachmentRecord,
  attachmentKey,
  type PreviewRenderer,
  thumbnailKey,
} from './attachment-ports.ts';
import { previewedContentTypes } from './attachment-rules.ts';
import { bytesMatchType } from './attachment-signatures.ts';
import type { ChatContext } from './context.ts';

export type PreviewOutcome =
  /** Not an upload with a record (expired, deleted, or a key outside the attachments). */
  | 'unknown'
  /** Not an image this renderer reads, or its bytes are not one. */
  | 'no-preview'
  /** Stored; no message names the upload yet (a send naming it later shows it). */
  | 'ready'
  /** Stored and shown on the message naming the upload. */
  | 'shown'
  /** Stored, but the message naming the upload was deleted meanwhile. */
  | 'message-deleted';

/** The error that makes the invocation fail, so it is retried: the message is yet to be stored. */
export class MessageNotYetStored extends Error {
  constructor(record: AttachmentRecord) {
    super(`The message of send ${record.claimedBy} naming ${record.attachmentId} is not stored yet`);
    this.name = 'MessageNotYetStored';
  }
}

const keyPattern = /^attachments\/([^/]+)\/([^/]+)$/;

/** The upload an object key names, if it names one. */
export function uploadOfKey(key: string): { conversationId: string; attachmentId: string } | undefined {
  const match = keyPattern.exec(key);
  return match?.[1] && match[2] ? { conversationId: match[1], attachmentId: match[2] } : undefined;
}

export async function makePreview(
  ctx: ChatContext,
  renderer: PreviewRenderer,
  upload: { conversationId: string; attachmentId: string },
): Promise<PreviewOutcome> {
  const { conversationId, attachmentId } = upload;
  const [record] = await ctx.attachments.getMany({ conversationId, attachmentIds: [attachmentId] });
  if (!record) return 'unknown';
  const recorded = record.preview ? record : await storePreview(ctx, renderer, record);
  if (!recorded) return 'no-preview';
  if (recorded.state !== 'attached' || !recorded.claimedBy) return 'ready';
  return showOnMessage(ctx, recorded);
}

/** Renders, stores and records the preview; answers the record as it now is, undefined when there is none. */
async function storePreview(
  ctx: ChatContext,
  renderer: PreviewRenderer,
  record: AttachmentRecord,
): Promise<AttachmentRecord | undefined> {
  const { conversationId, attachmentId } = record;
  if (!previewedContentTypes.has(record.contentType)) return undefined;
  const bytes = await ctx.attachmentObjects.read(
    attachmentKey(conversationId, attachmentId),
    Math.min(record.declaredSize, ctx.settings.attachmentMaxBytes),
  );
  if (!bytes || !bytesMatchType(record.contentType, bytes)) return undefined;
  const preview = await renderer.render(bytes, record.contentType);
  if (!preview) return undefined;
  const key = thumbnailKey(conversationId, attachmentId);
  await ctx.attachmentObjects.writePreview(key, preview, record.state === 'attached');
  const updated = await ctx.attachments.recordPreview({
    conversationId,
    attachmentId,
    preview: preview.original,
  });
  // A send may have claimed the upload while the preview was made, after tagging what was there: tag it here.
  if (updated?.state === 'attached' && record.state !== 'attached')
    await ctx.attachmentObjects.markAttached(key);
  return updated;
}

async function showOnMessage(ctx: ChatContext, record: AttachmentRecord): Promise<PreviewOutcome> {
  const { conversationId, attachmentId, uploaderId, claimedBy, preview } = record;
  if (!claimedBy || !preview) return 'ready';
  const intent = await ctx.messages.findIntent({
    conversationId,
    senderId: uploaderId,
    clientMessageId: claimedBy,
    consistent: true,
  });
  if (!intent) throw new MessageNotYetStored(record);
  const shown = await ctx.messages.showPreview({
    conversationId,
    seq: intent.message.seq,
    attachmentId,
    preview,
  });
  if (shown === 'not-stored') throw new MessageNotYetStored(record);
  return shown === 'shown' ? 'shown' : 'message-deleted';
}
