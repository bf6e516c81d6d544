/**
 * Previews made with sharp (libvips): the first frame, turned upright by its EXIF orientation, fitted within
 * 320 × 320 (never enlarged) as WebP. Only the thumbnail function imports this module, so only its bundle needs
 * sharp, installed for Lambda's platform (README "Thumbnails").
 */
import sharp from 'sharp';
import type { PreviewRenderer, RenderedPreview } from '../domain/attachment-ports.ts';
import { previewContentType } from '../domain/attachment-rules.ts';
import { limits } from '../domain/limits.ts';

/** What sharp names the format of each type in `previewedContentTypes`. */
const sharpFormats: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

export class SharpPreviews implements PreviewRenderer {
  async render(bytes: Uint8Array, contentType: string): Promise<RenderedPreview | undefined> {
    const format = sharpFormats[contentType];
    if (!format) return undefined;
    // A decompression bomb (a small file of huge dimensions) is refused before it is decoded.
    const image = sharp(bytes, { limitInputPixels: limits.previewMaxInputPixels, failOn: 'error' });
    try {
      const metadata = await image.metadata();
      // Decoded by the type it declares: a file whose bytes are of another format gets no preview.
      if (metadata.format !== format) return undefined;
      const preview = await image
        .rotate()
        .resize({
          width: limits.previewMaxPixels,
          height: limits.previewMaxPixels,
          fit: 'inside',
          withoutEnlargement: true,
        })
        .webp({ quality: 75 })
        .toBuffer();
      return {
        bytes: new Uint8Array(preview),
        contentType: previewContentType,
        original: { width: metadata.autoOrient.width, height: metadata.autoOrient.height },
      };
    } catch {
      // Only the bytes in hand are worked on, so any failure is theirs (corrupt, truncated, over the pixel
      // limit): no preview, and nothing a retry would change.
      return undefined;
    }
  }
}
