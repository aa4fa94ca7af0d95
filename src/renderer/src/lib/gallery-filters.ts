/**
 * What the user set in the Gallery's filter bar, and how it becomes a
 * `gallery.list` query. Dates are calendar days in the user's time zone:
 * "to 2026-11-22" must include everything made that evening.
 */
import { itemKinds, type GalleryQuery, type ItemKind } from '../../../shared/contract.js';

export interface GalleryFilters {
  text: string;
  kinds: ItemKind[];
  modelId: string;
  favourite: boolean;
  tag: string;
  /** `YYYY-MM-DD` from an <input type="date">, or '' for no bound. */
  fromDate: string;
  toDate: string;
  sort: 'newest' | 'oldest';
}

/** A query without paging: what identifies one set of results. */
export type ResultsQuery = Omit<GalleryQuery, 'offset' | 'limit'>;

export function emptyFilters(): GalleryFilters {
  return { text: '', kinds: [], modelId: '', favourite: false, tag: '', fromDate: '', toDate: '', sort: 'newest' };
}

/** Where the filters are kept for the tab's session, so leaving the Gallery and coming back (or reloading) keeps them. */
export const filtersStorageKey = 'ganvas.gallery.filters';

const day = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Filters read back from storage: every field is checked and a missing or
 * malformed one falls back to its default, so stale or edited storage can
 * never break the Gallery.
 */
export function parseStoredFilters(text: string | null | undefined): GalleryFilters {
  const filters = emptyFilters();
  if (!text) return filters;
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return filters;
  }
  if (typeof stored !== 'object' || stored === null) return filters;
  const value = stored as Record<string, unknown>;
  const text200 = (field: unknown) => (typeof field === 'string' ? field.slice(0, 200) : '');
  filters.text = text200(value.text);
  filters.modelId = text200(value.modelId);
  filters.tag = text200(value.tag);
  if (Array.isArray(value.kinds)) filters.kinds = itemKinds.filter((kind) => (value.kinds as unknown[]).includes(kind));
  filters.favourite = value.favourite === true;
  if (typeof value.fromDate === 'string' && day.test(value.fromDate)) filters.fromDate = value.fromDate;
  if (typeof value.toDate === 'string' && day.test(value.toDate)) filters.toDate = value.toDate;
  if (value.sort === 'oldest') filters.sort = 'oldest';
  return filters;
}

export function hasActiveFilters(filters: GalleryFilters): boolean {
  return (
    filters.text.trim() !== '' ||
    filters.kinds.length > 0 ||
    filters.modelId !== '' ||
    filters.favourite ||
    filters.tag !== '' ||
    filters.fromDate !== '' ||
    filters.toDate !== ''
  );
}

function localDayStart(day: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [, year, month, date] = match;
  return new Date(Number(year), Number(month) - 1, Number(date)).getTime();
}

export function toResultsQuery(filters: GalleryFilters): ResultsQuery {
  const query: ResultsQuery = { sort: filters.sort };
  const text = filters.text.trim().slice(0, 200);
  if (text) query.text = text;
  if (filters.kinds.length) query.kinds = [...filters.kinds].sort();
  if (filters.modelId) query.modelId = filters.modelId;
  if (filters.favourite) query.favourite = true;
  if (filters.tag.trim()) query.tag = filters.tag.trim();
  const from = localDayStart(filters.fromDate);
  if (from !== undefined) query.from = from;
  const toStart = localDayStart(filters.toDate);
  // Inclusive end of that calendar day (a DST day is still "next midnight - 1").
  if (toStart !== undefined) {
    const next = new Date(toStart);
    next.setDate(next.getDate() + 1);
    query.to = next.getTime() - 1;
  }
  return query;
}

/** A stable key: equal queries give equal keys whatever order their fields were set in. */
export function resultsQueryKey(query: ResultsQuery): string {
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}
