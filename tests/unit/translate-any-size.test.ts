// A fully convolutional family (SRGAN) translates images as they are: no resize to the
// training patch, and the output is ×scale — unlike pix2pix, whose U-Net needs its size.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { srgan, srganModel } from '../../src/main/engine/gans/srgan/model.js';
import { saveCheckpoint } from '../../src/main/engine/train/index.js';
import { createModelCatalogue } from '../../src/main/engine/models/index.js';
import { loadTranslator } from '../../src/main/engine/models/load-translator.js';
import { translateImage } from '../../src/main/engine/inference/translate-image.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-any-size-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

it('keeps the image size for SRGAN (output ×scale) and resizes for pix2pix', async () => {
  const config = parseFamilyConfig(srgan, { size: 32, scale: 2, filters: 4, blocks: 1, ndf: 4 });
  const model = srganModel.build(config);
  await saveCheckpoint(path.join(dir, 'runs', 'sr'), model, { family: 'srgan', step: 0 });
  model.dispose();
  (await saveTinyPix2pixRun(path.join(dir, 'runs', 'p2p'))).dispose();
  const image = path.join(dir, 'photo.png');
  await writeImage(image, 40, 26);

  const catalogue = createModelCatalogue({ dataDir: dir, bundledDir: path.join(dir, 'no-bundled') });
  const before = tf.memory().numTensors;
  const sr = await loadTranslator(await catalogue.resolve('run:sr'));
  const upscaled = await translateImage(sr, image);
  expect([upscaled.width, upscaled.height]).toEqual([80, 52]);
  expect(upscaled.resized).toBeNull();
  sr.dispose();

  const p2p = await loadTranslator(await catalogue.resolve('run:p2p'));
  const translated = await translateImage(p2p, image);
  expect([translated.width, translated.height]).toEqual([40, 26]);
  expect(translated.resized?.to).toBe(16);
  p2p.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

it('translates an image too large for one tensor in tiles that match the whole-image result, without seams', async () => {
  // No normalisation layers, so each output pixel depends only on its neighbourhood and the tiled
  // result must equal the whole-image one wherever a tile's context covers the receptive field.
  const config = parseFamilyConfig(srgan, { size: 32, scale: 2, filters: 8, blocks: 2, norm: 'none', ndf: 4, seed: 5 });
  const model = srganModel.build(config);
  await saveCheckpoint(path.join(dir, 'runs', 'sr-tiles'), model, { family: 'srgan', step: 0 });
  model.dispose();
  const image = path.join(dir, 'large.png');
  await writeImage(image, 1400, 1200, 9); // 1.68 MP: above the whole-image limit
  const catalogue = createModelCatalogue({ dataDir: dir, bundledDir: path.join(dir, 'no-bundled') });
  const sr = await loadTranslator(await catalogue.resolve('run:sr-tiles'));
  const before = tf.memory().numTensors;
  const tiled = await translateImage(sr, image);
  expect([tiled.width, tiled.height]).toEqual([2800, 2400]);
  const { decodeImage, imageToTensor, tensorToImage } = await import('../../src/main/engine/image/index.js');
  const decoded = await decodeImage(image, { flatten: true });
  const result = tf.tidy(() => sr.model.translate(imageToTensor(decoded).expandDims(0) as tf.Tensor4D, {}));
  const whole = await tensorToImage(result);
  result.dispose();
  // Away from the image border (tiles reflect-pad it, the whole-image pass zero-pads), they agree.
  const border = 32;
  let worst = 0;
  for (let y = border; y < whole.height - border; y++) {
    for (let x = border; x < whole.width - border; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * whole.width + x) * 3 + c;
        worst = Math.max(worst, Math.abs(whole.data[i]! - tiled.network.data[i]!));
      }
    }
  }
  expect(worst).toBeLessThanOrEqual(1);
  expect(tf.memory().numTensors).toBe(before);
  sr.dispose();
});
