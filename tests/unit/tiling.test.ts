import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { cropRaw, decodeImage, type RawImage } from '../../src/main/engine/image/index.js';
import { loadUpscaleModel, type LoadedUpscaleModel } from '../../src/main/engine/upscale/load-model.js';
import { chooseUpscaleModel } from '../../src/main/engine/upscale/model-catalogue.js';
import { upscaleRgbWindow } from '../../src/main/engine/upscale/model-window.js';
import { tileLayoutFor } from '../../src/main/engine/upscale/tile-layout.js';
import { countTiles, planAxis, readWindow, reflectIndex, upscaleTiled, type PixelWindow, type TileLayout } from '../../src/main/engine/upscale/tiling.js';
import { upscaleImage } from '../../src/main/engine/upscale/upscale-image.js';

const photo = '/usr/share/backgrounds/mate/nature/Dune.jpg';

/** Nearest-neighbour ×s: a per-pixel operation, so tiling must reproduce it exactly. */
const nearest = (scale: number) => async (w: PixelWindow) => {
  const out = new Float32Array(w.width * scale * w.height * scale * w.channels);
  for (let y = 0; y < w.height * scale; y++)
    for (let x = 0; x < w.width * scale; x++)
      for (let c = 0; c < w.channels; c++)
        out[(y * w.width * scale + x) * w.channels + c] = w.data[(Math.floor(y / scale) * w.width + Math.floor(x / scale)) * w.channels + c]!;
  return out;
};

function randomImage(width: number, height: number, channels: 3 | 4, seed = 1): RawImage {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { data, width, height, channels };
}

async function collect(image: RawImage, upscale: (w: PixelWindow) => Promise<Float32Array>, scale: number, layout: TileLayout) {
  const out = new Uint8Array(image.width * scale * image.height * scale * image.channels);
  const blocks: { first: number; count: number }[] = [];
  let next = 0;
  await upscaleTiled(image, upscale, {
    scale,
    layout,
    onRows: (rows, first, count) => {
      expect(first).toBe(next); // rows arrive in order, each once
      next = first + count;
      blocks.push({ first, count });
      out.set(rows, first * image.width * scale * image.channels);
    },
  });
  expect(next).toBe(image.height * scale);
  return { out, blocks };
}

describe('tile plan', () => {
  it('reflects indices without repeating the edge pixel', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflectIndex(i, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
    expect(reflectIndex(-7, 1)).toBe(0);
    expect(reflectIndex(-9, 3)).toBe(1); // several reflections for tiny images
  });

  it('covers the whole axis with overlapping useful spans and ramps only between tiles', () => {
    const layout = { tile: 64, context: 10, feather: 4 };
    for (const length of [1, 5, 44, 45, 100, 187, 1000]) {
      const spans = planAxis(length, layout);
      expect(spans[0]!.useStart).toBe(0);
      expect(spans.at(-1)!.useEnd).toBe(length);
      expect(spans[0]!.rampBefore).toBe(0);
      expect(spans.at(-1)!.rampAfter).toBe(0);
      for (const [k, s] of spans.entries()) {
        expect(s.useStart - s.windowStart).toBe(10);
        expect(s.windowStart + s.windowSize - s.useEnd).toBe(10);
        if (k > 0) expect(spans[k - 1]!.useEnd - s.useStart).toBeGreaterThanOrEqual(4);
      }
    }
    expect(planAxis(44, layout)).toHaveLength(1);
    expect(planAxis(100, layout)).toHaveLength(3);
  });

  it('rejects a tile with no useful area, naming the minimum', () => {
    expect(() => planAxis(100, { tile: 20, context: 10, feather: 4 })).toThrow(/at least 29/);
  });
});

