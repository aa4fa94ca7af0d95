/**
 * SVG (and gzipped SVGZ) files: recognising them, and measuring and
 * rendering them, always in the isolated renderer process (svg-renderer.ts).
 */
import { svgRenderer } from './svg-renderer.js';
import type { RawImage } from './types.js';

/**
 * An SVG is recognised by its extension or by its start (an XML declaration,
 * comment or DOCTYPE and then an `<svg` element), since users rename files.
 * Gzipped data can only be an SVGZ here (no raster format GANvas reads is a
 * gzip stream), so it goes to the SVG renderer, which inflates it with a cap.
 */
export function isSvg(bytes: Uint8Array, fileName: string): boolean {
  if (/\.svgz?$/i.test(fileName)) return true;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 65_536)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return /^(<\?xml|<!--|<!DOCTYPE svg|<svg)/i.test(head) && /<svg[\s>/]/i.test(head);
}

/** The SVG's intrinsic size (its width/height, else its viewBox). Rejects with an ImageDecodeError. */
export function svgSize(svg: Uint8Array, name: string): Promise<{ width: number; height: number }> {
  return svgRenderer().measure(svg, name);
}

/**
 * Renders on a transparent background, `longSide` pixels on the long side
 * (default: the intrinsic size), as straight (unpremultiplied) RGBA like
 * every other decoder here. Rejects with an ImageDecodeError.
 */
export function renderSvg(svg: Uint8Array, name: string, longSide?: number): Promise<RawImage> {
  return svgRenderer().render(svg, name, longSide);
}
