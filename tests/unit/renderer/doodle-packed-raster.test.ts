import { describe, expect, it } from 'vitest';
import { packedBytes, packRaster, unpackRaster } from '../../../src/renderer/src/lib/doodle/packed-raster.js';

/** A 512 px doodle: white paper, a red disc fill and an anti-aliased diagonal stroke (greys along its edges). */
function doodle(side = 512) {
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const at = (y * side + x) * 4;
      let rgb = [255, 255, 255];
      if ((x - 300) ** 2 + (y - 200) ** 2 < 90 ** 2) rgb = [230, 20, 40];
      // Distance to the line x = y, with a 6 px core and a 1.5 px soft edge.
      const distance = Math.abs(x - y) / Math.SQRT2;
      const ink = Math.max(0, Math.min(1, (4.5 - distance) / 1.5));
      rgb = rgb.map((c) => Math.round(c * (1 - ink)));
      data.set([rgb[0]!, rgb[1]!, rgb[2]!, 255], at);
    }
  }
  return { width: side, height: side, data };
}

describe('packed undo states of the Doodle', () => {
  it('gives back every byte of a drawing and keeps it in a small part of the raw megabyte', () => {
    const pixels = doodle();
    const packed = packRaster(pixels);
    expect(packed.raw).toBe(false);
    const back = unpackRaster(packed);
    expect(back.width).toBe(512);
    expect(back.height).toBe(512);
    expect(Buffer.from(back.data).equals(Buffer.from(pixels.data))).toBe(true);
    // About 8 runs a row here: 512 rows × a few runs × 8 bytes, far below 1 MiB.
    expect(packedBytes(packed)).toBeLessThan(pixels.data.length / 20);
  });

  it('keeps a blank page as one run', () => {
    const data = new Uint8ClampedArray(64 * 64 * 4).fill(255);
    const packed = packRaster({ width: 64, height: 64, data });
    expect(packed.words.length).toBe(2);
    expect(packed.words[0]).toBe(64 * 64);
    expect(Buffer.from(unpackRaster(packed).data).equals(Buffer.from(data))).toBe(true);
  });

  it('keeps a noisy picture raw (never larger than its pixels) and still exact', () => {
    const data = new Uint8ClampedArray(100 * 60 * 4);
    let seed = 7;
    for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const packed = packRaster({ width: 100, height: 60, data });
    expect(packed.raw).toBe(true);
    expect(packedBytes(packed)).toBe(data.length);
    expect(Buffer.from(unpackRaster(packed).data).equals(Buffer.from(data))).toBe(true);
  });

  it('refuses pixels that do not match the stated size, and a state that lost runs', () => {
    expect(() => packRaster({ width: 4, height: 4, data: new Uint8ClampedArray(10) })).toThrow(/expected 64 bytes/);
    const packed = packRaster({ width: 4, height: 4, data: new Uint8ClampedArray(64).fill(255) });
    expect(() => unpackRaster({ ...packed, height: 5 })).toThrow(/holds 16 pixels, expected 20/);
  });
});
