// Upscaling on ONNX Runtime: the default path on wasm, the same pictures as tfjs, and tfjs kept
// (with the reason) when it is asked for or the export cannot be made.
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { decodeImage } from '../../src/main/engine/image/index.js';
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
    const info = chooseUpscaleModel({ scale: 2 });
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
