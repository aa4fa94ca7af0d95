import type { Gallery } from '../engine/gallery/index.js';

/**
 * Resolves `image/<hash>` or `thumb/<hash>` to a file in the gallery, for
 * both the Electron media protocol and the HTTP server. Only exact hashes
 * the gallery knows are served: no path ever comes from the request.
 */
export function mediaFile(gallery: Gallery, reference: string): string | null {
  const match = /^(image|thumb)\/([a-f0-9]{64})$/.exec(reference);
  if (!match) return null;
  const [, variant, hash] = match as unknown as [string, 'image' | 'thumb', string];
  return variant === 'image' ? gallery.imagePath(hash) : gallery.thumbPath(hash);
}
