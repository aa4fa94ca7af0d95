// The Doodle models we ship: each loads from models/, and on held-out OpenMoji sketches (never
// trained on) its colouring is clearly closer to the real colour emoji than the sketch itself is.
import { beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { decodeImage, encodeImage } from '../../src/main/engine/image/index.js';
import { evaluationHints, paintHints } from '../../src/main/engine/data/colour-hints.js';
import { isHeldOut, openMojiCodes, openMojiRoot } from '../../src/main/engine/data/openmoji.js';
import { packageRoot } from '../../src/main/engine/install-location.js';
import { createModelCatalogue } from '../../src/main/engine/models/index.js';
import { loadTranslator } from '../../src/main/engine/models/load-translator.js';
import { translateImage } from '../../src/main/engine/inference/translate-image.js';
import { meanAbsoluteError } from './fixtures/image-error.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

it.each(['bundled:pix2pix-openmoji-64', 'bundled:pix2pix-openmoji-64-vivid', 'bundled:pix2pix-openmoji-64-hints'])('%s colours held-out OpenMoji sketches: its output is clearly closer to the colour targets than the bare sketches', async (id) => {
  const before = tf.memory().numTensors;
  const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-no-user-data'), bundledDir: join(packageRoot(), 'models') });
  const translator = await loadTranslator(await catalogue.resolve(id));
  expect(translator.size).toBe(64);
  const held = (await openMojiCodes()).filter((code) => isHeldOut(code, 0.1));
  const picked = Array.from({ length: 12 }, (_, i) => held[Math.floor((i * held.length) / 12)]!);
  let model = 0;
  let sketch = 0;
  for (const code of picked) {
    const lineArt = await decodeImage(join(openMojiRoot(), 'black', 'svg', `${code}.svg`), { svgSize: 64, flatten: true });
    const target = await decodeImage(join(openMojiRoot(), 'color', 'svg', `${code}.svg`), { svgSize: 64, flatten: true });
    const result = await translateImage(translator, await encodeImage(lineArt, 'png'));
    expect(result.resized).toBeNull();
    model += meanAbsoluteError(result.network.data, target.data);
    sketch += meanAbsoluteError(lineArt.data, target.data);
  }
  translator.dispose();
  model /= picked.length;
  sketch /= picked.length;
  console.log(`held-out mean |error| on [0,1]: ${id} ${model.toFixed(4)}, the sketch itself ${sketch.toFixed(4)}`);
  expect(model).toBeLessThan(sketch * 0.75);
  expect(tf.memory().numTensors).toBe(before);
});

it('bundled:pix2pix-openmoji-64-hints follows colour points taken from the true target on held-out sketches', async () => {
  const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-no-user-data'), bundledDir: join(packageRoot(), 'models') });
  const translator = await loadTranslator(await catalogue.resolve('bundled:pix2pix-openmoji-64-hints'));
  const held = (await openMojiCodes()).filter((code) => isHeldOut(code, 0.1));
  const picked = Array.from({ length: 12 }, (_, i) => held[Math.floor((i * held.length) / 12) + 1]!);
  const toUnit = (image: { data: Uint8Array }) => Float32Array.from(image.data, (v) => v / 127.5 - 1);
  let bare = 0;
  let hinted = 0;
  for (const [i, code] of picked.entries()) {
    const sketch = toUnit(await decodeImage(join(openMojiRoot(), 'black', 'svg', `${code}.svg`), { svgSize: 64, flatten: true }));
    const target = toUnit(await decodeImage(join(openMojiRoot(), 'color', 'svg', `${code}.svg`), { svgSize: 64, flatten: true }));
    const canvas = paintHints(sketch, evaluationHints(target, 64, 64, 5, 100 + i));
    const error = (input: Float32Array) =>
      tf.tidy(() => tf.mean(tf.abs(tf.sub(translator.model.translate(tf.tensor4d(input, [1, 64, 64, 3])), tf.tensor4d(target, [1, 64, 64, 3])))).dataSync()[0]! / 2);
    bare += error(sketch) / picked.length;
    hinted += error(canvas) / picked.length;
  }
  translator.dispose();
  console.log(`held-out mean |error| on [0,1], 12 sketches: bare ${bare.toFixed(4)}, with 5 points of the target's colours ${hinted.toFixed(4)}`);
  // On all 448 held-out pairs (its card): 0.0609 bare, 0.0500 with 5 points.
  expect(hinted).toBeLessThan(bare * 0.95);
});
