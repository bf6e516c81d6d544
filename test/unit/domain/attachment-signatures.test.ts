import { describe, expect, it } from 'vitest';
import { attachmentContentTypes } from '../../../shared/domain/attachment-rules.ts';
import { bytesMatchType } from '../../../shared/domain/attachment-signatures.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part)] : part)));

/** A real opening of a file of each allowed type. */
const openings: Record<(typeof attachmentContentTypes)[number], Uint8Array> = {
  'image/jpeg': bytes([0xff, 0xd8, 0xff, 0xe0]),
  'image/png': bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/webp': bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '),
  'image/gif': bytes('GIF89a'),
  'image/heic': bytes([0, 0, 0, 24], 'ftypheic'),
  'image/heif': bytes([0, 0, 0, 24], 'ftypmif1'),
  'audio/mpeg': bytes('ID3', [4, 0]),
  'audio/mp4': bytes([0, 0, 0, 32], 'ftypM4A '),
  'audio/aac': bytes([0xff, 0xf1, 0x50]),
  'audio/ogg': bytes('OggS'),
  'audio/wav': bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '),
  'audio/webm': bytes([0x1a, 0x45, 0xdf, 0xa3]),
  'video/mp4': bytes([0, 0, 0, 32], 'ftypisom'),
  'video/quicktime': bytes([0, 0, 0, 8], 'wide'),
  'video/webm': bytes([0x1a, 0x45, 0xdf, 0xa3]),
  'application/pdf': bytes('%PDF-1.7'),
  'text/plain': bytes('Meeting notes\nsecond line'),
};

describe('bytesMatchType', () => {
  it.each(attachmentContentTypes)('accepts a real %s opening', (contentType) => {
    expect(bytesMatchType(contentType, openings[contentType])).toBe(true);
  });

  it('refuses a page, a script or an image in disguise, whatever it was declared as', () => {
    const page = bytes('<!DOCTYPE html><script>alert(1)</script>');
    for (const contentType of attachmentContentTypes) expect(bytesMatchType(contentType, page)).toBe(false);
    expect(bytesMatchType('image/png', openings['image/jpeg'])).toBe(false);
    expect(bytesMatchType('application/pdf', openings['image/png'])).toBe(false);
  });

  it('refuses as plain text markup a browser would render, and binary content', () => {
    expect(bytesMatchType('text/plain', bytes('\uFEFF  <svg onload=alert(1)>'))).toBe(false);
    expect(bytesMatchType('text/plain', bytes('<?xml version="1.0"?>'))).toBe(false);
    expect(bytesMatchType('text/plain', bytes('plain', [0], 'binary'))).toBe(false);
    expect(bytesMatchType('text/plain', bytes('a < b and <i> is fine'))).toBe(true);
  });

  it('refuses an empty opening and a type outside the allow-list', () => {
    expect(bytesMatchType('image/png', new Uint8Array())).toBe(false);
    expect(bytesMatchType('text/html', bytes('<p>hi</p>'))).toBe(false);
  });
});
