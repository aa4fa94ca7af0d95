/**
 * The doodle itself: a size×size raster in model pixels. It is the source of
 * truth (what is exported to the model is exactly these pixels); the Konva
 * stage only shows it enlarged. Strokes are drawn with the canvas's own
 * anti-aliased lines, like the rendered line art the bundled model learned from.
 */
import { floodFill, parseHexColour } from './flood-fill.js';
import { looksLikePhoto, toLineArt } from '../../../../shared/line-art.js';
import { fitInside } from './placement.js';

export const paperColour = '#ffffff';

export class SketchCanvas {
  readonly element: HTMLCanvasElement;
  #context: CanvasRenderingContext2D;
  #last: { x: number; y: number } | undefined;

  constructor(size: number) {
    this.element = document.createElement('canvas');
    this.#context = this.#prepare(size);
    this.clear();
  }

  get size(): number {
    return this.element.width;
  }

  #prepare(size: number): CanvasRenderingContext2D {
    this.element.width = size;
    this.element.height = size;
    // Read back on every fill and undo snapshot: keep the pixels on the CPU side.
    const context = this.element.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser cannot draw on a canvas');
    context.lineCap = 'round';
    context.lineJoin = 'round';
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
    const pixels = this.snapshot();
    const changed = floodFill(pixels, x, y, parseHexColour(colour), tolerance);
    if (changed) this.#context.putImageData(pixels, 0, 0);
    return changed > 0;
  }

  snapshot(): ImageData {
    return this.#context.getImageData(0, 0, this.size, this.size);
  }

  restore(snapshot: ImageData): void {
    if (snapshot.width !== this.size) this.#context = this.#prepare(snapshot.width);
    this.#context.putImageData(snapshot, 0, 0);
  }

  /**
   * Replaces the drawing with an image scaled to fit, centred on white. A
   * photo becomes line art (edges, line-art.ts), since the models draw from
   * lines; returns which it was.
   */
  place(image: CanvasImageSource, width: number, height: number, options: { tracePhotos?: boolean } = {}): 'drawing' | 'photo' {
    const target = fitInside(width, height, this.size);
    this.clear();
    this.#context.imageSmoothingEnabled = true;
    this.#context.imageSmoothingQuality = 'high';
    this.#context.drawImage(image, target.x, target.y, target.width, target.height);
    const placed = this.#context.getImageData(target.x, target.y, Math.max(1, target.width), Math.max(1, target.height));
    if (options.tracePhotos === false || !looksLikePhoto(placed)) return 'drawing';
    toLineArt(placed);
    this.#context.putImageData(placed, target.x, target.y);
    return 'photo';
  }

  /** Changes the canvas size, keeping the drawing (scaled). */
  resize(size: number): void {
    if (size === this.size) return;
    const copy = document.createElement('canvas');
    copy.width = copy.height = this.size;
    copy.getContext('2d')!.drawImage(this.element, 0, 0);
    this.#context = this.#prepare(size);
    this.place(copy, copy.width, copy.height, { tracePhotos: false });
  }

  /** The drawing as PNG bytes in base64 (what the contract carries). */
  toPngBase64(): string {
    return this.element.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  }
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
