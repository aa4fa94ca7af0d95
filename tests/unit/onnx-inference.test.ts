// Upscaling on ONNX Runtime: the default path on wasm, the same pictures as tfjs, and tfjs kept
// (with the reason) when it is asked for or the export cannot be made.
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { openMojiRoot } from '../../src/main/engine/data/openmoji.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { cyclegan } from '../../src/main/engine/gans/cyclegan/index.js';
import { srgan } from '../../src/main/engine/gans/srgan/index.js';
import { decodeImage, encodeImage } from '../../src/main/engine/image/index.js';
import { translateImage } from '../../src/main/engine/inference/translate-image.js';
import { packageRoot } from '../../src/main/engine/install-location.js';
import { createModelCatalogue, type ModelLocation } from '../../src/main/engine/models/index.js';
import { loadTranslator } from '../../src/main/engine/models/load-translator.js';
import { saveCheckpoint } from '../../src/main/engine/train/index.js';
import { chooseInferencePath } from '../../src/main/engine/onnx/index.js';
import { loadUpscaleModel } from '../../src/main/engine/upscale/load-model.js';
import { chooseUpscaleModel } from '../../src/main/engine/upscale/model-catalogue.js';
import { tileLayoutFor } from '../../src/main/engine/upscale/tile-layout.js';
import { upscaleImage } from '../../src/main/engine/upscale/upscale-image.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const photo = '/usr/share/backgrounds/mate/nature/Wood.jpg';

