/**
 * Large images are read a band of rows at a time (from a temporary libvips
 * file) and written in strips; these tests check that the streamed paths give
 * exactly the bytes of the in-memory ones, and that the tile plan keeps one
 * band of accumulators within its budget however wide the image. (How much
 * memory that saves is measured by `npm run bench`, not asserted here.)
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, encodeImage, openPixelRows, resizeImage, shrinkRowsByArea, type RawImage } from '../../src/main/engine/image/index.js';
import { planTiles, upscaleTiled, type PixelWindow } from '../../src/main/engine/upscale/tiling.js';
import { upscaleFileWith } from '../../src/main/engine/upscale/upscale-file.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { translateImage } from '../../src/main/engine/inference/translate-image.js';
import { createModelCatalogue } from '../../src/main/engine/models/index.js';
import { loadTranslator } from '../../src/main/engine/models/load-translator.js';
import { saveTinyPix2pixRun } from './models-fixture.js';

let dir: string;
const file = (name: string) => join(dir, name);

/** Distinct, uneven values, so any shift, swap or blend shows. */
function pattern(width: number, height: number, channels: 3 | 4, alpha?: (x: number, y: number) => number): RawImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      data[o] = (x * 7 + y * 3) & 255;
      data[o + 1] = (x * y) & 255;
      data[o + 2] = (255 - x * 5) & 255;
      if (channels === 4) data[o + 3] = alpha ? alpha(x, y) : 255;
    }
  }
  return { data, width, height, channels };
}

const nearest = (scale: number) => async (w: PixelWindow) => {
  const out = new Float32Array(w.width * scale * w.height * scale * w.channels);
  for (let y = 0; y < w.height * scale; y++)
    for (let x = 0; x < w.width * scale; x++)
      for (let c = 0; c < w.channels; c++) out[(y * w.width * scale + x) * w.channels + c] = w.data[(Math.floor(y / scale) * w.width + Math.floor(x / scale)) * w.channels + c]!;
  return out;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ganvas-streamed-'));
  const raw = (image: RawImage) => sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  await raw(pattern(301, 203, 3)).png().toFile(file('rgb.png'));
  await raw(pattern(120, 90, 4)).png().toFile(file('opaque-rgba.png'));
  await raw(pattern(120, 90, 4, (x, y) => (x * 3 + y) & 255)).png().toFile(file('translucent.png'));
  await raw(pattern(96, 64, 3)).toColourspace('rgb16').png().toFile(file('deep.png'));
  await raw(pattern(96, 64, 3)).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(file('rotated.jpg'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading by rows', () => {
  it('gives decodeImage\'s pixels, from memory or from the temporary file, and deletes that file', async () => {
    const before = (await readdir(tmpdir())).filter((name) => name.startsWith(`ganvas-pixels-${process.pid}-`));
    for (const name of ['rgb.png', 'opaque-rgba.png', 'translucent.png', 'deep.png', 'rotated.jpg']) {
      for (const flatten of [false, true]) {
        const whole = await decodeImage(file(name), { flatten });
        for (const inMemoryPixels of [Infinity, 0]) {
          const rows = await openPixelRows(file(name), { flatten, inMemoryPixels });
          try {
            expect([rows.width, rows.height, rows.channels, rows.format], `${name} ${flatten}`).toEqual([whole.width, whole.height, whole.channels, whole.format]);
            const top = Math.floor(whole.height / 3);
            const rowBytes = whole.width * whole.channels;
            const band = await rows.read(top, 7);
            expect(Buffer.from(band).equals(Buffer.from(whole.data.subarray(top * rowBytes, (top + 7) * rowBytes))), `${name} flatten=${flatten} inMemory=${inMemoryPixels}`).toBe(true);
            await expect(rows.read(whole.height - 1, 2)).rejects.toThrow(RangeError);
          } finally {
            await rows.close();
          }
        }
      }
    }
    const after = (await readdir(tmpdir())).filter((name) => name.startsWith(`ganvas-pixels-${process.pid}-`));
    expect(after).toEqual(before);
  });

  it('shrinks by area average to the same bytes as the in-memory resize, in strips', async () => {
    const whole = await decodeImage(file('rgb.png'));
    const expected = await resizeImage(whole, 64, 48, 'area');
    const rows = await openPixelRows(file('rgb.png'), { inMemoryPixels: 0 });
    try {
      // Strips of 5 rows: every output row's source rows straddle strips.
      const streamed = await shrinkRowsByArea(rows, 64, 48, 5 * whole.width * 3);
      expect(Buffer.from(streamed.data).equals(Buffer.from(expected.data))).toBe(true);
    } finally {
      await rows.close();
    }
    const translucent = await decodeImage(file('translucent.png'));
    const rgbaRows = await openPixelRows(file('translucent.png'), { inMemoryPixels: 0 });
    try {
      const streamed = await shrinkRowsByArea(rgbaRows, 17, 13, 1);
      expect(Buffer.from(streamed.data).equals(Buffer.from((await resizeImage(translucent, 17, 13, 'area')).data))).toBe(true);
    } finally {
      await rgbaRows.close();
    }
  });

  it('refuses a file that is not an image, naming it, and leaves no temporary file', async () => {
    const junk = file('junk.png');
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080' } }).png().toFile(junk);
    const bytes = (await import('node:fs')).readFileSync(junk);
    (await import('node:fs')).writeFileSync(junk, bytes.subarray(0, bytes.length - 40)); // IDAT cut short: the header still reads
    const before = (await readdir(tmpdir())).filter((name) => name.startsWith(`ganvas-pixels-${process.pid}-`)).length;
    await expect(openPixelRows(junk, { inMemoryPixels: 0 })).rejects.toThrow(/^junk\.png: the file is damaged or truncated/);
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`ganvas-pixels-${process.pid}-`)).length).toBe(before);
  });
});

