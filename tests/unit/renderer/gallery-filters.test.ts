import { describe, expect, it } from 'vitest';
import { GalleryQuery } from '../../../src/shared/contract.js';
import { emptyFilters, hasActiveFilters, parseStoredFilters, resultsQueryKey, toResultsQuery } from '../../../src/renderer/src/lib/gallery-filters.js';

describe('gallery filters', () => {
  it('sends nothing but the sort order when no filter is set', () => {
    expect(toResultsQuery(emptyFilters())).toEqual({ sort: 'newest' });
    expect(hasActiveFilters(emptyFilters())).toBe(false);
  });

  it('turns calendar days into inclusive local-time bounds', () => {
    const query = toResultsQuery({ ...emptyFilters(), fromDate: '2026-03-01', toDate: '2026-03-02' });
    expect(query.from).toBe(new Date(2026, 2, 1, 0, 0, 0, 0).getTime());
    expect(query.to).toBe(new Date(2026, 2, 2, 23, 59, 59, 999).getTime());
    // Something made late on the last day is included.
    expect(new Date(2026, 2, 2, 23, 30).getTime()).toBeLessThanOrEqual(query.to!);
  });

  it('ignores malformed dates instead of sending NaN', () => {
    const query = toResultsQuery({ ...emptyFilters(), fromDate: 'yesterday' });
    expect(query.from).toBeUndefined();
  });

  it('builds queries the contract accepts', () => {
    const query = toResultsQuery({
      text: '  cat  ',
      kinds: ['upscale', 'sketch'],
      modelId: 'edges2cats',
      favourite: true,
      tag: ' best ',
      fromDate: '2026-01-01',
      toDate: '2026-12-31',
      sort: 'oldest',
    });
    expect(query).toMatchObject({ text: 'cat', kinds: ['sketch', 'upscale'], tag: 'best', favourite: true, sort: 'oldest' });
    expect(GalleryQuery.safeParse({ ...query, offset: 0, limit: 500 }).success).toBe(true);
  });

  it('gives equal queries equal keys whatever order their fields were set in', () => {
    expect(resultsQueryKey({ sort: 'newest', text: 'a', favourite: true })).toBe(resultsQueryKey({ favourite: true, text: 'a', sort: 'newest' }));
    expect(resultsQueryKey({ sort: 'newest', text: 'a' })).not.toBe(resultsQueryKey({ sort: 'oldest', text: 'a' }));
    expect(resultsQueryKey({ sort: 'newest', text: undefined })).toBe(resultsQueryKey({ sort: 'newest' }));
  });
});

describe('filters kept for the session', () => {
  it('reads back what was stored', () => {
    const set = { ...emptyFilters(), text: 'horse', kinds: ['sketch', 'upscale'] as ('sketch' | 'upscale')[], modelId: 'bundled:pix2pix-openmoji-64', favourite: true, tag: 'zoo', fromDate: '2026-11-01', toDate: '2026-11-22', sort: 'oldest' as const };
    expect(parseStoredFilters(JSON.stringify(set))).toEqual(set);
  });

  it('falls back to the default for anything missing, malformed or unknown, field by field', () => {
    expect(parseStoredFilters(null)).toEqual(emptyFilters());
    expect(parseStoredFilters('{not json')).toEqual(emptyFilters());
    expect(parseStoredFilters('42')).toEqual(emptyFilters());
    const odd = parseStoredFilters(
      JSON.stringify({ text: 7, kinds: ['sketch', 'bogus', 3], favourite: 'yes', fromDate: '1 Nov', toDate: '2026-11-22', sort: 'random', tag: 'x'.repeat(500) }),
    );
    expect(odd).toEqual({ ...emptyFilters(), kinds: ['sketch'], toDate: '2026-11-22', tag: 'x'.repeat(200) });
    expect(hasActiveFilters(odd)).toBe(true);
  });
});