describe('upscaling through ONNX Runtime', () => {
  it('is the default on wasm and gives the tfjs pictures (RGB and RGBA, across tile seams) to within one level', async () => {
    const info = chooseUpscaleModel({ scale: 2, model: 'slim' });
    const onnx = await loadUpscaleModel(info);
    const tfjs = await loadUpscaleModel(info, { inference: 'tfjs' });
    expect(onnx.inference.runtime).toBe('onnx');
    expect(onnx.inference.reason).toMatch(/ONNX Runtime on \d+ thread/);
    expect(tfjs.inference.runtime).toBe('tfjs');
    expect(tfjs.inference.reason).toMatch(/tfjs/);

    const crop = await sharp(photo).extract({ left: 700, top: 500, width: 72, height: 56 }).png().toBuffer();
    const rgb = await decodeImage(crop, { name: 'crop' });
    const rgba = await decodeImage(await sharp(crop).ensureAlpha(0.5).png().toBuffer(), { name: 'crop with alpha' });
    for (const image of [rgb, rgba]) {
      // A small tile so the crop goes through several tiles and blends.
      const layout = tileLayoutFor(onnx, 48);
      const before = tf.memory().numTensors;
      const a = await upscaleImage(image, onnx, layout);
      expect(tf.memory().numTensors).toBe(before);
      const b = await upscaleImage(image, tfjs, layout);
      expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
      let worst = 0;
      let differing = 0;
      for (let i = 0; i < a.data.length; i++) {
        const d = Math.abs(a.data[i]! - b.data[i]!);
        worst = Math.max(worst, d);
        if (d > 0) differing++;
      }
      expect(worst).toBeLessThanOrEqual(1);
      expect(differing / a.data.length).toBeLessThan(0.01);
    }
  });

  it('keeps tfjs, saying why, for a network the exporter cannot write', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const output = tf.layers.averagePooling2d({ name: 'blur', poolSize: 2, strides: 1, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const path = await chooseInferencePath(model, { shape: [1, 8, 8, 3], range: [0, 1] });
    expect(path.runtime).toBe('tfjs');
    expect(path.network).toBeNull();
    expect(path.fellBack).toBe(true);
    expect(path.reason).toMatch(/layer blur: AveragePooling2D layers are not exported/);
    const asked = await chooseInferencePath(model, { shape: [1, 8, 8, 3], range: [0, 1], prefer: 'tfjs' });
    expect(asked).toMatchObject({ runtime: 'tfjs', fellBack: false, reason: 'GANVAS_INFERENCE=tfjs' });
    model.dispose();
  });
});

describe('translating through ONNX Runtime', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));

  /** The same image through a translator on ONNX Runtime and one on tfjs: results within one level, mostly equal. */
  async function expectSamePictures(location: ModelLocation, images: Buffer[], options: Record<string, unknown> = {}) {
    const onnx = await loadTranslator(location);
    const tfjs = await loadTranslator(location, { inference: 'tfjs' });
    try {
      expect(onnx.inference.runtime).toBe('onnx');
      expect(tfjs.inference).toEqual({ runtime: 'tfjs', reason: 'GANVAS_INFERENCE=tfjs' });
      for (const image of images) {
        const before = tf.memory().numTensors;
        const a = await translateImage(onnx, image, options);
        expect(tf.memory().numTensors).toBe(before);
        const b = await translateImage(tfjs, image, options);
        expect([a.network.width, a.network.height]).toEqual([b.network.width, b.network.height]);
        let worst = 0;
        let differing = 0;
        for (let i = 0; i < a.network.data.length; i++) {
          const d = Math.abs(a.network.data[i]! - b.network.data[i]!);
          worst = Math.max(worst, d);
          if (d > 0) differing++;
        }
        expect(worst).toBeLessThanOrEqual(1);
        expect(differing / a.network.data.length).toBeLessThan(0.01);
      }
    } finally {
      onnx.dispose();
      tfjs.dispose();
    }
  }

  it('the bundled Doodle model colours OpenMoji sketches as on tfjs; with test-time noise it is tfjs itself', async () => {
    const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-no-user-data'), bundledDir: join(packageRoot(), 'models') });
    const location = await catalogue.resolve('bundled:pix2pix-openmoji-64');
    const sketches = await Promise.all(['1F600', '1F34E', '2615'].map(async (code) => encodeImage(await decodeImage(join(openMojiRoot(), 'black', 'svg', `${code}.svg`), { svgSize: 64, flatten: true }), 'png')));
    await expectSamePictures(location, sketches);
    // Noise needs tfjs's seeded dropout: the ONNX translator must hand it to tfjs and give the very same pixels.
    const onnx = await loadTranslator(location);
    const tfjs = await loadTranslator(location, { inference: 'tfjs' });
    const a = await translateImage(onnx, sketches[0]!, { noise: true, seed: 3 });
    const b = await translateImage(tfjs, sketches[0]!, { noise: true, seed: 3 });
    const plain = await translateImage(tfjs, sketches[0]!);
    expect(Buffer.from(a.network.data).equals(Buffer.from(b.network.data))).toBe(true);
    expect(Buffer.from(a.network.data).equals(Buffer.from(plain.network.data))).toBe(false);
    onnx.dispose();
    tfjs.dispose();
  });

  it('the bundled hint model reads the colours on the canvas (its hint layer) as on tfjs', async () => {
    const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-no-user-data'), bundledDir: join(packageRoot(), 'models') });
    const location = await catalogue.resolve('bundled:pix2pix-openmoji-64-hints');
    const sketch = await decodeImage(join(openMojiRoot(), 'black', 'svg', '1F600.svg'), { svgSize: 64, flatten: true });
    // A red blob in the middle of the face and a blue one on the paper: both sides must spread them alike.
    const hinted = { ...sketch, data: Buffer.from(sketch.data) };
    for (const [cx, cy, colour] of [[32, 40, [224, 32, 32]], [4, 4, [32, 32, 224]]] as const) {
      for (let y = cy - 2; y <= cy + 2; y++) for (let x = cx - 2; x <= cx + 2; x++) hinted.data.set(colour, (y * 64 + x) * sketch.channels);
    }
    await expectSamePictures(location, [await encodeImage(sketch, 'png'), await encodeImage(hinted, 'png')]);
  });

  it('a CycleGAN run, both directions, on an image whose sides are not multiples of 4 (padded and cropped back)', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'ganvas-onnx-cyclegan-'));
    dirs.push(dir);
    const config = parseFamilyConfig(cyclegan, { size: 16, ngf: 4, ndf: 4, blocks: 1, seed: 3, inputSkip: true });
    const model = (await cyclegan.loadModel()).build(config);
    await saveCheckpoint(join(dir, 'runs', 'styles'), model, { family: 'cyclegan', step: 0 });
    model.dispose();
    const catalogue = createModelCatalogue({ dataDir: dir, bundledDir: join(dir, 'no-bundled') });
    const photoCrop = await sharp(photo).extract({ left: 300, top: 200, width: 30, height: 22 }).png().toBuffer();
    for (const direction of ['AtoB', 'BtoA']) await expectSamePictures(await catalogue.resolve('run:styles'), [photoCrop], { direction });
  });

  it('an SRGAN run with a bicubic image skip upscales as on tfjs', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'ganvas-onnx-srgan-'));
    dirs.push(dir);
    const config = parseFamilyConfig(srgan, { size: 32, scale: 2, filters: 8, blocks: 1, norm: 'batch', imageSkip: 'bicubic', ndf: 4, seed: 5 });
    const model = (await srgan.loadModel()).build(config);
    await saveCheckpoint(join(dir, 'runs', 'sr'), model, { family: 'srgan', step: 0 });
    model.dispose();
    const catalogue = createModelCatalogue({ dataDir: dir, bundledDir: join(dir, 'no-bundled') });
    const photoCrop = await sharp(photo).extract({ left: 900, top: 400, width: 40, height: 26 }).png().toBuffer();
    await expectSamePictures(await catalogue.resolve('run:sr'), [photoCrop]);
  });
});
