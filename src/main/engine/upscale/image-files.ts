import path from 'node:path';

/** Raster formats the decoder reads; SVG is left out: upscaling a vector drawing should re-render it instead. */
const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif']);

/** Whether a folder entry is an image to upscale (hidden files such as .DS_Store are not). */
export function isImageFileName(name: string): boolean {
  return !name.startsWith('.') && imageExtensions.has(path.extname(name).toLowerCase());
}
