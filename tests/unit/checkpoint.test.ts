import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { parseFamilyConfig, type FamilyDescriptor } from '../../src/main/engine/gans/family.js';
import { FamilyRegistry } from '../../src/main/engine/gans/registry.js';
import { loadCheckpoint, readCheckpoint, saveCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { emojiTrainingData, loadEmojiPairs, template, templateModel, type TemplateBatch, type TemplateConfig } from './fixtures/template-family.js';

const SIZE = 16;
const small = { size: SIZE, ngf: 4, ndf: 4, dropout: 0.5, seed: 3 };
let data: ReturnType<typeof emojiTrainingData>;
let runDir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  data = emojiTrainingData(loadEmojiPairs(8, SIZE), SIZE, 3);
});
beforeEach(async () => {
  runDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-checkpoint-'));
});
afterEach(async () => {
  await fs.rm(runDir, { recursive: true, force: true });
});

const settings = (overrides: Partial<TemplateConfig> = {}) => parseFamilyConfig(template, { ...small, ...overrides });

async function trainedModel(steps: number, overrides: Partial<TemplateConfig> = {}) {
  const model = templateModel.build(settings(overrides));
  for (let step = 0; step < steps; step++) {
    const batch = data.batchAt(step, 2);
    await model.trainStep(batch, { step, seed: 3 });
    tf.dispose(batch);
  }
  return model;
}

async function optimizerState(optimizer: tf.Optimizer): Promise<number[][]> {
  const named = await optimizer.getWeights();
  const values = named.map(({ tensor }) => Array.from(tensor.dataSync()));
  named[0]?.tensor.dispose(); // the fresh 'iter' scalar
  return values;
}

const weightValues = (network: tf.LayersModel) => network.weights.map((w) => Array.from(w.read().dataSync()));

