/**
 * Undo/redo for the doodle canvas: a bounded list of whole snapshots.
 * Snapshots (not diffs) because restoring one is exact whatever the tool did
 * (a flood fill or an imported photo has no cheap inverse). The Doodle's
 * raster is about 512 px a side (sketch-canvas.ts), 1 MiB of pixels, so its
 * snapshots are kept packed as runs (packed-raster.ts): a few KB for a
 * drawing, never more than the raw megabyte.
 */
export const defaultHistoryDepth = 100;

export class SnapshotHistory<T> {
  readonly #limit: number;
  #states: T[];
  #index = 0;

  /** `limit` counts undo steps: the oldest ones are forgotten beyond it. */
  constructor(initial: T, limit = defaultHistoryDepth) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a positive whole number, got ${limit}`);
    this.#limit = limit;
    this.#states = [initial];
  }

  get current(): T {
    return this.#states[this.#index]!;
  }

  get canUndo(): boolean {
    return this.#index > 0;
  }

  get canRedo(): boolean {
    return this.#index < this.#states.length - 1;
  }

  /** Undo steps available right now. */
  get undoDepth(): number {
    return this.#index;
  }

  /** A new state after an edit: whatever was undone can no longer be redone. */
  push(state: T): void {
    this.#states.length = this.#index + 1;
    this.#states.push(state);
    if (this.#states.length > this.#limit + 1) this.#states.splice(0, this.#states.length - this.#limit - 1);
    this.#index = this.#states.length - 1;
  }

  undo(): T | undefined {
    if (!this.canUndo) return undefined;
    this.#index--;
    return this.current;
  }

  redo(): T | undefined {
    if (!this.canRedo) return undefined;
    this.#index++;
    return this.current;
  }

  /** Every state, oldest first, and which one is current: what is kept for a reload. */
  get states(): { states: readonly T[]; index: number } {
    return { states: [...this.#states], index: this.#index };
  }

  /** Replaces the whole history (read back after a reload); the newest states are kept if there are too many. */
  load(states: readonly T[], index: number): void {
    if (!states.length) throw new RangeError('a history needs at least one state');
    if (!Number.isInteger(index) || index < 0 || index >= states.length) throw new RangeError(`history index ${index} is outside 0…${states.length - 1}`);
    const drop = Math.max(0, states.length - this.#limit - 1);
    this.#states = states.slice(drop);
    this.#index = Math.max(0, index - drop);
  }

  /** Starts over from `state` with nothing to undo (e.g. the canvas changed size). */
  reset(state: T): void {
    this.#states = [state];
    this.#index = 0;
  }
}
