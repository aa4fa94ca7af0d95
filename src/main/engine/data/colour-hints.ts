/**
 * Colour hints on a line drawing: the marks a user paints on the Doodle
 * canvas to say which colour they want where (black strokes are lines,
 * coloured marks are hints, white is paper). The canvas stays the model's
 * single input; a model trained with hints learns to read the colours on it.
 *
 * Training samples hints from the true target, as user-guided colourisation
 * does (Zhang et al. 2017, "Real-Time User-Guided Image Colorization with
 * Learned Deep Priors", §3.2: the number of points drawn from a geometric
 * distribution with p = 1/8, each point the mean colour of a small patch of
 * the target, and no points for part of the batches so the model also works
 * without them). Our Doodle canvas has a brush, lines and a fill bucket, so
 * besides points we paint short strokes and whole fills of an enclosed
 * region of the drawing, each in the target's mean colour under the mark.
 *
 * Images are RGB, row-major, 3 floats a pixel in [-1, 1] (the batches' range).
 * No tfjs here: the trainer, `ganvas eval` and the flood-fill baseline share it.
 */
import { toLineArt } from '../../../shared/line-art.js';
import { SeededRandom } from '../random.js';

export interface Hint {
  /** Pixel indices (y·width + x) the mark covers. */
  pixels: number[];
  /** Its colour, RGB in [-1, 1]. */
  colour: [number, number, number];
}

export interface TrainingHintOptions {
  /** Most marks on one image. */
  maxHints: number;
  /** Share of images that get no hint at all, so the model keeps working on a bare sketch. */
  noHintShare: number;
}

/** A pixel of the canvas that reads as a line: near black and grey (a dark but coloured hint is not a line). */
export function isLinePixel(image: Float32Array, pixel: number): boolean {
  const r = image[pixel * 3]!;
  const g = image[pixel * 3 + 1]!;
  const b = image[pixel * 3 + 2]!;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  // On [-1, 1]: darker than 40 % grey (anti-aliased edges included), channels within 10 % of each other.
  return max < -0.2 && max - min < 0.2;
}

/** A pixel of the canvas that carries a colour (a hint), not black, grey or white. */
export function isHintPixel(image: Float32Array, pixel: number): boolean {
  const r = image[pixel * 3]!;
  const g = image[pixel * 3 + 1]!;
  const b = image[pixel * 3 + 2]!;
  return Math.max(r, g, b) - Math.min(r, g, b) >= 0.2;
}

/** A pixel of the target that is drawn (not white paper), where a hint says something. */
function isInked(image: Float32Array, pixel: number): boolean {
  return Math.min(image[pixel * 3]!, image[pixel * 3 + 1]!, image[pixel * 3 + 2]!) < 0.8;
}

function meanColour(target: Float32Array, pixels: readonly number[]): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  for (const p of pixels) {
    r += target[p * 3]!;
    g += target[p * 3 + 1]!;
    b += target[p * 3 + 2]!;
  }
  const n = Math.max(1, pixels.length);
  return [r / n, g / n, b / n];
}

function squareAt(cx: number, cy: number, side: number, width: number, height: number): number[] {
  const pixels: number[] = [];
  const from = -Math.floor((side - 1) / 2);
  for (let dy = from; dy < from + side; dy++) {
    for (let dx = from; dx < from + side; dx++) {
      const x = cx + dx;
      const y = cy + dy;
      if (x >= 0 && y >= 0 && x < width && y < height) pixels.push(y * width + x);
    }
  }
  return pixels;
}

/**
 * The region of non-line pixels around (x, y) in the sketch (4-connected), as
 * the fill bucket finds it, or null when it reaches more than `maxShare` of the
 * image (the paper around the drawing).
 */
export function regionAt(sketch: Float32Array, width: number, height: number, start: number, maxShare = 1): number[] | null {
  if (isLinePixel(sketch, start)) return null;
  const limit = Math.floor(width * height * maxShare);
  const seen = new Uint8Array(width * height);
  const region: number[] = [];
  const stack = [start];
  seen[start] = 1;
  while (stack.length > 0) {
    const p = stack.pop()!;
    region.push(p);
    if (region.length > limit) return null;
    const x = p % width;
    const y = (p - x) / width;
    const next = [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1];
    for (const q of next) {
      if (q >= 0 && !seen[q] && !isLinePixel(sketch, q)) {
        seen[q] = 1;
        stack.push(q);
      }
    }
  }
  return region;
}

/** A random coloured pixel of the target, not paper and not a line (or any pixel when none turns up in a few tries). */
function pickPixel(target: Float32Array, pixels: number, random: SeededRandom): number {
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = random.int(pixels);
    if (isInked(target, p) && !isLinePixel(target, p)) return p;
  }
  return random.int(pixels);
}