describe('tiling by bands within a memory budget', () => {
  it('lowers the bands of wide images so one band of accumulators stays within the budget', () => {
    const layout = { tile: 512, context: 16, feather: 4 };
    for (const [width, scale] of [[2000, 2], [16_000, 2], [16_000, 4]] as const) {
      const { bands } = planTiles(width, 16_000, layout, { scale, channels: 3, maxBandBytes: 128 * 2 ** 20 });
      const useful = Math.max(...bands.map((b) => b.useEnd - b.useStart));
      const bandBytes = useful * scale * width * scale * 3 * 4;
      if (width === 2000) expect(useful).toBe(512 - 32); // narrow images keep square tiles
      else expect(bandBytes).toBeLessThanOrEqual(128 * 2 ** 20);
    }
    const wide = planTiles(64_000, 1000, layout, { scale: 4, channels: 3, maxBandBytes: 128 * 2 ** 20 });
    expect(Math.max(...wide.bands.map((b) => b.useEnd - b.useStart))).toBe(16); // the floor: some useful rows per band
  });

  it('gives the exact result with low bands, RGB and RGBA', async () => {
    for (const channels of [3, 4] as const) {
      const image = pattern(97, 61, channels, (x, y) => (x + y * 2) & 255);
      const expected = await nearest(3)({ data: Float32Array.from(image.data), width: 97, height: 61, channels });
      const out = new Uint8Array(97 * 3 * 61 * 3 * channels);
      const layout = { tile: 32, context: 4, feather: 3 };
      const maxBandBytes = 97 * 3 * channels * 4 * 3 * 10; // room for 10 useful input rows: the 16-row floor applies
      const planned = planTiles(97, 61, layout, { scale: 3, channels, maxBandBytes }).bands.length;
      expect(planned).toBeGreaterThan(planTiles(97, 61, layout).bands.length);
      let bands = 0;
      await upscaleTiled(image, nearest(3), {
        scale: 3,
        layout,
        maxBandBytes,
        onRows: (rows, first) => {
          bands++;
          out.set(rows, first * 97 * 3 * channels);
        },
      });
      expect(Buffer.from(out).equals(Buffer.from(Uint8Array.from(expected)))).toBe(true);
      expect(bands).toBe(planned);
    }
  });

  it('upscales a file read from the temporary file exactly (a ×1 nearest stand-in returns the input)', async () => {
    const input = file('wide.png');
    const image = pattern(2300, 1800, 3); // 4.1 MP: above the in-memory limit
    await sharp(image.data, { raw: { width: 2300, height: 1800, channels: 3 } }).png({ compressionLevel: 1 }).toFile(input);
    const output = file('wide-x1.png');
    const result = await upscaleFileWith(input, output, { id: 'nearest', scale: 1, layout: { tile: 256, context: 8, feather: 4 }, upscaleWindow: nearest(1) });
    expect(result).toMatchObject({ width: 2300, height: 1800, format: 'png' });
    const { data } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    expect(Buffer.from(data).equals(Buffer.from(image.data))).toBe(true);
  });
});

it('translating a large image streams it through the model and back: the same pixels as decoding and resizing it whole', async () => {
  await initBackend({ prefer: 'wasm' });
  const runDir = join(dir, 'runs', 'tiny');
  (await saveTinyPix2pixRun(runDir)).dispose();
  const translator = await loadTranslator(await createModelCatalogue({ dataDir: dir, bundledDir: file('no-bundled') }).resolve('run:tiny'));
  try {
    const input = file('large.png');
    const image = pattern(2400, 1700, 3); // 4.1 MP: read from the temporary file
    await sharp(image.data, { raw: { width: 2400, height: 1700, channels: 3 } }).png({ compressionLevel: 1 }).toFile(input);
    const result = await translateImage(translator, input, {}, 'large.png');
    expect([result.width, result.height, result.resized?.to]).toEqual([2400, 1700, 16]);
    // The in-memory way: decode whole, area-average to the model's size, and resize what it drew back.
    const fitted = await resizeImage(await decodeImage(input, { flatten: true }), 16, 16, 'area');
    const again = await translateImage(translator, await encodeImage(fitted, 'png'));
    expect(Buffer.from(again.network.data).equals(Buffer.from(result.network.data))).toBe(true);
    const back = await resizeImage(result.network, 2400, 1700, 'bicubic');
    const encoded = await sharp(await result.encode('png')).raw().toBuffer();
    expect(encoded.equals(Buffer.from(back.data))).toBe(true);
    const saved = file('large-out.jpg');
    await result.save(saved, 'jpeg', { quality: 90 });
    const jpeg = await sharp(await encodeImage(back, 'jpeg', { quality: 90 })).raw().toBuffer();
    expect((await sharp(saved).raw().toBuffer()).equals(jpeg)).toBe(true);
  } finally {
    translator.dispose();
  }
});
