/** Where things go on screen and on the canvas. */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** An imported image scaled to fit inside a size×size canvas, keeping its shape, centred. */
export function fitInside(imageWidth: number, imageHeight: number, size: number): Rect {
  if (!(imageWidth > 0 && imageHeight > 0)) throw new RangeError(`image has no pixels (${imageWidth}×${imageHeight})`);
  const scale = Math.min(size / imageWidth, size / imageHeight);
  const width = Math.max(1, Math.round(imageWidth * scale));
  const height = Math.max(1, Math.round(imageHeight * scale));
  return { x: Math.floor((size - width) / 2), y: Math.floor((size - height) / 2), width, height };
}

export const maxZoom = 16;

/**
 * The largest whole-number zoom at which a size×size canvas fits `width`×`height`
 * CSS pixels: whole numbers keep every model pixel the same number of screen
 * pixels, so the drawing stays crisp.
 */
export function integerZoom(size: number, width: number, height: number): number {
  const fit = Math.floor(Math.min(width, height) / size);
  return Math.min(maxZoom, Math.max(1, fit));
}