function strokeFrom(cx: number, cy: number, random: SeededRandom, width: number, height: number): number[] {
  const angle = random.next() * 2 * Math.PI;
  const length = 3 + random.int(8);
  const thickness = 1 + random.int(2);
  const covered = new Set<number>();
  for (let t = 0; t <= length; t++) {
    const x = Math.round(cx + Math.cos(angle) * t);
    const y = Math.round(cy + Math.sin(angle) * t);
    for (const p of squareAt(x, y, thickness, width, height)) covered.add(p);
  }
  return [...covered];
}

/** Hints for one training pair: 0 with probability `noHintShare`, else 1 + Geometric(1/8) marks, at most `maxHints`. */
export function sampleTrainingHints(
  sketch: Float32Array,
  target: Float32Array,
  width: number,
  height: number,
  random: SeededRandom,
  options: TrainingHintOptions,
): Hint[] {
  if (options.maxHints <= 0 || random.next() < options.noHintShare) return [];
  let count = 1;
  while (count < options.maxHints && random.next() >= 1 / 8) count++;
  const hints: Hint[] = [];
  for (let i = 0; i < count; i++) {
    const p = pickPixel(target, width * height, random);
    const x = p % width;
    const y = (p - x) / width;
    const kind = random.next();
    let pixels: number[] | null;
    if (kind < 0.5) pixels = squareAt(x, y, 1 + random.int(3), width, height);
    else if (kind < 0.8) pixels = strokeFrom(x, y, random, width, height);
    else pixels = regionAt(sketch, width, height, p, 0.25) ?? squareAt(x, y, 2, width, height);
    hints.push({ pixels, colour: meanColour(target, pixels) });
  }
  return hints;
}

/**
 * `count` point hints (3×3 patches, the mean target colour of each) on inked
 * pixels of the target, the same ones for the same seed: what `ganvas eval
 * --hints` gives every model and the flood-fill baseline.
 */
export function evaluationHints(target: Float32Array, width: number, height: number, count: number, seed: number): Hint[] {
  const random = new SeededRandom(seed);
  const hints: Hint[] = [];
  for (let i = 0; i < count; i++) {
    const p = pickPixel(target, width * height, random);
    const x = p % width;
    const pixels = squareAt(x, (p - x) / width, 3, width, height);
    hints.push({ pixels, colour: meanColour(target, pixels) });
  }
  return hints;
}

/** A copy of the sketch with the hints painted on it, later marks over earlier ones. */
export function paintHints(sketch: Float32Array, hints: readonly Hint[]): Float32Array {
  const canvas = new Float32Array(sketch);
  for (const { pixels, colour } of hints) {
    for (const p of pixels) {
      canvas[p * 3] = colour[0];
      canvas[p * 3 + 1] = colour[1];
      canvas[p * 3 + 2] = colour[2];
    }
  }
  return canvas;
}

/**
 * The baseline a network has to beat, with no network: each enclosed region
 * of the drawing that holds hint pixels is flooded with their mean colour;
 * lines stay as drawn and regions without a hint stay white. It reads only
 * the canvas (lines and hints), as a model does.
 */
export function floodHintsBaseline(canvas: Float32Array, width: number, height: number): Float32Array {
  const pixels = width * height;
  const out = new Float32Array(pixels * 3).fill(1);
  const done = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) {
    if (done[p]) continue;
    if (isLinePixel(canvas, p)) {
      done[p] = 1;
      for (let c = 0; c < 3; c++) out[p * 3 + c] = canvas[p * 3 + c]!;
      continue;
    }
    const region = regionAt(canvas, width, height, p)!;
    const hinted = region.filter((q) => isHintPixel(canvas, q));
    const colour = hinted.length > 0 ? meanColour(canvas, hinted) : ([1, 1, 1] as [number, number, number]);
    for (const q of region) {
      done[q] = 1;
      for (let c = 0; c < 3; c++) out[q * 3 + c] = colour[c]!;
    }
  }
  return out;
}

/** Channels `hintLayer` adds to the canvas: the spread hint colour (RGB) and how sure it is. */
export const HINT_LAYER_CHANNELS = 4;

export interface HintLayerOptions {
  /**
   * A region of the drawing that does not touch the image's edge and covers at most this share of it
   * takes its hints' colours throughout (a closed shape); default 0.7.
   */
  closedShare?: number;
  /** In a larger region (the paper round the drawing, or a shape with a gap in its outline) a hint reaches only this far, as a share of the shorter side. */
  openReach?: number;
}

