/**
 * Downloads: the short-lived link a member gets an attachment, or an image's preview, by (`GET
 * …/attachments/{attachmentId}`), served with its type and a `Content-Disposition` that never lets a browser
 * render an upload as a page.
 */
import { notFound } from '../errors.ts';
import { attachmentKey, thumbnailKey } from './attachment-ports.ts';
import { contentDisposition, previewContentType, previewFileName } from './attachment-rules.ts';
import type { ChatContext } from './context.ts';
import type { MemberRequest } from './conversations.ts';
import { limits } from './limits.ts';

/**
 * The link a member downloads an attachment by. An attached one is any member's; a pending one only its
 * uploader's, once uploaded. Not found otherwise (the same answer for an id of another conversation).
 */
export async function attachmentDownloadUrl(
  ctx: ChatContext,
  request: MemberRequest & { attachmentId: string; variant?: 'thumbnail' },
): Promise<string> {
  const { userId, conversationId, attachmentId } = request;
  await ctx.access.member({ userId, conversationId });
  const [record] = await ctx.attachments.getMany({ conversationId, attachmentIds: [attachmentId] });
  if (!record || (record.state === 'pending' && record.uploaderId !== userId)) throw notFound('attachment');
  if (request.variant === 'thumbnail') {
    if (!record.preview) throw notFound('thumbnail');
    return ctx.attachmentSigner.downloadUrl({
      key: thumbnailKey(conversationId, attachmentId),
      contentType: previewContentType,
      contentDisposition: contentDisposition(previewFileName(record.fileName), previewContentType),
      expiresInSeconds: limits.attachmentDownloadSeconds,
    });
  }
  const key = attachmentKey(conversationId, attachmentId);
  if (record.state === 'pending' && !(await ctx.attachmentObjects.inspect(key))) throw notFound('attachment');
  return ctx.attachmentSigner.downloadUrl({
    key,
    contentType: record.contentType,
    contentDisposition: contentDisposition(record.fileName, record.contentType),
    expiresInSeconds: limits.attachmentDownloadSeconds,
  });
}
