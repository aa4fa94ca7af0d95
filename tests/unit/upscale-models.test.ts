import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { loadUpscaleModel } from '../../src/main/engine/upscale/load-model.js';
import { chooseUpscaleModel, listUpscaleModels } from '../../src/main/engine/upscale/model-catalogue.js';
import { upscaleRgbWindow } from '../../src/main/engine/upscale/model-window.js';
import { defaultTileSize, onnxTileCap, tileLayoutFor } from '../../src/main/engine/upscale/tile-layout.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('model catalogue', () => {
  it('lists the nine installed ESRGAN models, slim being the default where no bundled SRGAN model is (×3)', () => {
    const all = listUpscaleModels();
    const models = all.filter((m) => m.family === 'esrgan');
    // models/srgan-photo-x2 and -x4 are marked the default for their scales (bundled-upscalers.test.ts).
    expect(all.filter((m) => m.isDefault).map((m) => m.catalogueId).sort()).toEqual(['bundled:srgan-photo-x2', 'bundled:srgan-photo-x4', 'npm:esrgan-slim-x3']);
    expect(models.map((m) => m.id).sort()).toEqual(
      ['slim', 'medium', 'thick'].flatMap((v) => [2, 3, 4].map((s) => `esrgan-${v}-x${s}`)).sort(),
    );
    for (const m of models) {
      expect(m.licence).toBe('MIT');
      expect(m.source).toBe(`@upscalerjs/esrgan-${m.variant}`);
      expect(m.isDefault).toBe(m.variant === 'slim' && m.scale === 3);
    }
    const slim = models.find((m) => m.id === 'esrgan-slim-x4')!;
    const thick = models.find((m) => m.id === 'esrgan-thick-x4')!;
    expect(slim.sizeBytes).toBeGreaterThan(500_000);
    expect(thick.sizeBytes).toBeGreaterThan(20 * slim.sizeBytes);
  });

  it('picks by scale, by short name, or by id, and explains what exists otherwise', () => {
    expect(chooseUpscaleModel({ scale: 3 }).id).toBe('esrgan-slim-x3');
    expect(chooseUpscaleModel({ scale: 2, model: 'medium' }).id).toBe('esrgan-medium-x2');
    expect(chooseUpscaleModel({ model: 'esrgan-thick-x4' }).scale).toBe(4);
    expect(() => chooseUpscaleModel({ scale: 8 })).toThrow(/no model upscales ×8; available scales: ×2, ×3, ×4/);
    expect(() => chooseUpscaleModel({ scale: 2, model: 'esrgan-slim-x4' })).toThrow(/upscales ×4, not ×2.*esrgan-slim-x2/);
    expect(() => chooseUpscaleModel({ model: 'huge' })).toThrow(/unknown upscale model "huge"; installed models: (.*, )?esrgan-slim-x2/);
  });
});

describe('loading from node_modules', () => {
  it('loads both architectures (thick needs our MultiplyBeta and PixelShuffle layers) and upscales 0–255 to 0–255', async () => {
    for (const id of ['esrgan-slim-x3', 'esrgan-thick-x2']) {
      const loaded = await loadUpscaleModel(chooseUpscaleModel({ model: id }));
      const { scale } = loaded.info;
      // A smooth gradient: any sane upscaler keeps its mean and range.
      const w = 12, h = 10;
      const rgb = new Float32Array(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = 60 + 10 * x + 5 * y + 20 * c;
      const before = tf.memory().numTensors;
      const out = await upscaleRgbWindow(loaded, rgb, w, h);
      expect(tf.memory().numTensors).toBe(before);
      expect(out.length).toBe(w * scale * h * scale * 3);
      const meanIn = rgb.reduce((a, b) => a + b, 0) / rgb.length;
      const meanOut = out.reduce((a, b) => a + b, 0) / out.length;
      expect(Math.abs(meanOut - meanIn)).toBeLessThan(6);
      expect(Math.min(...out)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...out)).toBeLessThanOrEqual(255);
    }
  });

  it('derives context and tile size from the layer graph', async () => {
    const slim = await loadUpscaleModel(chooseUpscaleModel({ model: 'esrgan-slim-x4' }));
    const thick = await loadUpscaleModel(chooseUpscaleModel({ model: 'esrgan-thick-x2' }));
    // slim: 3×3 convs F_-1, F_0, two RDB convs, GFF_2, UPN2, UPN3 (1 px each) + UPN1 5×5 (2 px) + SR 3×3 after ×4 (¼ px) → 10
    expect(slim.receptiveRadius).toBe(10);
    expect(thick.receptiveRadius).toBeGreaterThan(100);
    // slim ×4 upsamples 48 channels by 16 before its last conv
    expect(slim.largestMapBytesPerInputPixel).toBe(4 * 48 * 16);
    expect(tileLayoutFor(thick).context).toBe(32);
    expect(defaultTileSize(slim, 64 * 2 ** 30)).toBeLessThanOrEqual(256);
    expect(defaultTileSize(slim, 100 * 2 ** 20)).toBe(64);
    expect(() => tileLayoutFor(slim, 20)).toThrow(/tile size must be a whole number from 44/);
  });

  it('keeps default tiles at most onnxTileCap on ONNX Runtime, where large tiles cost more per pixel, and up to 512 on tfjs', async () => {
    const info = chooseUpscaleModel({ model: 'bundled:srgan-photo-x4' });
    const onOnnx = await loadUpscaleModel(info, { inference: 'onnx' });
    const onTfjs = await loadUpscaleModel(info, { inference: 'tfjs' });
    expect(onOnnx.inference.runtime).toBe('onnx');
    expect(onTfjs.inference.runtime).toBe('tfjs');
    // With 64 GiB free, memory alone allows the largest tile.
    expect(defaultTileSize(onTfjs, 64 * 2 ** 30)).toBe(512);
    expect(defaultTileSize(onOnnx, 64 * 2 ** 30)).toBe(onnxTileCap);
    // Short of memory, the memory rule still decides on both.
    expect(defaultTileSize(onOnnx, 40 * 2 ** 20)).toBe(defaultTileSize(onTfjs, 40 * 2 ** 20));
    expect(defaultTileSize(onOnnx, 40 * 2 ** 20)).toBeLessThan(onnxTileCap);
  });
});
