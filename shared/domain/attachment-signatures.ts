/**
 * Whether an upload's first bytes are what its declared type says: S3 stores whatever type the uploader
 * declared (and the local server whatever bytes it is sent), so a send checks the file itself. Each allowed type
 * has its format's magic bytes; `text/plain` has none, so it is refused when it holds a NUL byte or opens with
 * markup a browser would run (HTML, SVG, XML).
 */
import type { attachmentContentTypes } from './attachment-rules.ts';

/** How many leading bytes the check reads (and so what the object store is asked for). */
export const signatureBytes = 512;

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The bytes at `offset` equal `expected`. */
const at = (bytes: Uint8Array, offset: number, expected: number[]) =>
  expected.every((value, i) => bytes[offset + i] === value);

/** ISO base media files (MP4, QuickTime, HEIF) name their brand in an `ftyp` box at byte 4. */
const isoBrand = (bytes: Uint8Array) =>
  at(bytes, 4, ascii('ftyp')) ? String.fromCharCode(...bytes.subarray(8, 12)) : undefined;
const heifBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
/** QuickTime files may open with other atoms than `ftyp`. */
const quickTimeAtoms = ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'];

const riff = (bytes: Uint8Array, form: string) => at(bytes, 0, ascii('RIFF')) && at(bytes, 8, ascii(form));
/** An MPEG audio frame's sync word (11 bits set), as MP3 and ADTS AAC open. */
const frameSync = (bytes: Uint8Array) => bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0;
const ebml = (bytes: Uint8Array) => at(bytes, 0, [0x1a, 0x45, 0xdf, 0xa3]);

/** Markup a browser renders as a page, after any byte-order mark and white space. */
const markup = /^(?:\uFEFF)?\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe|object|embed)\b/i;
const plainText = (bytes: Uint8Array) =>
  !bytes.includes(0) && !markup.test(new TextDecoder('utf-8', { fatal: false }).decode(bytes));

const signatures: Record<(typeof attachmentContentTypes)[number], (bytes: Uint8Array) => boolean> = {
  'image/jpeg': (b) => at(b, 0, [0xff, 0xd8, 0xff]),
  'image/png': (b) => at(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/webp': (b) => riff(b, 'WEBP'),
  'image/gif': (b) => at(b, 0, ascii('GIF87a')) || at(b, 0, ascii('GIF89a')),
  'image/heic': (b) => heifBrands.has(isoBrand(b) ?? ''),
  'image/heif': (b) => heifBrands.has(isoBrand(b) ?? ''),
  'audio/mpeg': (b) => at(b, 0, ascii('ID3')) || frameSync(b),
  'audio/mp4': (b) => isoBrand(b) !== undefined,
  'audio/aac': (b) => frameSync(b) || at(b, 0, ascii('ADIF')),
  'audio/ogg': (b) => at(b, 0, ascii('OggS')),
  'audio/wav': (b) => riff(b, 'WAVE'),
  'audio/webm': ebml,
  'video/mp4': (b) => isoBrand(b) !== undefined,
  'video/quicktime': (b) => isoBrand(b) !== undefined || quickTimeAtoms.some((atom) => at(b, 4, ascii(atom))),
  'video/webm': ebml,
  'application/pdf': (b) => at(b, 0, ascii('%PDF-')),
  'text/plain': plainText,
};

/** Whether `leadingBytes` (the file's first `signatureBytes`, or all of a smaller one) fit `contentType`. */
export function bytesMatchType(contentType: string, leadingBytes: Uint8Array): boolean {
  const matches = signatures[contentType as keyof typeof signatures];
  return matches?.(leadingBytes) === true;
}
