/**
 * CycleGAN on real unpaired data: Fluent Emoji flat (A) and shaded colour (B),
 * different drawings in trainA/ and trainB/, the same held-out drawings in
 * testA/ and testB/ so the translation can be scored against its true
 * counterpart. `ganvas train cyclegan` learns (held-out L1 falls well below
 * the untrained model's), a resumed run repeats an unbroken one loss for loss
 * (the image pools travel in the checkpoint), the pool behaves as the paper's,
 * and inference takes any image size in both directions.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/main/cli/eval.js';
import { trainCommand } from '../../src/main/cli/train.js';
import { translateCommand } from '../../src/main/cli/translate.js';
import sharp from 'sharp';
import type { CommandOutput } from '../../src/main/cli/train-output.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { buildUnpairedEmojiDataset, sharedNames, loadEmojiSet, unpairedSide } from '../../src/main/engine/data/emoji-styles.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { ImagePool } from '../../src/main/engine/gans/cyclegan/image-pool.js';
import { cyclegan, cycleganModel, paddedSide } from '../../src/main/engine/gans/cyclegan/model.js';
import { isHeldOut } from '../../src/main/engine/data/openmoji.js';
import { loadCheckpoint, readCheckpoint, readLossHistory } from '../../src/main/engine/train/index.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-cyclegan-'));
const data = join(root, 'fluent');
const tiny = ['--size', '32', '--set', 'ngf=8', '--set', 'ndf=8', '--set', 'blocks=2', '--set', 'lr.G=0.002', '--set', 'lr.D=0.002'];

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  await buildUnpairedEmojiDataset(data, 'fluent-emoji-flat', 'fluent-emoji', { size: 32, limit: 24 });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(): CommandOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, stdout: () => out, stderr: () => err };
}

describe('the dataset', () => {
  it('keeps each training drawing in one domain only, and holds out the same drawings in both', async () => {
    const names = (folder: string) => readdirSync(join(data, folder)).sort();
    const [trainA, trainB, testA, testB] = ['trainA', 'trainB', 'testA', 'testB'].map(names) as [string[], string[], string[], string[]];
    expect(trainA).toHaveLength(24);
    expect(trainB).toHaveLength(24);
    expect(trainA.filter((name) => trainB.includes(name))).toEqual([]);
    expect(testA).toEqual(testB);
    for (const name of testA) expect(isHeldOut(name.replace(/\.png$/, ''), 0.1)).toBe(true);
    for (const name of [...trainA, ...trainB]) expect(isHeldOut(name.replace(/\.png$/, ''), 0.1)).toBe(false);
    // The split is stable: a hash of the name, not the order.
    const shared = sharedNames([await loadEmojiSet('fluent-emoji-flat'), await loadEmojiSet('fluent-emoji')]);
    expect(shared.length).toBeGreaterThan(3000);
    expect(unpairedSide(trainA[0]!.replace(/\.png$/, ''))).toBe('A');
  });
});

describe('networks and inference', () => {
  it('keeps any image size in both directions, with only the two generators to translate', async () => {
    const config = parseFamilyConfig(cyclegan, { size: 32, ngf: 4, ndf: 4, blocks: 1 });
    const before = tf.memory().numTensors;
    const translator = cycleganModel.buildInference(config);
    expect(Object.keys(translator.networks)).toEqual(['G_A', 'G_B']);
    for (const [h, w] of [[37, 50], [8, 8], [3, 5]] as const) {
      const input = tf.randomUniform([1, h, w, 3], -1, 1) as tf.Tensor4D;
      const [ab, ba] = [translator.translate(input, { direction: 'AtoB' }), translator.translate(input, { direction: 'BtoA' })];
      expect(ab.shape).toEqual([1, h, w, 3]);
      expect(ba.shape).toEqual([1, h, w, 3]);
      // Two different networks.
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(ab, ba))).dataSync()[0])).toBeGreaterThan(1e-4);
      tf.dispose([input, ab, ba]);
    }
    expect([paddedSide(37), paddedSide(3), paddedSide(64)]).toEqual([40, 8, 64]);
    translator.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const model = cycleganModel.build(config);
    expect(Object.keys(model.networks).sort()).toEqual(['D_A', 'D_B', 'G_A', 'G_B']);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('starts as the identity with the input skip, and far from it without', () => {
    const image = tf.randomUniform([1, 32, 32, 3], -0.9, 0.9, 'float32', 3) as tf.Tensor4D;
    const distance = (inputSkip: boolean) => {
      const translator = cycleganModel.buildInference(parseFamilyConfig(cyclegan, { size: 32, ngf: 8, ndf: 8, blocks: 2, inputSkip }));
      const value = tf.tidy(() => tf.mean(tf.abs(tf.sub(translator.translate(image, { direction: 'AtoB' }), image))).dataSync()[0]!);
      translator.dispose();
      return value;
    };
    expect(distance(true)).toBeLessThan(0.02);
    expect(distance(false)).toBeGreaterThan(0.2);
    image.dispose();
  });
});

describe('the image pool', () => {
  it('fills up first, then swaps a stored image in about half the time, the same way for the same seed and step', () => {
    const pool = new ImagePool(3, 'A');
    const image = (value: number) => tf.fill([2, 4, 4, 1], value) as tf.Tensor4D;
    const firstValues = (t: tf.Tensor4D) => {
      const values = tf.tidy(() => Array.from(tf.mean(t, [1, 2, 3]).dataSync()));
      t.dispose();
      return values;
    };
    const i1 = image(1);
    expect(firstValues(pool.query(i1, 7, 0))).toEqual([1, 1]);
    const i2 = image(2);
    // The first of these fills the third slot and comes back as it is; for the second the pool is full.
    expect(firstValues(pool.query(i2, 7, 1))[0]).toBe(2);
    expect(pool.count).toBe(3);
    let swapped = 0;
    for (let step = 2; step < 202; step++) {
      const fresh = image(step);
      for (const value of firstValues(pool.query(fresh, 7, step))) if (value !== step) swapped++;
      fresh.dispose();
    }
    // 400 queries, each a coin toss: about half return an older image.
    expect(swapped).toBeGreaterThan(150);
    expect(swapped).toBeLessThan(250);

    // The same seed and step choose the same; a restored pool continues as the original.
    const copy = new ImagePool(3, 'A');
    copy.restore(pool.stored().map((stored) => stored.clone()));
    const probe = image(999);
    expect(firstValues(copy.query(probe, 7, 500))).toEqual(firstValues(pool.query(probe, 7, 500)));
    tf.dispose([i1, i2, probe]);
    pool.clear();
    copy.clear();
  });
});

describe('ganvas train cyclegan', () => {
  it('learns: held-out L1 to the true counterpart falls well below the untrained model’s, both ways', async () => {
    const run = join(root, 'learn');
    const output = capture();
    const code = await trainCommand(['cyclegan', '--data', data, '--out', run, ...tiny, '--steps', '150', '--batch', '2', '--set', 'sampleEvery=75', '--log-every', '75'], output);
    expect(code, output.stderr()).toBe(0);
    expect(output.stdout()).toMatch(/24 images in A, 24 in B/);
    expect(output.stdout()).toMatch(/D_A [\d.]+ {2}G_A [\d.]+ {2}cycle_A [\d.]+ {2}idt_A [\d.]+ {2}D_B/);

    // The sample grid: real_A | fake_B | rec_A | real_B | fake_A | rec_B, one row per held-out drawing.
    const samples = readdirSync(join(run, 'samples'));
    expect(samples).toEqual(['step-000075.png', 'step-000150.png']);

    // It learned, as ganvas eval scores it: both ways against the counterparts and with KID, beside identity and the untrained model.
    const evaluated = capture();
    expect(await evalCommand(['--model', run, '--data', data, '--baselines', '--features', 'mobilenet-v2', '--json'], evaluated), evaluated.stderr()).toBe(0);
    const report = JSON.parse(evaluated.stdout()) as { matched: number; results: { direction: string; name: string; counterpart: { l1: number } | null; kid: { kid: number } | null }[] };
    expect(report.matched).toBe(24);
    const row = (direction: string, name: string) => report.results.find((r) => r.direction === direction && r.name.startsWith(name))!;
    const l1 = (direction: string, name: string) => row(direction, name).counterpart!.l1;
    console.log(`CycleGAN 150 steps at 32 px, held-out L1 to the counterpart on [0,1]: A→B ${l1('AtoB', 'untrained').toFixed(3)} → ${l1('AtoB', 'trained').toFixed(3)} (identity ${l1('AtoB', 'identity').toFixed(3)}), B→A ${l1('BtoA', 'untrained').toFixed(3)} → ${l1('BtoA', 'trained').toFixed(3)} (identity ${l1('BtoA', 'identity').toFixed(3)})`);
    for (const direction of ['AtoB', 'BtoA']) {
      expect(l1(direction, 'trained')).toBeLessThan(l1(direction, 'untrained') * 0.5);
      expect(row(direction, 'trained').kid!.kid).toBeLessThan(row(direction, 'untrained').kid!.kid);
      expect(Number.isFinite(row(direction, 'identity').kid!.kid)).toBe(true);
    }

    // ganvas translate --direction picks the generator: the same image each way gives two different results, and a direction the family does not know is refused.
    const sample = join(data, 'testB', readdirSync(join(data, 'testB'))[0]!);
    const outputs = { AtoB: join(root, 'ab.png'), BtoA: join(root, 'ba.png') };
    for (const direction of ['AtoB', 'BtoA'] as const) {
      expect(await translateCommand(['--model', run, '--input', sample, '--output', outputs[direction], '--direction', direction])).toBe(0);
    }
    const [ab, ba] = await Promise.all([sharp(outputs.AtoB).raw().toBuffer(), sharp(outputs.BtoA).raw().toBuffer()]);
    expect(ab.equals(ba)).toBe(false);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', join(root, 'x.png'), '--direction', 'sideways'])).toBe(2);
  }, 400_000);

  it('continues after a stop with exactly the losses of an unbroken run, image pools included', async () => {
    // The same schedule for both: the learning rate decays from step 8 whatever the step count.
    const settings = [...tiny, '--set', 'poolSize=3', '--set', 'decayFrom=8', '--set', 'checkpointEvery=100', '--set', 'sampleEvery=100', '--batch', '2'];
    expect(await trainCommand(['cyclegan', '--data', data, '--out', join(root, 'straight'), ...settings, '--steps', '12'], capture())).toBe(0);
    const first = capture();
    expect(await trainCommand(['cyclegan', '--data', data, '--out', join(root, 'pieced'), ...settings, '--steps', '8'], first), first.stderr()).toBe(0);
    const stored = await readCheckpoint(join(root, 'pieced'));
    // Pools of 3, full after the second batch of 2: both saved with the checkpoint.
    expect(stored.manifest.trainingState?.json).toEqual({ pools: { A: 3, B: 3 } });
    expect(stored.manifest.trainingState?.tensors.weights.map((w) => w.name)).toEqual(['pool_A/0', 'pool_A/1', 'pool_A/2', 'pool_B/0', 'pool_B/1', 'pool_B/2']);
    const resumed = capture();
    expect(await trainCommand(['cyclegan', '--data', data, '--out', join(root, 'pieced'), '--resume', '--steps', '12'], resumed), resumed.stderr()).toBe(0);

    const straight = await readLossHistory(join(root, 'straight'));
    const pieced = await readLossHistory(join(root, 'pieced'));
    expect(pieced.map((e) => e.step)).toEqual(straight.map((e) => e.step));
    for (let i = 0; i < 12; i++) {
      for (const name of ['D_A', 'G_A', 'cycle_A', 'idt_A', 'D_B', 'G_B', 'cycle_B', 'idt_B']) {
        expect(Math.abs(pieced[i]!.losses[name]! - straight[i]!.losses[name]!), `step ${i} ${name}`).toBeLessThan(1e-5);
      }
    }
    // Not trivially equal: D's losses moved from step to step.
    expect(new Set(straight.map((e) => e.losses['D_A'])).size).toBe(12);

    // Loading for more training restores the pools; no tensor is left behind by either load.
    const before = tf.memory().numTensors;
    const loaded = await loadCheckpoint(join(root, 'pieced'));
    expect(loaded.step).toBe(12);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
