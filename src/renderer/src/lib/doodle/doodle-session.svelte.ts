/**
 * The doodle outlives the Doodle view: the sketch raster, its undo history and
 * the tool settings live here for the page's life, so going to the Gallery
 * and back finds the drawing and every undo step as they were. Every change
 * is also written to the browser (kept-doodle.ts, debounced), and a reloaded
 * page reads it back, unless the user has already started drawing anew.
 */
import { defaultCanvasSize } from './model-choice.js';
import { SnapshotHistory } from './history.js';
import { keptDoodleBytes, keptRange, pixelsOf, pngOf, readKeptDoodle, writeKeptDoodle } from './kept-doodle.js';
import { packRaster, type PackedRaster } from './packed-raster.js';
import { imageDataOf, SketchCanvas } from './sketch-canvas.js';
import { defaultBrushSize, type ToolId } from './tools.js';

/** Long enough to coalesce a burst of undos, short enough that a reload right after a stroke rarely misses it. */
const KEEP_DELAY_MS = 200;

export class DoodleSession {
  readonly sketch = new SketchCanvas(defaultCanvasSize);
  readonly history = new SnapshotHistory<PackedRaster>(this.sketch.snapshot());

  tool = $state<ToolId>('brush');
  brushSize = $state(defaultBrushSize);
  colour = $state('#000000');
  tolerance = $state(48);

  /** Bumped on every change of the drawing or its history (the view's undo/redo buttons follow it). */
  version = $state(0);
  /** The version last written to the browser; equal to `version` when a reload would lose nothing. */
  keptVersion = $state(0);
  /** False until a doodle kept from before a reload is back (or there was none). */
  ready = $state(false);
  keepError = $state<string>();

  /** The user changed the drawing in this page (a restore must not replace that). */
  #touched = false;
  readonly #pngs = new WeakMap<PackedRaster, Blob>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;

  constructor() {
    void this.#restore();
    if (typeof window !== 'undefined') window.addEventListener('pagehide', () => this.keepNow());
  }

  /** The drawing or its history changed; `byUser` for edits (not a resize for another model). */
  changed(byUser: boolean): void {
    if (byUser) this.#touched = true;
    this.version++;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.keepNow(), KEEP_DELAY_MS);
  }

  keepNow(): void {
    clearTimeout(this.#timer);
    if (this.keptVersion === this.version || !this.ready) return;
    // One write at a time; a change during a write is written after it.
    const next = (this.#writing ?? Promise.resolve()).then(() => this.#write());
    this.#writing = next;
    void next.finally(() => {
      if (this.#writing === next) this.#writing = undefined;
    });
  }

  async #write(): Promise<void> {
    const version = this.version;
    if (this.keptVersion === version) return;
    const { states, index } = this.history.states;
    try {
      const pngs = await Promise.all(
        states.map(async (state) => {
          let png = this.#pngs.get(state);
          if (!png) this.#pngs.set(state, (png = await pngOf(imageDataOf(state))));
          return png;
        }),
      );
      const { start, end } = keptRange(
        pngs.map((png) => png.size),
        index,
        keptDoodleBytes,
      );
      await writeKeptDoodle({ version: 1, size: this.sketch.size, index: index - start, states: pngs.slice(start, end) });
      this.keptVersion = version;
      this.keepError = undefined;
    } catch (error) {
      this.keepError = `Your doodle could not be kept for a reload (${error instanceof Error ? error.message : String(error)}); save it to the Gallery to be safe.`;
    }
  }

  async #restore(): Promise<void> {
    try {
      const kept = await readKeptDoodle();
      if (!kept || this.#touched) return;
      const states = (await Promise.all(kept.states.map(pixelsOf))).map(packRaster);
      if (this.#touched) return;
      states.forEach((state, i) => this.#pngs.set(state, kept.states[i]!));
      this.history.load(states, kept.index);
      this.sketch.restore(this.history.current, kept.size);
      this.version++;
      this.keptVersion = this.version;
    } catch (error) {
      this.keepError = `The doodle from before the reload could not be read back (${error instanceof Error ? error.message : String(error)}).`;
    } finally {
      this.ready = true;
    }
  }
}

let session: DoodleSession | undefined;

/** The page's one doodle, made when the Doodle view first opens. */
export function doodleSession(): DoodleSession {
  session ??= new DoodleSession();
  return session;
}