describe('checkpoints', () => {
  it('restores every network weight and the optimizer state, so training continues identically', async () => {
    const before = tf.memory().numTensors;
    const original = await trainedModel(3);
    const dir = await saveCheckpoint(runDir, original, { family: template.id, step: 3 });
    expect(dir).toBe(path.join(runDir, 'checkpoint'));

    const loaded = await loadCheckpoint(runDir, { family: template });
    expect(loaded.step).toBe(3);
    expect(loaded.source).toBe('current');
    expect(loaded.config).toEqual(original.config);
    const { manifest } = loaded;
    expect(manifest).toMatchObject({ formatVersion: 1, family: 'template', step: 3, seed: 3, tfjsVersion: tf.version.tfjs });
    expect(manifest.config).toMatchObject({ beta1: 0.5, lambdaL1: 100, ngf: 4 }); // defaults filled in
    expect(manifest.networks['G']?.weights[0]).toMatchObject({ name: 'G_enc1/kernel', shape: [4, 4, 3, 4], dtype: 'float32', offset: 0 });
    expect(manifest.optimizers['G']?.weights[0]).toMatchObject({ name: 'iter', dtype: 'int32', shape: [] });

    for (const name of ['G', 'D'] as const) {
      expect(weightValues(loaded.model.networks[name] as tf.LayersModel)).toEqual(weightValues(original.networks[name] as tf.LayersModel));
      const state = await optimizerState(loaded.model.optimizers[name] as tf.Optimizer);
      expect(state).toEqual(await optimizerState(original.optimizers[name] as tf.Optimizer));
      expect(state[0]).toEqual([3]); // iterations
    }

    // The next step (dropout on, Adam moments in play) gives the same losses.
    const batch: TemplateBatch = data.batchAt(3, 2);
    const a = (await original.trainStep(batch, { step: 3, seed: 3 })) as Record<string, number>;
    const b = await loaded.model.trainStep(batch, { step: 3, seed: 3 });
    tf.dispose(batch);
    for (const name of Object.keys(a)) expect(b[name]).toBeCloseTo(a[name] as number, 5);

    original.dispose();
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says which architecture settings differ when continuing with other settings', async () => {
    const model = await trainedModel(1);
    await saveCheckpoint(runDir, model, { family: template.id, step: 1 });
    model.dispose();
    await expect(loadCheckpoint(runDir, { family: template, config: settings({ ngf: 8 }) })).rejects.toThrow(
      'it was trained with ngf 4; these settings ask for ngf 8',
    );
    await expect(loadCheckpoint(runDir, { family: template, config: settings({ size: 32, ngf: 8 }) })).rejects.toThrow(
      'it was trained with size 16, ngf 4; these settings ask for size 32, ngf 8',
    );
    // Schedule settings may change: a run can be extended.
    const extended = await loadCheckpoint(runDir, { family: template, config: settings({ steps: 50_000, lr: { G: 1e-4, D: 1e-4 } }) });
    expect(extended.config.steps).toBe(50_000);
    extended.model.dispose();
  });

  it('names the weight whose shape does not fit', async () => {
    const model = await trainedModel(0);
    await saveCheckpoint(runDir, model, { family: template.id, step: 0 });
    model.dispose();
    // A family that forgot to declare ngf as an architecture setting still gets a clear message.
    const careless: FamilyDescriptor<TemplateConfig> = { ...template, architectureKeys: ['size'] };
    const before = tf.memory().numTensors;
    await expect(loadCheckpoint(runDir, { family: careless, config: settings({ ngf: 8 }) })).rejects.toThrow(
      'network G weight G_enc1/kernel has shape [4,4,3,4], expected [4,4,3,8]',
    );
    expect(tf.memory().numTensors).toBe(before); // the model built for the check was freed
  });

  it('refuses a checkpoint of another family and finds the family by id in a registry', async () => {
    const model = await trainedModel(0);
    await saveCheckpoint(runDir, model, { family: template.id, step: 0 });
    model.dispose();
    const other: FamilyDescriptor<TemplateConfig> = { ...template, id: 'other-gan', title: 'Other GAN' };
    await expect(loadCheckpoint(runDir, { family: other })).rejects.toThrow(/is a template model; it cannot be loaded as Other GAN/);
    await expect(loadCheckpoint(runDir, { registry: new FamilyRegistry([other]) })).rejects.toThrow(
      /is a template model, which this GANvas cannot run \(it knows other-gan\)/,
    );
    const loaded = await loadCheckpoint(runDir, { registry: new FamilyRegistry([template, other]) });
    expect(loaded.family).toBe(template);
    loaded.model.dispose();
  });

  it('falls back to the previous checkpoint when a crash left the latest missing or damaged', async () => {
    const model = await trainedModel(1);
    await saveCheckpoint(runDir, model, { family: template.id, step: 1 });
    // A crash between "checkpoint → checkpoint.prev" and "new → checkpoint":
    await fs.rename(path.join(runDir, 'checkpoint'), path.join(runDir, 'checkpoint.prev'));
    const fromPrevious = await loadCheckpoint(runDir, { family: template });
    expect(fromPrevious.source).toBe('previous');
    expect(fromPrevious.step).toBe(1);
    expect(fromPrevious.notice).toMatch(/checkpoint was missing .*loaded the previous checkpoint \(step 1\)/);
    fromPrevious.model.dispose();

    // The next save puts a new checkpoint in place and only then drops the old one.
    await saveCheckpoint(runDir, model, { family: template.id, step: 2 });
    expect((await fs.readdir(runDir)).sort()).toEqual(['checkpoint']);

    // A damaged latest with a good previous one:
    await fs.cp(path.join(runDir, 'checkpoint'), path.join(runDir, 'checkpoint.prev'), { recursive: true });
    const weights = path.join(runDir, 'checkpoint', 'weights.bin');
    await fs.truncate(weights, 100);
    const stored = await readCheckpoint(runDir);
    expect(stored.source).toBe('previous');
    expect(stored.notice).toMatch(/weights\.bin has 100 bytes, expected \d+ \(the file is incomplete\)/);

    // Damaged with nothing to fall back on: the error names the file and the reason.
    await fs.rm(path.join(runDir, 'checkpoint.prev'), { recursive: true });
    await expect(readCheckpoint(runDir)).rejects.toThrow(/weights\.bin has 100 bytes.*incomplete/);
    model.dispose();
  });

  it('detects flipped bits, foreign files, newer formats and missing checkpoints', async () => {
    await expect(readCheckpoint(runDir)).rejects.toThrow(`No checkpoint in ${runDir} (expected a 'checkpoint' folder)`);
    const model = await trainedModel(0);
    await saveCheckpoint(runDir, model, { family: template.id, step: 0 });
    model.dispose();
    const weights = path.join(runDir, 'checkpoint', 'weights.bin');
    const manifestFile = path.join(runDir, 'checkpoint', 'checkpoint.json');
    const bytes = await fs.readFile(weights);
    const middle = bytes.length >> 1;
    bytes[middle] = (bytes[middle] as number) ^ 0xff;
    await fs.writeFile(weights, bytes);
    await expect(readCheckpoint(runDir)).rejects.toThrow(/weights\.bin does not match its checksum \(the file is damaged\)/);

    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, formatVersion: 2 }));
    await expect(readCheckpoint(runDir)).rejects.toThrow(/format version 2; this GANvas reads version 1\. Update GANvas/);
    await fs.writeFile(manifestFile, JSON.stringify({ hello: 'world' }));
    await expect(readCheckpoint(runDir)).rejects.toThrow(/checkpoint\.json is not a GANvas checkpoint/);
    await fs.writeFile(manifestFile, '{"formatVersion": 1, "fam');
    await expect(readCheckpoint(runDir)).rejects.toThrow(/checkpoint\.json is not valid JSON/);
  });

  it('cleans up the temporary folder of a save that crashed', async () => {
    const stale = path.join(runDir, 'checkpoint.tmp-999999-1');
    await fs.mkdir(stale, { recursive: true });
    await fs.writeFile(path.join(stale, 'weights.bin'), 'half a file');
    const model = await trainedModel(0);
    await saveCheckpoint(runDir, model, { family: template.id, step: 0 });
    model.dispose();
    expect(await fs.readdir(runDir)).toEqual(['checkpoint']);
  });
});
