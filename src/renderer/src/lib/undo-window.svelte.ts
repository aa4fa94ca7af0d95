/**
 * What a deletion's Undo notice brings back, for as long as it shows: the
 * Train and Models views delete to the studio's trash and offer Undo for a few
 * seconds, like the Gallery. Deletions inside the window add up, so one Undo
 * brings them all back.
 */
export const undoWindowMs = 8000;

export class UndoWindow<T> {
  /** What Undo would bring back now, oldest first; empty when no notice shows. */
  pending = $state.raw<T[]>([]);
  #timer: ReturnType<typeof setTimeout> | undefined;

  add(items: readonly T[]): void {
    this.pending = [...this.pending, ...items];
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.pending = []), undoWindowMs);
  }

  /** Empties the window and returns what it held, for the restore call. */
  take(): T[] {
    const taken = this.pending;
    this.pending = [];
    clearTimeout(this.#timer);
    return taken;
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}