/**
 * What the canvas says about colour, spread out for the generator: each hint
 * pixel's colour carried over the non-line pixels of its region of the
 * drawing, each pixel taking the colour of the nearest hint along a path that
 * crosses no line (a geodesic Voronoi of the hints). A closed shape takes its
 * hints' colours throughout; in a region that reaches the image's edge (the
 * paper) or covers more than `closedShare` of it, a hint reaches `openReach` of
 * the shorter side, so a colour dropped inside an outline with a gap does not
 * flood the page (the flood baseline's failure).
 *
 * Returns width·height·4 floats: RGB on [-1, 1] (0 where no hint reaches) and a
 * confidence, 1 on a hint pixel, 0.5 where spread, 0 elsewhere. A canvas with no
 * colour on it gives all zeros, so a model given this layer sees a bare sketch
 * exactly as a model without it does. It reads only the canvas.
 */
export function hintLayer(canvas: Float32Array, width: number, height: number, options: HintLayerOptions = {}): Float32Array {
  const pixels = width * height;
  const layer = new Float32Array(pixels * HINT_LAYER_CHANNELS);
  const sources: number[] = [];
  for (let p = 0; p < pixels; p++) if (isHintPixel(canvas, p)) sources.push(p);
  if (sources.length === 0) return layer;

  // Regions of the drawing (4-connected non-line pixels) and their sizes.
  const region = new Int32Array(pixels).fill(-1);
  const regionSize: number[] = [];
  /** Regions that reach the image's edge: the paper round the drawing (or a shape whose outline is cut off). */
  const open: boolean[] = [];
  const stack: number[] = [];
  for (let p = 0; p < pixels; p++) {
    if (region[p] !== -1 || isLinePixel(canvas, p)) continue;
    const id = regionSize.length;
    let size = 0;
    let edge = false;
    region[p] = id;
    stack.push(p);
    while (stack.length > 0) {
      const q = stack.pop()!;
      size++;
      const x = q % width;
      if (x === 0 || x === width - 1 || q < width || q >= pixels - width) edge = true;
      if (x > 0 && region[q - 1] === -1 && !isLinePixel(canvas, q - 1)) { region[q - 1] = id; stack.push(q - 1); }
      if (x < width - 1 && region[q + 1] === -1 && !isLinePixel(canvas, q + 1)) { region[q + 1] = id; stack.push(q + 1); }
      if (q >= width && region[q - width] === -1 && !isLinePixel(canvas, q - width)) { region[q - width] = id; stack.push(q - width); }
      if (q < pixels - width && region[q + width] === -1 && !isLinePixel(canvas, q + width)) { region[q + width] = id; stack.push(q + width); }
    }
    regionSize.push(size);
    open.push(edge);
  }

  const closedLimit = pixels * (options.closedShare ?? 0.7);
  const reach = Math.max(2, Math.round(Math.min(width, height) * (options.openReach ?? 0.1)));
  // Breadth-first from every hint pixel at once: the first to reach a pixel is the nearest.
  const distance = new Int32Array(pixels).fill(-1);
  const nearest = new Int32Array(pixels);
  let frontier = sources;
  for (const s of sources) {
    distance[s] = 0;
    nearest[s] = s;
  }
  for (let d = 1; frontier.length > 0; d++) {
    const next: number[] = [];
    for (const q of frontier) {
      const id = region[q]!;
      if ((open[id] || regionSize[id]! > closedLimit) && d > reach) continue;
      const x = q % width;
      const neighbours = [x > 0 ? q - 1 : -1, x < width - 1 ? q + 1 : -1, q >= width ? q - width : -1, q < pixels - width ? q + width : -1];
      for (const r of neighbours) {
        if (r < 0 || distance[r] !== -1 || region[r] !== id) continue;
        distance[r] = d;
        nearest[r] = nearest[q]!;
        next.push(r);
      }
    }
    frontier = next;
  }
  for (let p = 0; p < pixels; p++) {
    if (distance[p] === -1) continue;
    const s = nearest[p]!;
    const o = p * HINT_LAYER_CHANNELS;
    layer[o] = canvas[s * 3]!;
    layer[o + 1] = canvas[s * 3 + 1]!;
    layer[o + 2] = canvas[s * 3 + 2]!;
    layer[o + 3] = distance[p] === 0 ? 1 : 0.5;
  }
  return layer;
}

/**
 * The target's edges as a sketch, black lines on white (shared/line-art.ts, the
 * edge detector the Doodle view traces photos with): a second sketch style for
 * training, since people do not draw like the line art a dataset pairs.
 * RGB on [-1, 1] in and out.
 */
export function edgeSketch(target: Float32Array, width: number, height: number): Float32Array {
  const pixels = width * height;
  const data = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.round((target[p * 3 + c]! + 1) * 127.5);
    data[p * 4 + 3] = 255;
  }
  toLineArt({ width, height, data });
  const out = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = data[p * 4 + c]! / 127.5 - 1;
  return out;
}
