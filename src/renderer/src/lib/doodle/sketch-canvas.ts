/**
 * The doodle itself. It is drawn at screen resolution (`detail` raster pixels
 * per model pixel, about 512 px a side) with the canvas's own anti-aliased
 * strokes, so the stage shows smooth lines at the size they are seen, and it
 * is reduced by area averaging to the model's size×size for the model, the
 * gallery and `ganvas translate` (toPngBase64): the box average of a smooth
 * drawing is what a vector renderer gives at the small size, like the rendered
 * line art the bundled models learned from. Every coordinate and width in
 * this API is in model pixels.
 */
import { floodFill, parseHexColour } from './flood-fill.js';
import { looksLikePhoto, toLineArt } from '../../../../shared/line-art.js';
import { fitInside } from './placement.js';
import { detailFor, reduceByArea } from './area-reduce.js';
import { packRaster, unpackRaster, type PackedRaster } from './packed-raster.js';

export const paperColour = '#ffffff';

export class SketchCanvas {
  readonly element: HTMLCanvasElement;
  #context: CanvasRenderingContext2D;
  #last: { x: number; y: number } | undefined;
  #size = 0;
  #detail = 1;

  constructor(size: number) {
    this.element = document.createElement('canvas');
    this.#context = this.#prepare(size);
    this.clear();
  }

  /** The side in model pixels. */
  get size(): number {
    return this.#size;
  }

  #prepare(size: number): CanvasRenderingContext2D {
    this.#size = size;
    this.#detail = detailFor(size);
    this.element.width = size * this.#detail;
    this.element.height = size * this.#detail;
    // Read back on every fill and undo snapshot: keep the pixels on the CPU side.
    const context = this.element.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser cannot draw on a canvas');
    // Drawing calls take model pixels; the raster has `detail` of them per model pixel.
    context.setTransform(this.#detail, 0, 0, this.#detail, 0, 0);
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = 'high';
    return context;
  }

  clear(): void {
    this.#context.fillStyle = paperColour;
    this.#context.fillRect(0, 0, this.size, this.size);
  }

  /** Starts a freehand stroke with a dot, so a click leaves a mark. */
  beginStroke(x: number, y: number, width: number, colour: string): void {
    this.#last = { x, y };
    const context = this.#context;
    context.fillStyle = colour;
    context.beginPath();
    context.arc(x, y, width / 2, 0, Math.PI * 2);
    context.fill();
  }

  continueStroke(x: number, y: number, width: number, colour: string): void {
    const from = this.#last ?? { x, y };
    this.line(from.x, from.y, x, y, width, colour);
    this.#last = { x, y };
  }

  endStroke(): void {
    this.#last = undefined;
  }

  line(x0: number, y0: number, x1: number, y1: number, width: number, colour: string): void {
    const context = this.#context;
    context.strokeStyle = colour;
    context.lineWidth = width;
    context.beginPath();
    context.moveTo(x0, y0);
    context.lineTo(x1, y1);
    context.stroke();
  }

  /** Returns whether any pixel changed. */
  fill(x: number, y: number, colour: string, tolerance: number): boolean {
    const pixels = this.#pixels();
    const changed = floodFill(pixels, x * this.#detail, y * this.#detail, parseHexColour(colour), tolerance);
    if (changed) this.#context.putImageData(pixels, 0, 0);
    return changed > 0;
  }

  #pixels(): ImageData {
    return this.#context.getImageData(0, 0, this.element.width, this.element.height);
  }

  /** The raster as it is (for undo), packed: `size·detail` pixels a side, usually a few KB (packed-raster.ts). */
  snapshot(): PackedRaster {
    return packRaster(this.#pixels());
  }

  /**
   * Shows a snapshot again. `size` (model pixels) changes the canvas size
   * first; a snapshot of another raster size (a doodle kept at model size by an
   * earlier version) is scaled to fit.
   */
  restore(state: PackedRaster, size = this.size): void {
    const snapshot = imageDataOf(state);
    if (size !== this.size) this.#context = this.#prepare(size);
    if (snapshot.width === this.element.width && snapshot.height === this.element.height) {
      this.#context.putImageData(snapshot, 0, 0);
      return;
    }
    this.place(canvasOf(snapshot), snapshot.width, snapshot.height, { tracePhotos: false });
  }

  /**
   * Replaces the drawing with an image scaled to fit, centred on white. A
   * photo becomes line art (edges, line-art.ts), since the models draw from
   * lines; returns which it was.
   */
  place(image: CanvasImageSource, width: number, height: number, options: { tracePhotos?: boolean } = {}): 'drawing' | 'photo' {
    const target = fitInside(width, height, this.size);
    this.clear();
    if (options.tracePhotos !== false) {
      // Photos are judged and traced at the model's size, where the edge detector's lines have the width the models know.
      const small = document.createElement('canvas');
      small.width = small.height = this.size;
      const context = small.getContext('2d', { willReadFrequently: true })!;
      context.fillStyle = paperColour;
      context.fillRect(0, 0, this.size, this.size);
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'high';
      context.drawImage(image, target.x, target.y, target.width, target.height);
      const placed = context.getImageData(target.x, target.y, Math.max(1, target.width), Math.max(1, target.height));
      if (looksLikePhoto(placed)) {
        toLineArt(placed);
        context.putImageData(placed, target.x, target.y);
        this.#context.drawImage(small, 0, 0, this.size, this.size);
        return 'photo';
      }
    }
    // A drawing keeps its own detail, up to the raster's.
    this.#context.drawImage(image, target.x, target.y, target.width, target.height);
    return 'drawing';
  }

  /** Changes the canvas size, keeping the drawing (scaled). */
  resize(size: number): void {
    if (size === this.size) return;
    const copy = document.createElement('canvas');
    copy.width = copy.height = this.element.width;
    copy.getContext('2d')!.drawImage(this.element, 0, 0);
    this.#context = this.#prepare(size);
    this.place(copy, copy.width, copy.height, { tracePhotos: false });
  }

  /** The drawing at the model's size, each pixel the mean of its block of the raster. */
  modelPixels(): ImageData {
    const reduced = reduceByArea(this.#pixels(), this.#detail);
    return new ImageData(reduced.data, reduced.width, reduced.height);
  }

  /** The drawing at the model's size as PNG bytes in base64 (what the contract carries and the gallery keeps). */
  toPngBase64(): string {
    return canvasOf(this.modelPixels()).toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  }
}

/** An undo state as pixels the canvas takes. */
export function imageDataOf(state: PackedRaster): ImageData {
  const { data, width, height } = unpackRaster(state);
  return new ImageData(data, width, height);
}

/** A canvas holding exactly these pixels. */
function canvasOf(pixels: ImageData): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
  return canvas;
}

/** Decodes a picked or dropped file; the message names the file when it is not an image the browser can read. */
export async function readImageFile(file: File): Promise<ImageBitmap> {
  if (file.type && !file.type.startsWith('image/')) throw new Error(`“${file.name}” is not an image (${file.type}). Pick a PNG, JPEG or WebP file.`);
  try {
    return await createImageBitmap(file);
  } catch {
    throw new Error(`“${file.name}” could not be read as an image: the file may be damaged or in a format this browser cannot open. Pick a PNG, JPEG or WebP file.`);
  }
}
