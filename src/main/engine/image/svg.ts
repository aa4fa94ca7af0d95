import { Resvg, renderAsync } from '@resvg/resvg-js';
import type { RawImage } from './types.js';

/** An SVG is recognised by its extension or by an XML/`<svg` start, since users rename files. */
export function isSvg(bytes: Buffer, fileName: string): boolean {
  if (/\.svgz?$/i.test(fileName)) return true;
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return /^(<\?xml|<!--|<!DOCTYPE svg|<svg)/i.test(head) && head.includes('<svg');
}

function renderOptions(svg: Buffer, longSide?: number) {
  // Loading system fonts costs ~6 ms per render here; only SVGs with text need them.
  const hasText = svg.includes('<text');
  const fitTo = longSide === undefined ? undefined : fitLongSide(svg, longSide);
  return { font: { loadSystemFonts: hasText }, ...(fitTo ? { fitTo } : {}), logLevel: 'off' as const };
}

function fitLongSide(svg: Buffer, longSide: number) {
  const { width, height } = svgSize(svg);
  return width >= height
    ? ({ mode: 'width', value: longSide } as const)
    : ({ mode: 'height', value: longSide } as const);
}

/** The SVG's intrinsic size (its width/height, else its viewBox). Throws on malformed SVG. */
export function svgSize(svg: Buffer): { width: number; height: number } {
  const parsed = new Resvg(svg, { font: { loadSystemFonts: false }, logLevel: 'off' });
  return { width: parsed.width, height: parsed.height };
}

/**
 * Renders on a transparent background, `longSide` pixels on the long side.
 * resvg hands back premultiplied RGBA; we return straight (unpremultiplied) alpha
 * like every other decoder here, so flattening later is a plain blend.
 */
export async function renderSvg(svg: Buffer, longSide?: number): Promise<RawImage> {
  const rendered = await renderAsync(svg, renderOptions(svg, longSide));
  const data = new Uint8Array(rendered.pixels);
  for (let i = 0; i < data.length; i += 4) {
    const alpha = data[i + 3]!;
    if (alpha === 0 || alpha === 255) continue;
    for (let c = 0; c < 3; c++) data[i + c] = Math.min(255, Math.round((data[i + c]! * 255) / alpha));
  }
  return { data, width: rendered.width, height: rendered.height, channels: 4 };
}
