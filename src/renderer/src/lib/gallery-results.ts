/**
 * The results of one gallery query, fetched lazily page by page as the grid
 * scrolls, so 10,000 items cost only the pages the user has looked at.
 *
 * When the gallery changes, pages are marked stale rather than dropped: the
 * grid keeps showing what it had until the fresh page arrives, so a refresh
 * never flashes empty tiles.
 */
import type { GalleryItem } from '../../../shared/contract.js';
import { resultsQueryKey, type ResultsQuery } from './gallery-filters.js';

export interface ResultsPage {
  total: number;
  items: GalleryItem[];
}

export type LoadResultsPage = (query: ResultsQuery, offset: number, limit: number) => Promise<ResultsPage>;

interface StoredPage {
  items: GalleryItem[];
  generation: number;
}

export class GalleryResults {
  readonly key: string;
  /** Undefined until the first page has answered. */
  total: number | undefined;
  /** The message of the last failed fetch, cleared by the next success. */
  error: string | undefined;

  private readonly pages = new Map<number, StoredPage>();
  private readonly inFlight = new Map<number, number>();
  private readonly failed = new Set<number>();
  private generation = 0;

  constructor(
    readonly query: ResultsQuery,
    private readonly load: LoadResultsPage,
    readonly pageSize: number,
    private readonly changed: () => void,
  ) {
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw new Error('pageSize must be 1–500');
    this.key = resultsQueryKey(query);
  }

  item(index: number): GalleryItem | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.items[index % this.pageSize];
  }

  /** Items already in memory, in result order (for pickers that must not fetch). */
  loadedItems(): GalleryItem[] {
    return [...this.pages.entries()].sort(([a], [b]) => a - b).flatMap(([, page]) => page.items);
  }

  indexOf(id: number): number {
    for (const [pageIndex, page] of this.pages) {
      const at = page.items.findIndex((item) => item.id === id);
      if (at >= 0) return pageIndex * this.pageSize + at;
    }
    return -1;
  }

  get loading(): boolean {
    return this.inFlight.size > 0;
  }

  /** Makes sure the items in [start, end) are (being) fetched. Cheap to call on every scroll. */
  ensure(start: number, end: number): void {
    const last = this.total === undefined ? Math.max(start, end - 1) : Math.min(end, this.total) - 1;
    const firstPage = Math.floor(Math.max(0, start) / this.pageSize);
    const lastPage = Math.max(firstPage, Math.floor(Math.max(0, last) / this.pageSize));
    for (let pageIndex = firstPage; pageIndex <= lastPage; pageIndex++) this.fetchPage(pageIndex);
  }

  /** The data behind these results changed: refetch what is needed, keep showing the old pages meanwhile. */
  invalidate(): void {
    this.generation++;
    this.failed.clear();
    this.error = undefined;
  }

  private fetchPage(pageIndex: number): void {
    if (this.failed.has(pageIndex)) return;
    if (this.inFlight.get(pageIndex) === this.generation) return;
    if (this.pages.get(pageIndex)?.generation === this.generation) return;
    if (this.total !== undefined && pageIndex * this.pageSize >= this.total && pageIndex > 0) return;
    const generation = this.generation;
    this.inFlight.set(pageIndex, generation);
    this.load(this.query, pageIndex * this.pageSize, this.pageSize).then(
      (page) => {
        if (this.inFlight.get(pageIndex) === generation) this.inFlight.delete(pageIndex);
        // An answer from before an invalidation is still better than nothing,
        // but must not replace a fresher page or count as fresh.
        const current = this.pages.get(pageIndex);
        if (current && current.generation > generation) return;
        this.pages.set(pageIndex, { items: page.items, generation });
        if (generation === this.generation || this.total === undefined) this.total = page.total;
        if (generation === this.generation) {
          this.error = undefined;
          // Pages past the new end are leftovers of a longer result list.
          for (const index of this.pages.keys()) if (index * this.pageSize >= page.total && index > 0) this.pages.delete(index);
        }
        this.changed();
      },
      (error: unknown) => {
        if (this.inFlight.get(pageIndex) === generation) this.inFlight.delete(pageIndex);
        if (generation !== this.generation) return;
        this.failed.add(pageIndex);
        this.error = error instanceof Error ? error.message : String(error);
        this.changed();
      },
    );
  }
}

/**
 * Results of the last few queries, so toggling a filter off and on again
 * shows the earlier results at once.
 */
export class GalleryResultsCache {
  private readonly entries = new Map<string, GalleryResults>();

  constructor(
    private readonly load: LoadResultsPage,
    private readonly changed: () => void,
    readonly pageSize = 200,
    readonly capacity = 8,
  ) {}

  results(query: ResultsQuery): GalleryResults {
    const key = resultsQueryKey(query);
    const existing = this.entries.get(key);
    if (existing) {
      this.entries.delete(key);
      this.entries.set(key, existing);
      return existing;
    }
    const created = new GalleryResults(query, this.load, this.pageSize, this.changed);
    this.entries.set(key, created);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return created;
  }

  invalidateAll(): void {
    for (const results of this.entries.values()) results.invalidate();
  }
}
