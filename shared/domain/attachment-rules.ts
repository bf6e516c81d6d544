/**
 * What may be uploaded and how it is served: the allowed content types, the sanitised file name and the
 * `Content-Disposition` of a download. Nothing a browser would run as a page (HTML, SVG, XML, scripts) is allowed,
 * and only images are shown inline.
 */
import { limits } from './limits.ts';

/** The allow-list, exact media types without parameters. */
export const attachmentContentTypes = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/heif',
  'audio/mpeg',
  'audio/mp4',
  'audio/aac',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'application/pdf',
  'text/plain',
] as const;

/**
 * The types an upload gets a preview of (what sharp's prebuilt libvips decodes; not HEIC/HEIF): the others are
 * not read for one, and have no preview object to tag or delete.
 */
export const previewedContentTypes: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
]);

/** What an image's preview is stored and served as (`shared/attachments/sharp-previews.ts` makes WebP). */
export const previewContentType = 'image/webp';

/** The preview's file name, from its image's: the name without its extension, then `.webp`. */
export const previewFileName = (fileName: string) => `${fileName.replace(/\.[^.]*$/, '')}.webp`;

/** Images are shown in the page (an `<img>` runs nothing); every other type is downloaded. */
const isInlineType = (contentType: string) => contentType.startsWith('image/');

/** Path separators, controls, quotes and the characters Windows refuses; each becomes `_`. */
const unsafeInName = /[\p{Cc}\p{Cf}\\/:*?"<>|\u2028\u2029]/gu;

/**
 * A file name safe to store and to put in a header: its last path segment, without controls, bidi or other
 * format characters, quotes or separators, no leading dots (no hidden or `..` names), whitespace collapsed, at
 * most `maxAttachmentFileNameLength` characters with its extension kept; `file` when nothing is left.
 */
export function sanitiseFileName(raw: string): string {
  const lastSegment = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    .replace(unsafeInName, '_')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/^[.\s]+/u, '');
  if (cleaned.replace(/_/g, '') === '') return 'file';
  const characters = [...cleaned];
  const max = limits.maxAttachmentFileNameLength;
  if (characters.length <= max) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 16 ? [...cleaned.slice(dot)] : [];
  return [...characters.slice(0, max - extension.length), ...extension].join('');
}

/**
 * `attachment` (or `inline` for images) with the name twice: an ASCII fallback for old clients and the exact
 * name as RFC 5987 `filename*`.
 */
export function contentDisposition(fileName: string, contentType: string): string {
  const kind = isInlineType(contentType) ? 'inline' : 'attachment';
  const ascii = fileName.replace(/[^\x20-\x7e]|[%"\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
