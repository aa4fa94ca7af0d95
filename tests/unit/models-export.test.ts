/**
 * The exported-model format: export a real pix2pix checkpoint, load it back,
 * and translate exactly (float32) or within half precision (float16) like the
 * checkpoint's model; damaged or mismatched files fail with clear messages.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import type { FamilyConfig, InferenceModel } from '../../src/main/engine/gans/family.js';
import { exportModel } from '../../src/main/engine/models/export-model.js';
import { float16Bits, float16Value, fromFloat16, toFloat16 } from '../../src/main/engine/models/float16.js';
import { loadExportedModel } from '../../src/main/engine/models/load-exported-model.js';
import { loadCheckpoint } from '../../src/main/engine/train/index.js';
import { saveTinyPix2pixRun } from './models-fixture.js';

let root: string;
let runDir: string;
let input: tf.Tensor4D;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-models-export-'));
  runDir = path.join(root, 'run');
  (await saveTinyPix2pixRun(runDir)).dispose();
  input = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
});
afterAll(async () => {
  input.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

function translate(model: InferenceModel<FamilyConfig>): Float32Array {
  const out = model.translate(input);
  try {
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
}

describe('half precision', () => {
  it('round-trips values within 1e-3 relative error, and exactly where half floats are exact', () => {
    const values = new Float32Array(20_000);
    for (let i = 0; i < values.length; i++) values[i] = (Math.sin(i * 12.9898) * 43758.5453) % 1 * 10 ** ((i % 9) - 4);
    const back = fromFloat16(toFloat16(values));
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Math.abs(v) < 6.2e-5) continue; // below the normal range absolute error applies
      expect(Math.abs(back[i]! - v) / Math.abs(v)).toBeLessThanOrEqual(1e-3);
    }
    for (const exact of [0, 1, -2, 0.5, 65504, -65504, 2 ** -24, 1 + 2 ** -10]) expect(float16Value(float16Bits(exact))).toBe(exact);
    expect(float16Value(float16Bits(1e6))).toBe(Infinity);
    // Ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
    expect(float16Value(float16Bits(1 + 2 ** -11))).toBe(1);
    expect(float16Value(float16Bits(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
  });
});

describe('export and load', () => {
  it('keeps only the generator, and translates exactly like the checkpoint (float32)', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const outDir = path.join(root, 'exported-32');
    const result = await exportModel(runDir, outDir, { card: { title: 'Tiny', licence: 'MIT' } });
    expect(Object.keys(result.manifest.networks)).toEqual(['G']);
    expect(result.manifest.step).toBe(1);
    const checkpointBytes = (await fs.stat(path.join(runDir, 'checkpoint', 'weights.bin'))).size;
    const exportedBytes = (await fs.stat(path.join(outDir, 'weights.bin'))).size;
    expect(exportedBytes).toBeLessThan(checkpointBytes / 2);

    const fromCheckpoint = await loadCheckpoint(runDir);
    const fromExport = await loadExportedModel(outDir);
    expect(fromExport.manifest.card?.title).toBe('Tiny');
    expect(Array.from(translate(fromExport.model))).toEqual(Array.from(translate(fromCheckpoint.model)));
    fromCheckpoint.model.dispose();
    fromExport.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('stores float16 in half the bytes and stays within half-precision error', async () => {
    const full = path.join(root, 'exported-32');
    const half = path.join(root, 'exported-16');
    await exportModel(path.join(runDir, 'checkpoint'), half, { float16: true });
    const fullBytes = (await fs.stat(path.join(full, 'weights.bin'))).size;
    expect((await fs.stat(path.join(half, 'weights.bin'))).size).toBe(fullBytes / 2);

    const reference = await loadExportedModel(full);
    const halved = await loadExportedModel(half);
    const a = reference.model.networks['G']!.getWeights();
    const b = halved.model.networks['G']!.getWeights();
    a.forEach((weight, i) => {
      const x = weight.dataSync();
      const y = b[i]!.dataSync();
      for (let j = 0; j < x.length; j++) expect(Math.abs(y[j]! - x[j]!)).toBeLessThanOrEqual(1e-3 * Math.abs(x[j]!) + 6e-8);
    });
    const outA = translate(reference.model);
    const outB = translate(halved.model);
    let worst = 0;
    for (let i = 0; i < outA.length; i++) worst = Math.max(worst, Math.abs(outA[i]! - outB[i]!));
    expect(worst).toBeGreaterThan(0); // it really is a different, rounded copy
    expect(worst).toBeLessThan(1e-2); // on a [-1, 1] output: well under one 8-bit level (2/255)
    reference.model.dispose();
    halved.model.dispose();
  });

  it('refuses to overwrite an exported model unless asked', async () => {
    await expect(exportModel(runDir, path.join(root, 'exported-32'))).rejects.toThrow(/already holds a model/);
    await expect(exportModel(runDir, path.join(root, 'exported-32'), { overwrite: true })).resolves.toBeTruthy();
  });

  it('names what is wrong with a damaged or mismatched model folder', async () => {
    const dir = path.join(root, 'damaged');
    await exportModel(runDir, dir);
    const manifestPath = path.join(dir, 'model.json');
    const original = await fs.readFile(manifestPath, 'utf8');
    const tensorsBefore = tf.memory().numTensors;

    const wrongShape = JSON.parse(original);
    wrongShape.config.ngf = 8; // the weights are for ngf 4
    await fs.writeFile(manifestPath, JSON.stringify(wrongShape));
    await expect(loadExportedModel(dir)).rejects.toThrow(/does not fit GANvas's Pix2Pix: network G weight \S+ has shape \[[\d,]+\], expected \[[\d,]+\]/);
    expect(tf.memory().numTensors).toBe(tensorsBefore); // the half-built model was freed

    const newer = JSON.parse(original);
    newer.formatVersion = 2;
    await fs.writeFile(manifestPath, JSON.stringify(newer));
    await expect(loadExportedModel(dir)).rejects.toThrow(/format version 2.*Update GANvas/);

    await fs.writeFile(manifestPath, original);
    const weightsPath = path.join(dir, 'weights.bin');
    const weights = await fs.readFile(weightsPath);
    weights[100] = weights[100]! ^ 0xff;
    await fs.writeFile(weightsPath, weights);
    await expect(loadExportedModel(dir)).rejects.toThrow(/does not match its checksum/);

    await fs.rm(weightsPath);
    await expect(loadExportedModel(dir)).rejects.toThrow(/weights\.bin cannot be read.*copy the whole model folder/);
    await expect(loadExportedModel(path.join(root, 'nothing-here'))).rejects.toThrow(/not a GANvas model folder/);
  });
});
