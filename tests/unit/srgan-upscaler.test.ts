/**
 * Our own SRGAN models are upscalers: a tiny SRResNet trained here for a few
 * steps on real photos (Debian's mate nature wallpapers), saved with the
 * trainer's checkpoint code and exported in the bundled-model format, shows
 * up beside the ESRGANs, becomes the default for its scale when its
 * model.json says so, tiles without seams, agrees with the family's own
 * inference, and upscales a non-square photo through the `upscale.images`
 * job into the gallery.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src/shared/contract.js';
import { smallestTileFor } from '../../src/shared/upscale-tiles.js';
import { openStudio } from '../../src/main/api/studio.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { srgan, srganModel, type SrganConfig } from '../../src/main/engine/gans/srgan/model.js';
import { decodeImage, type RawImage } from '../../src/main/engine/image/index.js';
import { createModelCatalogue } from '../../src/main/engine/models/catalogue.js';
import { exportModel } from '../../src/main/engine/models/export-model.js';
import { chooseUpscaleModel, listUpscaleModels } from '../../src/main/engine/upscale/model-catalogue.js';
import { loadUpscaleModel, unloadUpscaleModels } from '../../src/main/engine/upscale/load-model.js';
import { receptiveRadius } from '../../src/main/engine/upscale/model-geometry.js';
import { srresnetReceptiveRadius } from '../../src/main/engine/gans/srgan/geometry.js';
import { smallestTile, tileLayoutFor } from '../../src/main/engine/upscale/tile-layout.js';
import { upscaleImage } from '../../src/main/engine/upscale/upscale-image.js';
import { matePhotos, PHOTOS, TINY_SRGAN, trainTinySrgan } from './srgan-fixture.js';
import { bicubicUpscalePlane } from '../../src/main/engine/upscale/bicubic.js';
import { evaluateUpscalers } from '../../src/main/engine/upscale/evaluate.js';
import { upscaleCommand } from '../../src/main/cli/upscale.js';

const SCALE = 2;
const TINY = TINY_SRGAN;

let root: string;
let dataDir: string;
let bundledDir: string;
let emptyBundled: string;
let photo: RawImage;
let photoFile: string;

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!));
  return most;
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  const photos = matePhotos();
  root = mkdtempSync(path.join(tmpdir(), 'ganvas-srgan-upscaler-'));
  dataDir = path.join(root, 'data');
  bundledDir = path.join(root, 'bundled');
  emptyBundled = path.join(root, 'no-bundled');
  mkdirSync(emptyBundled);
  // A non-square photo the model has not seen.
  photoFile = path.join(root, 'meadow.png');
  await sharp(path.join(PHOTOS, photos.at(-1)!)).resize({ width: 150, height: 97, fit: 'cover' }).png().toFile(photoFile);
  photo = await decodeImage(photoFile);

  const runDir = await trainTinySrgan(root);
  const card = { title: 'Tiny photo SRGAN ×2', licence: 'CC0-1.0', trainedOn: 'three mate wallpapers', speed: '1 ms per tile' };
  await exportModel(runDir, path.join(dataDir, 'models', 'tiny-x2'), { card });
  // The same run, as a training run of the studio's.
  cpSync(runDir, path.join(dataDir, 'runs', 'tiny-run'), { recursive: true });
  await exportModel(runDir, path.join(bundledDir, 'tiny-x2-default'), { card, default: true });
  await exportModel(runDir, path.join(bundledDir, 'tiny-x2-plain'), { card });
  // A damaged folder is no upscaler (models.list reports it).
  mkdirSync(path.join(bundledDir, 'broken'));
  writeFileSync(path.join(bundledDir, 'broken', 'model.json'), '{ not json');
}, 120_000);

afterAll(async () => {
  await unloadUpscaleModels();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('SRGAN models as upscalers', () => {
  it('are listed beside the ESRGANs with their scale, size, card and smallest tile', () => {
    const models = listUpscaleModels({ dataDir, bundledDir });
    const user = models.find((m) => m.id === 'user:tiny-x2');
    expect(user).toMatchObject({ family: 'srgan', catalogueId: 'user:tiny-x2', scale: 2, title: 'Tiny photo SRGAN ×2', licence: 'CC0-1.0', pixelRange: [-1, 1], isDefault: false });
    expect(user!.sizeBytes).toBeGreaterThan(1000);
    expect(user!.smallestTile).toBe(smallestTileFor(srresnetReceptiveRadius(TINY)));
    expect(models.map((m) => m.id)).toEqual(expect.arrayContaining(['bundled:tiny-x2-default', 'bundled:tiny-x2-plain', 'esrgan-slim-x2', 'esrgan-thick-x4']));
    expect(models.some((m) => m.id.includes('broken'))).toBe(false);
    // Without a data folder the user's models are not known; the error names what is.
    expect(() => chooseUpscaleModel({ model: 'user:tiny-x2', scale: 2 }, { bundledDir })).toThrow(/unknown upscale model "user:tiny-x2"; installed models: bundled:tiny-x2-default/);
    expect(() => chooseUpscaleModel({ model: 'user:tiny-x2', scale: 4 }, { dataDir, bundledDir: emptyBundled })).toThrow(/upscales ×2, not ×4/);
  });

  it('a bundled one marked "default" is the default for its scale; with none, slim stays', async () => {
    expect(chooseUpscaleModel({ scale: 2 }, { dataDir, bundledDir }).id).toBe('bundled:tiny-x2-default');
    expect(chooseUpscaleModel({ scale: 3 }, { dataDir, bundledDir }).id).toBe('esrgan-slim-x3');
    const listed = listUpscaleModels({ dataDir, bundledDir });
    expect(listed.filter((m) => m.scale === 2 && m.isDefault).map((m) => m.id)).toEqual(['bundled:tiny-x2-default']);
    // A user's model does not take over, even when marked (the default must not depend on whose data folder a worker sees).
    expect(chooseUpscaleModel({ scale: 2 }, { dataDir, bundledDir: emptyBundled }).id).toBe('esrgan-slim-x2');
    // models.list says which one is the default.
    const catalogue = createModelCatalogue({ dataDir, bundledDir });
    const upscalers = await catalogue.list({ use: 'upscale' });
    expect(upscalers.filter((m) => m.isDefault && m.scale === 2).map((m) => m.id)).toEqual(['bundled:tiny-x2-default']);
    expect(upscalers.find((m) => m.id === 'npm:esrgan-slim-x3')?.isDefault).toBe(true);
    const plain = upscalers.find((m) => m.id === 'bundled:tiny-x2-plain');
    expect(plain?.isDefault).toBeUndefined();
    expect(plain?.card).toEqual({ trainedOn: 'three mate wallpapers', speed: '1 ms per tile' });
    expect(plain?.sizeBytes).toBeGreaterThan(1000);
    expect(upscalers.find((m) => m.id === 'npm:esrgan-slim-x3')?.sizeBytes).toBeGreaterThan(1000);
  });

  it('knows its receptive field without loading: the same radius the network graph gives, and tiles are sized for it', async () => {
    const loaded = await loadUpscaleModel(chooseUpscaleModel({ model: 'user:tiny-x2' }, { dataDir }), { inference: 'tfjs' });
    expect(loaded.receptiveRadius).toBe(receptiveRadius(loaded.model));
    expect(loaded.receptiveRadius).toBe(srresnetReceptiveRadius(TINY));
    expect(smallestTile(loaded)).toBe(loaded.info.smallestTile);
    // The paper's 16-block SRResNet: 40 px at every scale, all of it used as context (no seams).
    for (const scale of [2, 3, 4]) {
      const G = srganModel.buildInference(parseFamilyConfig(srgan, { scale, blocks: 16, filters: 4, norm: 'none', imageSkip: 'bicubic', size: 48 }) as SrganConfig);
      expect(receptiveRadius(G.networks['G']!), `×${scale}`).toBe(srresnetReceptiveRadius({ scale, blocks: 16 }));
      G.dispose();
    }
    expect(srresnetReceptiveRadius({ scale: 4, blocks: 16 })).toBe(40);
  }, 60_000);

  it('upscales a photo as the family itself does, tiled the same as untiled (within 1 level), on tfjs and ONNX Runtime', async () => {
    const info = chooseUpscaleModel({ model: 'user:tiny-x2' }, { dataDir });
    const tfjs = await loadUpscaleModel(info, { inference: 'tfjs' });
    const onnx = await loadUpscaleModel(info, { inference: 'onnx' });
    expect(onnx.inference.runtime).toBe('onnx');
    const before = tf.memory().numTensors;
    const context = tfjs.receptiveRadius;
    // Untiled: the whole (reflect-padded) photo in one window.
    const whole = await upscaleImage(photo, tfjs, { tile: 256, context, feather: 4 });
    const tiled = await upscaleImage(photo, tfjs, tileLayoutFor(tfjs, tfjs.info.smallestTile));
    expect(tileLayoutFor(tfjs).context).toBe(context);
    const onOnnx = await upscaleImage(photo, onnx, tileLayoutFor(onnx, 64));
    expect(tf.memory().numTensors).toBe(before);
    expect([whole.width, whole.height]).toEqual([300, 194]);
    expect(maxDifference(tiled.data, whole.data)).toBeLessThanOrEqual(1);
    expect(maxDifference(onOnnx.data, whole.data)).toBeLessThanOrEqual(1);

    // The family's own inference on the whole photo, in [-1, 1] (zero-padded at the border, so compared inside it).
    const input = tf.tidy(() => tf.tensor4d(Float32Array.from(photo.data), [1, photo.height, photo.width, 3]).div(127.5).sub(1) as tf.Tensor4D);
    const translator = srganModel.buildInference(parseFamilyConfig(srgan, TINY) as SrganConfig);
    translator.networks['G']!.setWeights(tfjs.model.getWeights());
    const reference = tf.tidy(() => translator.translate(input).add(1).mul(127.5).round().clipByValue(0, 255));
    const expected = Uint8Array.from(await reference.data());
    tf.dispose([input, reference]);
    translator.dispose();
    const inside = (image: Uint8Array) => {
      const kept: number[] = [];
      const margin = context * SCALE;
      for (let y = margin; y < whole.height - margin; y++) for (let x = margin; x < whole.width - margin; x++) for (let c = 0; c < 3; c++) kept.push(image[(y * whole.width + x) * 3 + c]!);
      return Uint8Array.from(kept);
    };
    expect(maxDifference(inside(whole.data), inside(expected))).toBeLessThanOrEqual(1);
  }, 120_000);

  it('ganvas upscale takes it by id with --data-dir, and lists it', async () => {
    const output = path.join(root, 'cli', 'meadow-x2.png');
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      expect(await upscaleCommand(['--scale', '2', '--model', 'user:tiny-x2', '--data-dir', dataDir, photoFile, '--output', output])).toBe(0);
      expect(await upscaleCommand(['--list-models', '--data-dir', dataDir])).toBe(0);
    } finally {
      console.log = log;
    }
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height]).toEqual([300, 194]);
    expect(meta.comments?.find((c) => c.keyword === 'Software')?.text).toMatch(/upscaled x2 with user:tiny-x2$/);
    expect(lines.some((line) => line.startsWith('user:tiny-x2') && line.includes('×2'))).toBe(true);
  }, 60_000);

  it("a training run of the studio's upscales with its latest checkpoint, as its export does", async () => {
    const run = chooseUpscaleModel({ model: 'run:tiny-run', scale: 2 }, { dataDir });
    expect(run).toMatchObject({ family: 'srgan', location: 'run', catalogueId: 'run:tiny-run', title: 'tiny-run (training run, step 12)', isDefault: false });
    expect(run.smallestTile).toBe(chooseUpscaleModel({ model: 'user:tiny-x2' }, { dataDir }).smallestTile);
    const fromRun = await upscaleImage(photo, await loadUpscaleModel(run, { inference: 'tfjs' }), { tile: 64, context: 12, feather: 4 });
    const fromExport = await upscaleImage(photo, await loadUpscaleModel(chooseUpscaleModel({ model: 'user:tiny-x2' }, { dataDir }), { inference: 'tfjs' }), { tile: 64, context: 12, feather: 4 });
    expect(maxDifference(fromRun.data, fromExport.data)).toBe(0);
  }, 60_000);

  it('is scored by eval-sr beside bicubic', async () => {
    const photos = path.join(root, 'eval');
    mkdirSync(photos);
    await sharp(photoFile).toFile(path.join(photos, 'meadow.png'));
    const report = await evaluateUpscalers(photos, { scale: 2, models: ['user:tiny-x2'], folders: { dataDir }, cropSize: 64 });
    expect(report.summary.map((s) => s.method)).toEqual(['bicubic', 'user:tiny-x2']);
    expect(report.summary[1]!.psnr).toBeGreaterThan(15);
  }, 60_000);

  it('upscales a non-square photo through the upscale.images job into the gallery', async () => {
    const studio = openStudio({ dataDir, transport: 'http', log: () => {} });
    try {
      const models = await studio.dispatch('models.list', { use: 'upscale' });
      expect(models.ok && (models.value as { models: { id: string }[] }).models.map((m) => m.id)).toEqual(expect.arrayContaining(['user:tiny-x2']));
      const dataBase64 = (await sharp(photoFile).jpeg({ quality: 95 }).toBuffer()).toString('base64');
      const tooSmall = await studio.dispatch('upscale.images', { files: [{ name: 'meadow.jpg', dataBase64 }], scale: 2, modelId: 'user:tiny-x2', tile: 44 });
      expect(tooSmall.ok).toBe(false);
      expect(!tooSmall.ok && tooSmall.error.message).toMatch(/tile size must be a whole number from 48 to 2048 for user:tiny-x2, got 44/);
      const outcome = await studio.dispatch('upscale.images', { files: [{ name: 'meadow.jpg', dataBase64 }], scale: 2, modelId: 'user:tiny-x2', tile: 64 });
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      const job = await studio.context.jobs.waitFor((outcome as { value: JobInfo }).value.id);
      expect(job.status, job.error).toBe('succeeded');
      const result = job.result as { modelId: string; done: { itemId: number; width: number; height: number }[] };
      expect(result.modelId).toBe('user:tiny-x2');
      expect(result.done.map((d) => [d.width, d.height])).toEqual([[300, 194]]);
      const item = await studio.dispatch('gallery.get', { id: result.done[0]!.itemId });
      expect(item.ok && item.value).toMatchObject({ kind: 'upscale', modelId: 'user:tiny-x2' });

      // The view's "before": the original by the engine's exact bicubic.
      const before = await studio.dispatch('upscale.bicubic', { itemId: result.done[0]!.itemId, scale: 2 });
      expect(before.ok, JSON.stringify(before)).toBe(true);
      const made = before.ok ? (before.value as { width: number; height: number; pngBase64: string }) : null;
      expect([made!.width, made!.height]).toEqual([300, 194]);
      const shown = await decodeImage(Buffer.from(made!.pngBase64, 'base64'));
      const original = await decodeImage(Buffer.from(dataBase64, 'base64'));
      const plane = new Float32Array(original.width * original.height);
      let most = 0;
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < plane.length; p++) plane[p] = original.data[p * 3 + c]!;
        const big = bicubicUpscalePlane(plane, original.width, original.height, 2);
        for (let p = 0; p < big.length; p++) most = Math.max(most, Math.abs(shown.data[p * 3 + c]! - Math.min(255, Math.max(0, Math.round(big[p]!)))));
      }
      expect(most).toBe(0);
      const missing = await studio.dispatch('upscale.bicubic', { itemId: 99_999, scale: 2 });
      expect(missing.ok).toBe(false);
    } finally {
      await studio.close();
    }
  }, 120_000);
});
