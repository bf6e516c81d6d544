/**
 * Attachments through the public protocol, for end-to-end tests and the bench: an issued upload form, the file
 * posted to the object store as a browser posts it, and the 302 of a download.
 */
import { expect } from 'vitest';
import { api, type Target } from './target.ts';

export interface IssuedUpload {
  attachmentId: string;
  upload: { url: string; fields: Record<string, string> };
  expiresAt: string;
}

export interface UploadFile {
  fileName?: string;
  contentType?: string;
  size: number;
}

/** `POST …/attachments`: the whole answer (a refusal too); a PNG named photo.png unless told otherwise. */
export function issueUpload(t: Target, userId: string, conversationId: string, file: UploadFile) {
  return api(t, userId, 'POST', `/conversations/${conversationId}/attachments`, {
    fileName: 'photo.png',
    contentType: 'image/png',
    ...file,
  });
}

/** The presigned POST as a browser sends it: the fields, then the file as `file`; `fields` overrides some. */
export async function postUpload(
  issued: IssuedUpload,
  bytes: Uint8Array,
  fields: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...issued.upload.fields, ...fields }))
    form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)]), 'upload.bin');
  return fetch(issued.upload.url, { method: 'POST', body: form });
}

/** Issues an upload and posts the file, expecting both to succeed; answers the issued upload. */
export async function uploadFile(
  t: Target,
  userId: string,
  conversationId: string,
  bytes: Uint8Array,
  file: Omit<UploadFile, 'size'> = {},
): Promise<IssuedUpload> {
  const answer = await issueUpload(t, userId, conversationId, { ...file, size: bytes.length });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const stored = await postUpload(answer.body as IssuedUpload, bytes);
  expect(stored.status, await stored.text()).toBeLessThan(300);
  return answer.body as IssuedUpload;
}

/** The 302 of a download (of the file, or with `variant` its preview), not followed. */
export async function downloadRedirect(
  t: Target,
  userId: string,
  path: { conversationId: string; attachmentId: string; variant?: 'thumbnail' },
) {
  const query = path.variant ? `?variant=${path.variant}` : '';
  return fetch(`${t.httpUrl}/conversations/${path.conversationId}/attachments/${path.attachmentId}${query}`, {
    headers: { authorization: `Bearer ${await t.tokenFor(userId)}` },
    redirect: 'manual',
  });
}