describe('tiled upscaling (exact per-pixel upscaler)', () => {
  it('equals the untiled result exactly, RGB and RGBA, odd sizes, and emits bounded bands in order', async () => {
    for (const [w, h, ch] of [[97, 61, 3], [50, 131, 4], [3, 2, 3]] as const) {
      const image = randomImage(w, h, ch);
      const expected = new Uint8Array(await nearest(3)({ data: Float32Array.from(image.data), width: w, height: h, channels: ch }));
      const layout = { tile: 32, context: 4, feather: 3 };
      const { out, blocks } = await collect(image, nearest(3), 3, layout);
      expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
      const band = (layout.tile - 2 * layout.context) * 3;
      for (const b of blocks) expect(b.count).toBeLessThanOrEqual(band);
      if (h > 24) expect(blocks.length).toBeGreaterThan(1); // streamed, not all at the end
    }
  });

  it('normalises the feathered weights: a constant upscaler gives that constant everywhere', async () => {
    const image = randomImage(70, 70, 3);
    const constant = async (w: PixelWindow) => new Float32Array(w.width * 2 * w.height * 2 * 3).fill(77);
    const { out } = await collect(image, constant, 2, { tile: 24, context: 2, feather: 6 });
    expect(out.every((v) => v === 77)).toBe(true);
  });

  it('stops between tiles when cancelled', async () => {
    const image = randomImage(100, 100, 3);
    const controller = new AbortController();
    let tiles = 0;
    const run = upscaleTiled(image, nearest(2), {
      scale: 2,
      layout: { tile: 32, context: 4, feather: 2 },
      signal: controller.signal,
      onRows: () => undefined,
      onTile: (done) => {
        tiles = done;
        if (done === 3) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect(tiles).toBe(3);
    expect(countTiles(100, 100, { tile: 32, context: 4, feather: 2 })).toBeGreaterThan(3);
  });
});

describe('seams with a real model', () => {
  let loaded: LoadedUpscaleModel;
  let crop: RawImage;

  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    loaded = await loadUpscaleModel(chooseUpscaleModel({ model: 'esrgan-slim-x2' }));
    const image = await decodeImage(photo, { flatten: true });
    crop = cropRaw(image, { left: 600, top: 400, width: 192, height: 160 });
  });

  it('a tiled upscale equals the untiled one at every pixel', async () => {
    const layout = tileLayoutFor(loaded, 64);
    expect(layout.context).toBe(loaded.receptiveRadius); // slim: full receptive field as context
    expect(countTiles(crop.width, crop.height, layout)).toBeGreaterThan(12);
    const before = tf.memory().numTensors;
    const tiled = await upscaleImage(crop, loaded, layout);
    expect(tf.memory().numTensors).toBe(before);

    // Untiled reference: the whole (reflect-padded) crop through the network in one pass.
    const c = layout.context;
    const whole = readWindow(
      crop,
      { windowStart: -c, windowSize: crop.width + 2 * c, useStart: 0, useEnd: crop.width, rampBefore: 0, rampAfter: 0 },
      { windowStart: -c, windowSize: crop.height + 2 * c, useStart: 0, useEnd: crop.height, rampBefore: 0, rampAfter: 0 },
    );
    const big = await upscaleRgbWindow(loaded, whole.data, whole.width, whole.height);
    const s = 2;
    let maxDiff = 0;
    for (let y = 0; y < crop.height * s; y++) {
      for (let x = 0; x < crop.width * s; x++) {
        for (let ch = 0; ch < 3; ch++) {
          const reference = Math.round(big[((y + c * s) * whole.width * s + x + c * s) * 3 + ch]!);
          maxDiff = Math.max(maxDiff, Math.abs(tiled.data[(y * crop.width * s + x) * 3 + ch]! - reference));
        }
      }
    }
    console.log(`seam test: max abs difference tiled vs untiled = ${maxDiff} levels`);
    // Context = receptive radius, so only float rounding differs (conv sums in another order).
    expect(maxDiff).toBeLessThanOrEqual(1);

    // The same check does catch seams: with too little context, tile borders show.
    const starved = await upscaleImage(crop, loaded, { tile: 64, context: 2, feather: 4 });
    let starvedDiff = 0;
    for (let y = 0; y < crop.height * s; y++)
      for (let x = 0; x < crop.width * s; x++)
        for (let ch = 0; ch < 3; ch++) {
          const reference = Math.round(big[((y + c * s) * whole.width * s + x + c * s) * 3 + ch]!);
          starvedDiff = Math.max(starvedDiff, Math.abs(starved.data[(y * crop.width * s + x) * 3 + ch]! - reference));
        }
    console.log(`with 2 px context instead of ${c}: max difference ${starvedDiff} levels`);
    expect(starvedDiff).toBeGreaterThan(3);
  });

  it('keeps the tensor count flat across tiles and images', async () => {
    const layout = tileLayoutFor(loaded, 48);
    await upscaleImage(crop, loaded, layout); // warm-up: backend caches
    const before = tf.memory().numTensors;
    let during = 0;
    for (let i = 0; i < 2; i++) {
      await upscaleImage(cropRaw(crop, { left: 0, top: 0, width: 80 + i * 10, height: 70 }), loaded, layout, {
        onTile: () => (during = Math.max(during, tf.memory().numTensors)),
      });
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(during).toBe(before);
  });
});
