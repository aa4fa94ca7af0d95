/**
 * What the user set in the Gallery's filter bar, and how it becomes a
 * `gallery.list` query. Dates are calendar days in the user's time zone:
 * "to 2026-11-22" must include everything made that evening.
 */
import type { GalleryQuery, ItemKind } from '../../../shared/contract.js';

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
