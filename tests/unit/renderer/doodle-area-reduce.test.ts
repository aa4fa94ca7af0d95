import { describe, expect, it } from 'vitest';
import { detailFor, reduceByArea } from '../../../src/renderer/src/lib/doodle/area-reduce.js';

function raster(width: number, height: number, grey: (x: number, y: number) => number) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([grey(x, y), grey(x, y), grey(x, y), 255], (y * width + x) * 4);
  return { width, height, data };
}

describe('reducing the screen-resolution doodle to model pixels', () => {
  it('gives each model pixel the mean of its block, so a thin line becomes a partial grey, not a hard black block or nothing', () => {
    // A white 16×16 raster with a black vertical line 2 raster px wide at x = 4–5: at 4× it covers half of model column 1.
    const reduced = reduceByArea(raster(16, 16, (x) => (x === 4 || x === 5 ? 0 : 255)), 4);
    expect(reduced.width).toBe(4);
    expect(reduced.height).toBe(4);
    const column = (x: number) => [0, 1, 2, 3].map((y) => reduced.data[(y * 4 + x) * 4]);
    expect(column(1)).toEqual([128, 128, 128, 128]);
    expect(column(0)).toEqual([255, 255, 255, 255]);
    expect(column(2)).toEqual([255, 255, 255, 255]);
    expect(reduced.data[3]).toBe(255);
  });

  it('keeps colours: a red fill reduces to the same red', () => {
    const data = new Uint8ClampedArray(8 * 8 * 4);
    for (let i = 0; i < 64; i++) data.set([230, 20, 40, 255], i * 4);
    const reduced = reduceByArea({ width: 8, height: 8, data }, 8);
    expect([...reduced.data]).toEqual([230, 20, 40, 255]);
  });

  it('refuses sizes that do not divide and factors that are not whole', () => {
    expect(() => reduceByArea(raster(10, 10, () => 0), 4)).toThrow(/does not divide/);
    expect(() => reduceByArea(raster(8, 8, () => 0), 1.5)).toThrow(/whole number/);
  });

  it('draws at about 512 raster pixels a side whatever the model size', () => {
    expect([32, 64, 128, 256, 512, 1024].map((size) => size * detailFor(size))).toEqual([512, 512, 512, 512, 512, 1024]);
  });
});
