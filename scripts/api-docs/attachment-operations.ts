/** The OpenAPI operations of the attachment routes (see http.ts for the others). */
import { defaultSettings } from '../../shared/config.ts';
import { attachmentContentTypes } from '../../shared/domain/attachment-rules.ts';
import {
  attachmentPath,
  attachmentQuery,
  createAttachmentBody,
} from '../../shared/domain/attachment-schemas.ts';
import { limits } from '../../shared/domain/limits.ts';
import { conversationPath } from '../../shared/domain/schemas.ts';
import { issuedUpload } from './attachment-wire.ts';
import type { Operation } from './http.ts';

export const attachmentOperations: Record<string, Operation> = {
  HttpCreateAttachment: {
    summary: 'Start an attachment upload: a presigned POST straight to the object store',
    description: `Members only. contentType must be one of: ${attachmentContentTypes.join(', ')} (never HTML, SVG or anything a browser would run); size at most ${defaultSettings.attachmentMaxBytes} bytes by default (ATTACHMENT_MAX_BYTES). The form accepts only that type, at most that size, for ${limits.attachmentUploadSeconds / 60} minutes; the file name is sanitised. An upload no message names within a day is removed. Then send a message with attachmentIds.`,
    tag: 'Messages',
    path: conversationPath,
    body: createAttachmentBody,
    success: { 201: { schema: issuedUpload, description: 'The upload form.' } },
    errors: {
      400: 'validation_failed (contentType: not allowed, naming the allowed ones; size: over the limit)',
      403: 'not_member',
    },
  },
  HttpDownloadAttachment: {
    summary: 'Download an attachment: 302 to a short-lived link',
    description: `Members only. The link (valid ${limits.attachmentDownloadSeconds / 60} minutes) serves the file with its stored content type and Content-Disposition attachment (inline for images) with its sanitised name, so a browser never shows an upload as a page. An upload not yet named by a message is its uploader's only.`,
    tag: 'Messages',
    path: attachmentPath,
    query: attachmentQuery,
    success: { 302: { description: 'Location: the download link; Cache-Control: no-store. No body.' } },
    errors: {
      403: 'not_member',
      404: 'not_found (no such attachment in this conversation, not uploaded yet, its message deleted, or variant=thumbnail before its preview is ready)',
    },
  },
};
