import { describe, expect, it } from 'vitest';
import type { GalleryItem } from '../../../src/shared/contract.js';
import { toResultsQuery, emptyFilters, type ResultsQuery } from '../../../src/renderer/src/lib/gallery-filters.js';
import { GalleryResults, GalleryResultsCache, type ResultsPage } from '../../../src/renderer/src/lib/gallery-results.js';

function item(id: number, title = `item ${id}`): GalleryItem {
  return {
    id,
    kind: 'imported',
    title,
    input: null,
    output: { hash: id.toString(16).padStart(64, '0'), format: 'png', width: 8, height: 8, bytes: 100, hasAlpha: false },
    modelId: null,
    settings: {},
    timings: {},
    createdAt: 1_700_000_000_000 + id,
    favourite: false,
    tags: [],
  };
}

/** An in-memory gallery answering `gallery.list`-shaped requests, with a log of what was asked and manual release. */
function fakeGallery(count: number) {
  let items = Array.from({ length: count }, (_, index) => item(index + 1));
  const requests: { offset: number; limit: number }[] = [];
  const waiting: (() => void)[] = [];
  let failNext: string | undefined;
  const load = (_query: ResultsQuery, offset: number, limit: number) =>
    new Promise<ResultsPage>((resolve, reject) => {
      requests.push({ offset, limit });
      const failure = failNext;
      failNext = undefined;
      // Answer with the data as it is when released, like a server would.
      waiting.push(() => (failure ? reject(new Error(failure)) : resolve({ total: items.length, items: items.slice(offset, offset + limit) })));
    });
  return {
    load,
    requests,
    async releaseAll() {
      while (waiting.length) waiting.shift()!();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    remove(id: number) {
      items = items.filter((entry) => entry.id !== id);
    },
    failNextWith(message: string) {
      failNext = message;
    },
  };
}

const query = toResultsQuery(emptyFilters());

describe('GalleryResults', () => {
  it('fetches only the pages covering the requested range, once each', async () => {
    const gallery = fakeGallery(10_000);
    let changes = 0;
    const results = new GalleryResults(query, gallery.load, 200, () => changes++);
    results.ensure(0, 1);
    await gallery.releaseAll();
    expect(results.total).toBe(10_000);
    expect(gallery.requests).toEqual([{ offset: 0, limit: 200 }]);

    // Scrolling to the middle: items 5,100..5,160 live on page 25 (5,000–5,199) only.
    results.ensure(5_100, 5_160);
    results.ensure(5_100, 5_160);
    expect(gallery.requests).toHaveLength(2);
    await gallery.releaseAll();
    expect(results.item(5_120)?.id).toBe(5_121);
    expect(results.item(4_000)).toBeUndefined();
    expect(changes).toBe(2);

    // A range straddling a page boundary needs both pages, and not the one already held.
    results.ensure(5_190, 5_410);
    expect(gallery.requests.slice(2)).toEqual([
      { offset: 5_200, limit: 200 },
      { offset: 5_400, limit: 200 },
    ]);
    await gallery.releaseAll();
    expect(results.indexOf(5_405)).toBe(5_404);
    expect(results.loadedItems()).toHaveLength(800);
    expect(results.loadedItems()[200]?.id).toBe(5_001);
  });

  it('never asks past the end of the results', async () => {
    const gallery = fakeGallery(250);
    const results = new GalleryResults(query, gallery.load, 100, () => {});
    results.ensure(0, 1);
    await gallery.releaseAll();
    results.ensure(200, 400);
    await gallery.releaseAll();
    expect(gallery.requests.map((request) => request.offset)).toEqual([0, 200]);
    expect(results.item(249)?.id).toBe(250);
    expect(results.item(250)).toBeUndefined();
  });

  it('keeps showing stale items after invalidate until the fresh page arrives', async () => {
    const gallery = fakeGallery(5);
    const results = new GalleryResults(query, gallery.load, 100, () => {});
    results.ensure(0, 5);
    await gallery.releaseAll();
    gallery.remove(1);
    results.invalidate();
    results.ensure(0, 5);
    // In flight: the old first item is still there, so the grid does not flash empty.
    expect(results.item(0)?.id).toBe(1);
    expect(results.total).toBe(5);
    await gallery.releaseAll();
    expect(results.item(0)?.id).toBe(2);
    expect(results.total).toBe(4);
  });

  it('does not let an answer from before an invalidation count as fresh', async () => {
    const gallery = fakeGallery(3);
    const results = new GalleryResults(query, gallery.load, 100, () => {});
    results.ensure(0, 1);
    results.invalidate();
    results.ensure(0, 1);
    // Two requests for page 0: one per generation.
    expect(gallery.requests).toHaveLength(2);
    await gallery.releaseAll();
    results.ensure(0, 1);
    expect(gallery.requests).toHaveLength(2);
  });

  it('reports a failed page and retries it only after invalidate', async () => {
    const gallery = fakeGallery(3);
    const results = new GalleryResults(query, gallery.load, 100, () => {});
    gallery.failNextWith('database is locked');
    results.ensure(0, 3);
    await gallery.releaseAll();
    expect(results.error).toBe('database is locked');
    results.ensure(0, 3);
    expect(gallery.requests).toHaveLength(1);
    results.invalidate();
    results.ensure(0, 3);
    await gallery.releaseAll();
    expect(results.error).toBeUndefined();
    expect(results.item(2)?.id).toBe(3);
  });

  it('rejects page sizes the contract does not allow', () => {
    const gallery = fakeGallery(1);
    expect(() => new GalleryResults(query, gallery.load, 501, () => {})).toThrow(/1–500/);
  });
});

describe('GalleryResultsCache', () => {
  it('returns the same results for equal queries and evicts the least recently used', () => {
    const gallery = fakeGallery(1);
    const cache = new GalleryResultsCache(gallery.load, () => {}, 100, 2);
    const all = cache.results({ sort: 'newest' });
    const favourites = cache.results({ favourite: true, sort: 'newest' });
    expect(cache.results({ sort: 'newest' })).toBe(all);
    cache.results({ text: 'cat', sort: 'newest' });
    // `favourites` was the least recently used of the three.
    expect(cache.results({ sort: 'newest' })).toBe(all);
    expect(cache.results({ favourite: true, sort: 'newest' })).not.toBe(favourites);
  });

  it('invalidates every cached query when the gallery changes', async () => {
    const gallery = fakeGallery(2);
    const cache = new GalleryResultsCache(gallery.load, () => {}, 100);
    const first = cache.results({ sort: 'newest' });
    const second = cache.results({ sort: 'oldest' });
    first.ensure(0, 2);
    second.ensure(0, 2);
    await gallery.releaseAll();
    cache.invalidateAll();
    first.ensure(0, 2);
    second.ensure(0, 2);
    expect(gallery.requests).toHaveLength(4);
  });
});
