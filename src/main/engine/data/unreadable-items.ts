import { ImageDecodeError } from '../image/index.js';
import { DatasetError } from './dataset-error.js';
import type { EpochOrder } from './sample-order.js';

/**
 * Items whose image turned out unreadable during the run. Each is skipped from
 * then on and named once in the dataset's warnings; training goes on.
 *
 * A skipped sample is replaced by the next item in the run's order (sample
 * g+1, g+2, …). Whether an item is readable is a property of its file, so the
 * replacement is the same whether the bad file was found now or earlier: a
 * resumed run still sees the same data.
 */
export class UnreadableItems {
  private readonly items = new Set<number>();

  constructor(
    private readonly warnings: string[],
    private readonly folder: string,
  ) {}

  get count(): number {
    return this.items.size;
  }

  has(index: number): boolean {
    return this.items.has(index);
  }

  add(index: number, error: ImageDecodeError): void {
    if (this.items.has(index)) return;
    this.items.add(index);
    this.warnings.push(`${error.message}; skipped for the rest of the run`);
  }

  /** Loads sample `sample` of `order`, falling forward past unreadable items. */
  async load<T>(order: EpochOrder, sample: number, load: (index: number) => Promise<T>): Promise<T> {
    for (let k = 0; k < order.count; k++) {
      const index = order.indexAt(sample + k);
      if (this.items.has(index)) continue;
      try {
        return await load(index);
      } catch (error) {
        if (!(error instanceof ImageDecodeError)) throw error;
        this.add(index, error);
      }
    }
    throw new DatasetError(`${this.folder}: none of the images can be read; see the warnings for each file`, this.folder);
  }
}
