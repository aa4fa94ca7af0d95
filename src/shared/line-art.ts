/**
 * Photos on the Doodle canvas: the models draw from black lines on white
 * paper (with colour hints), so a dropped photo would come out as grey mud.
 * A photo is turned into line art first, by an edge detector: luminance
 * (Rec. 601 weights), a 3×3 binomial blur, the Sobel gradient magnitude, and
 * the strongest edges kept as black lines (Canny 1986 and every edge detector
 * since start from these two filters; the threshold here is a fixed share of
 * the image rather than Canny's hysteresis, enough at 64–256 px).
 *
 * A drawing (mostly white paper) is left as it is.
 */
export interface Rgba8 {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes a pixel (an ImageData's data). */
  readonly data: Uint8ClampedArray;
}

/** A pixel at least this light on every channel counts as paper. */
const PAPER = 235;
/** Below this share of paper pixels an image is a photo, not a drawing on white. */
const DRAWING_PAPER_SHARE = 0.35;
/** Share of the pixels that become lines (the strongest edges). */
export const EDGE_SHARE = 0.12;

/** At least this many distinct colours (4 bits a channel) make an image a photo; a flat silhouette has a few. */
const PHOTO_COLOURS = 16;

/** Whether the image looks like a photo rather than a drawing: little white paper and many colours. */
export function looksLikePhoto(image: Rgba8): boolean {
  const { data } = image;
  const pixels = image.width * image.height;
  if (pixels === 0) return false;
  let paper = 0;
  const colours = new Set<number>();
  for (let i = 0; i < data.length; i += 4) {
    if (data[i]! >= PAPER && data[i + 1]! >= PAPER && data[i + 2]! >= PAPER) paper++;
    colours.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
  }
  return paper / pixels < DRAWING_PAPER_SHARE && colours.size >= PHOTO_COLOURS;
}

function luminance(image: Rgba8): Float32Array {
  const out = new Float32Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) {
    const o = p * 4;
    out[p] = 0.299 * image.data[o]! + 0.587 * image.data[o + 1]! + 0.114 * image.data[o + 2]!;
  }
  return out;
}

/** Edge magnitude per pixel: Sobel on the blurred luminance, borders clamped. */
export function edgeStrength(image: Rgba8): Float32Array {
  const { width, height } = image;
  const luma = luminance(image);
  const at = (plane: Float32Array, x: number, y: number) =>
    plane[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  const blurred = new Float32Array(luma.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(luma, x + dx, y + dy) * (dx === 0 ? 2 : 1) * (dy === 0 ? 2 : 1);
      blurred[y * width + x] = sum / 16;
    }
  }
  const out = new Float32Array(luma.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = at(blurred, x + 1, y - 1) + 2 * at(blurred, x + 1, y) + at(blurred, x + 1, y + 1) - at(blurred, x - 1, y - 1) - 2 * at(blurred, x - 1, y) - at(blurred, x - 1, y + 1);
      const gy = at(blurred, x - 1, y + 1) + 2 * at(blurred, x, y + 1) + at(blurred, x + 1, y + 1) - at(blurred, x - 1, y - 1) - 2 * at(blurred, x, y - 1) - at(blurred, x + 1, y - 1);
      out[y * width + x] = Math.hypot(gx, gy);
    }
  }
  return out;
}

/** The photo as black lines on white, in place: the `share` strongest edges become black, the rest white. */
export function toLineArt(image: Rgba8, share = EDGE_SHARE): void {
  const strength = edgeStrength(image);
  const sorted = Float32Array.from(strength).sort();
  const threshold = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * (1 - share)))] ?? Infinity;
  for (let p = 0; p < strength.length; p++) {
    // A flat photo (no edge at all) becomes blank paper, not a black page.
    const value = strength[p]! >= threshold && strength[p]! > 0 ? 0 : 255;
    image.data[p * 4] = image.data[p * 4 + 1] = image.data[p * 4 + 2] = value;
    image.data[p * 4 + 3] = 255;
  }
}
