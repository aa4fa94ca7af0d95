import { describe, expect, it } from 'vitest';
import { defaultGridOptions, gridLayout, scrollTopToReveal, visibleRange } from '../../../src/renderer/src/lib/grid-layout.js';

describe('gallery grid layout', () => {
  it('fits as many columns as the minimum tile width allows', () => {
    const { minTileWidth, gap, padding } = defaultGridOptions;
    const width = 2 * padding + 5 * minTileWidth + 4 * gap;
    expect(gridLayout(width, 100).columns).toBe(5);
    expect(gridLayout(width - 1, 100).columns).toBe(4);
    expect(gridLayout(10, 100).columns).toBe(1);
  });

  it('sizes the scroll area for every item, but renders only a screenful at 10,000', () => {
    const layout = gridLayout(1000, 10_000);
    expect(layout.rows).toBe(Math.ceil(10_000 / layout.columns));
    expect(layout.totalHeight).toBeGreaterThan(layout.rows * layout.tileWidth);

    const viewport = 700;
    const middle = layout.totalHeight / 2;
    const range = visibleRange(layout, 10_000, middle, viewport, 2);
    const rowsOnScreen = Math.ceil(viewport / layout.rowHeight) + 1;
    expect(range.end - range.start).toBeLessThanOrEqual((rowsOnScreen + 4) * layout.columns);
    // The range really covers what is on screen.
    const firstOnScreen = Math.floor((middle - layout.padding) / layout.rowHeight) * layout.columns;
    expect(range.start).toBeLessThanOrEqual(firstOnScreen);
    expect(range.end).toBeGreaterThan(firstOnScreen + (rowsOnScreen - 1) * layout.columns);
  });

  it('clamps the range at both ends of the list', () => {
    const layout = gridLayout(1000, 23);
    expect(visibleRange(layout, 23, 0, 5000)).toMatchObject({ start: 0, end: 23 });
    expect(visibleRange(layout, 23, 1e9, 500).end).toBe(23);
    expect(visibleRange(gridLayout(1000, 0), 0, 0, 500)).toEqual({ firstRow: 0, endRow: 0, start: 0, end: 0 });
  });

  it('scrolls just enough to reveal an item', () => {
    const layout = gridLayout(1000, 1000);
    expect(scrollTopToReveal(layout, 0, 0, 600)).toBeUndefined();
    const below = scrollTopToReveal(layout, layout.columns * 20, 0, 600);
    expect(below).toBeGreaterThan(0);
    const revealed = visibleRange(layout, 1000, below!, 600, 0);
    expect(revealed.start).toBeLessThanOrEqual(layout.columns * 20);
    expect(revealed.end).toBeGreaterThan(layout.columns * 20);
    expect(scrollTopToReveal(layout, 0, below!, 600)).toBe(0);
  });
});
