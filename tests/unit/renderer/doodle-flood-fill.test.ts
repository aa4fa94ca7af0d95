import { describe, expect, it } from 'vitest';
import { floodFill, parseHexColour, type Pixels, type Rgba } from '../../../src/renderer/src/lib/doodle/flood-fill.js';

const white: Rgba = [255, 255, 255, 255];
const black: Rgba = [0, 0, 0, 255];
const red: Rgba = [255, 0, 0, 255];

function canvas(width: number, height: number, paint: (x: number, y: number) => Rgba): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(paint(x, y), (y * width + x) * 4);
  return { width, height, data };
}

function at(pixels: Pixels, x: number, y: number): number[] {
  const offset = (y * pixels.width + x) * 4;
  return [...pixels.data.slice(offset, offset + 4)];
}

describe('flood fill', () => {
  it('fills the inside of a closed outline and nothing outside it', () => {
    // A 1 px black square outline from (2,2) to (7,7) on a 10×10 white canvas.
    const onOutline = (x: number, y: number) => (x === 2 || x === 7) && y >= 2 && y <= 7 || (y === 2 || y === 7) && x >= 2 && x <= 7;
    const pixels = canvas(10, 10, (x, y) => (onOutline(x, y) ? black : white));
    const filled = floodFill(pixels, 4, 5, red, 0);
    expect(filled).toBe(16);
    expect(at(pixels, 3, 3)).toEqual([...red]);
    expect(at(pixels, 6, 6)).toEqual([...red]);
    expect(at(pixels, 2, 4)).toEqual([...black]);
    expect(at(pixels, 0, 0)).toEqual([...white]);
    expect(at(pixels, 8, 8)).toEqual([...white]);
  });

  it('does not leak through a diagonal gap (4-connected)', () => {
    // A diagonal black line splits the canvas; diagonal neighbours must not connect the halves.
    const pixels = canvas(8, 8, (x, y) => (x === y ? black : white));
    const filled = floodFill(pixels, 6, 1, red, 0);
    expect(filled).toBe(28);
    expect(at(pixels, 1, 6)).toEqual([...white]);
  });

  it('tolerance takes in anti-aliased grey next to the seed colour, but not the line', () => {
    const grey: Rgba = [230, 230, 230, 255];
    const pixels = canvas(6, 1, (x) => (x === 2 ? grey : x === 4 ? black : white));
    expect(floodFill(canvas(6, 1, (x) => (x === 2 ? grey : x === 4 ? black : white)), 0, 0, red, 0)).toBe(2);
    expect(floodFill(pixels, 0, 0, red, 32)).toBe(4);
    expect(at(pixels, 2, 0)).toEqual([...red]);
    expect(at(pixels, 4, 0)).toEqual([...black]);
    expect(at(pixels, 5, 0)).toEqual([...white]);
  });

  it('fills a whole blank canvas with a winding region and terminates on its own colour', () => {
    // A spiral-ish maze of walls: every other column is a wall with a gap alternating top/bottom.
    const size = 64;
    const pixels = canvas(size, size, (x, y) => (x % 2 === 1 && (x % 4 === 1 ? y !== size - 1 : y !== 0) ? black : white));
    const whiteCount = [...Array(size * size).keys()].filter((i) => pixels.data[i * 4] === 255).length;
    expect(floodFill(pixels, 0, 0, red, 0)).toBe(whiteCount);
    expect(floodFill(pixels, 0, 0, red, 0)).toBe(0);
  });

  it('ignores a seed off the canvas and checks the buffer size', () => {
    const pixels = canvas(4, 4, () => white);
    expect(floodFill(pixels, -1, 2, red, 0)).toBe(0);
    expect(floodFill(pixels, 4, 0, red, 0)).toBe(0);
    expect(() => floodFill({ width: 4, height: 4, data: new Uint8ClampedArray(10) }, 0, 0, red, 0)).toThrow(/expected 64 bytes/);
  });

  it('parses the colour picker value', () => {
    expect(parseHexColour('#ff8000')).toEqual([255, 128, 0, 255]);
    expect(() => parseHexColour('orange')).toThrow(/#rrggbb/);
  });
});
