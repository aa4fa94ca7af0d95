/**
 * The fill bucket: a scanline flood fill over RGBA pixels.
 *
 * Tolerance matters on a doodle: strokes are anti-aliased, so a fill with
 * tolerance 0 leaves a grey fringe along every line. A pixel joins the fill
 * when no channel differs from the seed pixel's by more than `tolerance`.
 */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, 4 bytes a pixel (an ImageData's `data`). */
  readonly data: Uint8ClampedArray;
}

export type Rgba = readonly [number, number, number, number];

/** Fills in place; returns how many pixels changed region (0 when the seed is off the canvas or already the colour). */
export function floodFill(pixels: Pixels, seedX: number, seedY: number, colour: Rgba, tolerance: number): number {
  const { width, height, data } = pixels;
  if (data.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes for ${width}×${height} RGBA, got ${data.length}`);
  const x0 = Math.floor(seedX);
  const y0 = Math.floor(seedY);
  if (x0 < 0 || y0 < 0 || x0 >= width || y0 >= height) return 0;
  const limit = Math.max(0, Math.min(255, tolerance));
  const start = (y0 * width + x0) * 4;
  const seed = [data[start]!, data[start + 1]!, data[start + 2]!, data[start + 3]!] as const;
  // Filling a region with its own colour would change nothing.
  if (limit === 0 && seed.every((value, channel) => value === colour[channel])) return 0;

  const visited = new Uint8Array(width * height);
  const matches = (pixel: number) => {
    if (visited[pixel]) return false;
    const offset = pixel * 4;
    return (
      Math.abs(data[offset]! - seed[0]) <= limit &&
      Math.abs(data[offset + 1]! - seed[1]) <= limit &&
      Math.abs(data[offset + 2]! - seed[2]) <= limit &&
      Math.abs(data[offset + 3]! - seed[3]) <= limit
    );
  };

  let filled = 0;
  const stack: number[] = [x0, y0];
  while (stack.length) {
    const y = stack.pop()!;
    const x = stack.pop()!;
    const row = y * width;
    if (!matches(row + x)) continue;
    let left = x;
    while (left > 0 && matches(row + left - 1)) left--;
    let right = x;
    while (right < width - 1 && matches(row + right + 1)) right++;
    for (let column = left; column <= right; column++) {
      const pixel = row + column;
      visited[pixel] = 1;
      const offset = pixel * 4;
      data[offset] = colour[0];
      data[offset + 1] = colour[1];
      data[offset + 2] = colour[2];
      data[offset + 3] = colour[3];
      filled++;
    }
    // One seed per run of matching pixels in the rows above and below.
    for (const next of [y - 1, y + 1]) {
      if (next < 0 || next >= height) continue;
      const nextRow = next * width;
      let inRun = false;
      for (let column = left; column <= right; column++) {
        const hit = matches(nextRow + column);
        if (hit && !inRun) stack.push(column, next);
        inRun = hit;
      }
    }
  }
  return filled;
}

/** '#1a2b3c' → [26, 43, 60, 255]. */
export function parseHexColour(hex: string): Rgba {
  const match = /^#([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) throw new Error(`not a #rrggbb colour: "${hex}"`);
  const value = Number.parseInt(match[1]!, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, 255];
}
