/**
 * Geometry of the virtualised gallery grid: how many columns fit, how tall
 * the scroll area is for N items, and which rows are on screen. Only those
 * rows (plus a little overscan) are put in the DOM.
 */
export interface GridOptions {
  minTileWidth: number;
  gap: number;
  /** Height of the title line under each square thumbnail. */
  captionHeight: number;
  padding: number;
}

export interface GridLayout {
  columns: number;
  tileWidth: number;
  /** Row pitch: tile + caption + gap. */
  rowHeight: number;
  rows: number;
  totalHeight: number;
  padding: number;
  gap: number;
}

export const defaultGridOptions: GridOptions = { minTileWidth: 168, gap: 12, captionHeight: 40, padding: 16 };

export function gridLayout(width: number, count: number, options: GridOptions = defaultGridOptions): GridLayout {
  const inner = Math.max(0, width - 2 * options.padding);
  const columns = Math.max(1, Math.floor((inner + options.gap) / (options.minTileWidth + options.gap)));
  const tileWidth = Math.max(1, Math.floor((inner - (columns - 1) * options.gap) / columns));
  const rowHeight = tileWidth + options.captionHeight + options.gap;
  const rows = Math.ceil(Math.max(0, count) / columns);
  const totalHeight = rows === 0 ? 0 : 2 * options.padding + rows * rowHeight - options.gap;
  return { columns, tileWidth, rowHeight, rows, totalHeight, padding: options.padding, gap: options.gap };
}

export interface VisibleRange {
  firstRow: number;
  /** Exclusive. */
  endRow: number;
  /** Item indices [start, end). */
  start: number;
  end: number;
}

export function visibleRange(
  layout: GridLayout,
  count: number,
  scrollTop: number,
  viewportHeight: number,
  overscanRows = 2,
): VisibleRange {
  if (count <= 0 || layout.rows === 0) return { firstRow: 0, endRow: 0, start: 0, end: 0 };
  const top = Math.max(0, scrollTop - layout.padding);
  const firstVisible = Math.floor(top / layout.rowHeight);
  const lastVisible = Math.floor((top + Math.max(0, viewportHeight)) / layout.rowHeight);
  const firstRow = Math.min(layout.rows - 1, Math.max(0, firstVisible - overscanRows));
  const endRow = Math.min(layout.rows, Math.max(firstRow + 1, lastVisible + 1 + overscanRows));
  return {
    firstRow,
    endRow,
    start: firstRow * layout.columns,
    end: Math.min(count, endRow * layout.columns),
  };
}

/** The scrollTop that brings item `index` fully into view, or undefined if it already is. */
export function scrollTopToReveal(layout: GridLayout, index: number, scrollTop: number, viewportHeight: number): number | undefined {
  const row = Math.floor(index / layout.columns);
  const top = layout.padding + row * layout.rowHeight;
  const bottom = top + layout.rowHeight - layout.gap;
  if (top < scrollTop) return Math.max(0, top - layout.padding);
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight + layout.padding;
  return undefined;
}
