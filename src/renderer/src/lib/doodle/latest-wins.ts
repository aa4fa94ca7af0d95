/**
 * Live results arrive out of order (a small sketch can come back before a
 * bigger one sent earlier). Every request gets a sequence number; a response
 * is shown only if it is newer than the one on screen, so an old drawing can
 * never replace a newer result.
 */
export class LatestWins {
  #issued = 0;
  #shown = 0;
  readonly #inFlight = new Set<number>();

  /** Number the next request. */
  issue(): number {
    const seq = ++this.#issued;
    this.#inFlight.add(seq);
    return seq;
  }

  /** A response arrived: true when it should be shown. */
  resolve(seq: number): boolean {
    this.#inFlight.delete(seq);
    if (seq <= this.#shown) return false;
    this.#shown = seq;
    return true;
  }

  /** A request failed: true when its error is worth showing (nothing newer was sent or shown since). */
  reject(seq: number): boolean {
    this.#inFlight.delete(seq);
    return seq === this.#issued && seq > this.#shown;
  }

  /** Sequence number of the result on screen (0: none yet). */
  get shown(): number {
    return this.#shown;
  }

  get newest(): number {
    return this.#issued;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A request newer than the shown result is still on its way. */
  get pending(): boolean {
    for (const seq of this.#inFlight) if (seq > this.#shown) return true;
    return false;
  }
}
