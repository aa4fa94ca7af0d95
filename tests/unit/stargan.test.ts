/**
 * StarGAN on real multi-domain data: four emoji styles (twemoji, noto,
 * fluent-emoji-flat, fluent-emoji) rendered by `ganvas dataset
 * emoji-domains`, the same drawings in every style and held-out drawings in
 * test/. `ganvas train stargan` learns (held-out L1 to the true counterpart
 * in the target style falls well below the untrained model's for every
 * target, as `ganvas eval` scores it), records the domains by name in its
 * checkpoint, and a resumed run repeats an unbroken one loss for loss.
 * Translation takes a domain or a blend by name, refuses bad blends with a
 * message, and draws a strip between two styles.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetCommand } from '../../src/main/cli/dataset.js';
import { evalCommand } from '../../src/main/cli/eval.js';
import { trainCommand } from '../../src/main/cli/train.js';
import type { CommandOutput } from '../../src/main/cli/train-output.js';
import { translateCommand } from '../../src/main/cli/translate.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { isHeldOut } from '../../src/main/engine/data/openmoji.js';
import { familyInfo, translateOptionsSchemaFor } from '../../src/main/engine/gans/family-info.js';
import { parseFamilyConfig, parseTranslateOptions } from '../../src/main/engine/gans/family.js';
import { parseDomainTarget, targetText } from '../../src/main/engine/gans/stargan/config.js';
import { stargan, starganModel } from '../../src/main/engine/gans/stargan/model.js';
import { loadCheckpoint, readCheckpoint, readLossHistory } from '../../src/main/engine/train/index.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-stargan-'));
const data = join(root, 'emoji');
const styles = ['fluent-emoji', 'fluent-emoji-flat', 'noto', 'twemoji'];
const tiny = ['--size', '32', '--batch', '4', '--set', 'ngf=8', '--set', 'ndf=8', '--set', 'blocks=2', '--set', 'lr.G=0.001', '--set', 'lr.D=0.001'];

function capture(): CommandOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, stdout: () => out, stderr: () => err };
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  const output = capture();
  expect(await datasetCommand(['emoji-domains', '--out', data, '--size', '32', '--limit', '24'], output), output.stderr()).toBe(0);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the multi-domain dataset', () => {
  it('has every style with the same drawings, and holds out the same drawings by hash in test/', () => {
    const names = (split: string, style: string) => readdirSync(join(data, split, style)).sort();
    expect(readdirSync(join(data, 'train')).sort()).toEqual(styles);
    expect(readdirSync(join(data, 'test')).sort()).toEqual(styles);
    const train = names('train', 'twemoji');
    const test = names('test', 'twemoji');
    expect(train).toHaveLength(24);
    expect(test).toHaveLength(24);
    for (const style of styles) {
      expect(names('train', style)).toEqual(train);
      expect(names('test', style)).toEqual(test);
    }
    for (const name of test) expect(isHeldOut(name.replace(/\.png$/, ''), 0.1)).toBe(true);
    for (const name of train) expect(isHeldOut(name.replace(/\.png$/, ''), 0.1)).toBe(false);
  });

  it('refuses fewer than two styles and unknown sets', async () => {
    const output = capture();
    expect(await datasetCommand(['emoji-domains', '--out', join(root, 'x'), '--sets', 'noto'], output)).toBe(2);
    expect(output.stderr()).toMatch(/at least 2 different styles/);
    const unknown = capture();
    expect(await datasetCommand(['emoji-domains', '--out', join(root, 'x'), '--sets', 'noto,crayons'], unknown)).toBe(2);
    expect(unknown.stderr()).toMatch(/unknown emoji set "crayons"/);
  });
});

describe('targets: one domain or a blend, by name', () => {
  const domains = ['noto', 'twemoji', 'fluent-emoji'];
  it('reads names and blends, and says what is wrong with a bad one', () => {
    expect(parseDomainTarget('twemoji', domains)).toEqual([0, 1, 0]);
    expect(parseDomainTarget('noto=0.7, twemoji=0.3', domains).map((w) => Number(w.toFixed(6)))).toEqual([0.7, 0.3, 0]);
    // Typed thirds sum to 0.99: accepted, and made to sum to 1.
    const thirds = parseDomainTarget('noto=0.33,twemoji=0.33,fluent-emoji=0.33', domains);
    expect(thirds.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(() => parseDomainTarget('noto=0.7,twemoji=0.2', domains)).toThrow(/must sum to 1; noto 0.7 \+ twemoji 0.2 is 0.9/);
    expect(() => parseDomainTarget('crayon', domains)).toThrow(/unknown domain 'crayon'; this model's domains are noto, twemoji, fluent-emoji/);
    expect(() => parseDomainTarget('noto=1.5', domains)).toThrow(/from 0 to 1/);
    expect(() => parseDomainTarget('noto=0.5,noto=0.5', domains)).toThrow(/named twice/);
    expect(() => parseDomainTarget('noto=,twemoji=1', domains)).toThrow(/not NAME=WEIGHT/);
    expect(targetText([0.7, 0.3, 0], domains)).toBe('noto=0.7,twemoji=0.3');
    expect(targetText([0, 0, 1], domains)).toBe('fluent-emoji');
  });

  it('checks translate options against the model’s own domains, and offers one slider per domain', () => {
    const config = parseFamilyConfig(stargan, { size: 32, domains });
    expect(parseTranslateOptions(stargan, { domain: 'noto=0.5,twemoji=0.5' }, config)).toMatchObject({ domain: 'noto=0.5,twemoji=0.5', strip: 0 });
    expect(parseTranslateOptions(stargan, { mix: { noto: 0.5, twemoji: 0.5 } }, config)).toMatchObject({ mix: { noto: 0.5, twemoji: 0.5 } });
    expect(() => parseTranslateOptions(stargan, { mix: { noto: 0.5, twemoji: 0.4 } }, config)).toThrow(/mix: the weights of a blend must sum to 1/);
    expect(() => parseTranslateOptions(stargan, { domain: 'noto', mix: { twemoji: 1 } }, config)).toThrow(/either as a domain or as blend weights/);
    expect(() => parseTranslateOptions(stargan, {}, config)).toThrow(/choose a target domain; this model's domains are noto, twemoji, fluent-emoji/);
    expect(() => parseTranslateOptions(stargan, { domain: 'noto', strip: 99 }, config)).toThrow(/strip/);
    const schema = translateOptionsSchemaFor(stargan, config) as { properties: { mix: { properties: Record<string, { widget?: string; minimum?: number; maximum?: number }> } } };
    expect(Object.keys(schema.properties.mix.properties)).toEqual(domains);
    expect(schema.properties.mix.properties['noto']).toMatchObject({ widget: 'slider', minimum: 0, maximum: 1 });
    // The family's own info (no model yet) lists no domains, and the domain list is not a Train form field.
    const info = familyInfo(stargan);
    expect((info.configSchema as { properties: { domains: { hidden?: boolean } } }).properties.domains.hidden).toBe(true);
  });
});

describe('networks and inference', () => {
  it('translates any image size to a domain, a blend or a strip, with only G, leaving no tensors behind', () => {
    const config = parseFamilyConfig(stargan, { size: 32, ngf: 4, ndf: 4, blocks: 1, domains: ['a', 'b', 'c'] });
    const before = tf.memory().numTensors;
    const translator = starganModel.buildInference(config);
    expect(Object.keys(translator.networks)).toEqual(['G']);
    for (const [h, w] of [[37, 50], [8, 8], [3, 5]] as const) {
      const input = tf.randomUniform([1, h, w, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
      const toA = translator.translate(input, { domain: 'a', strip: 0 });
      const toB = translator.translate(input, { domain: 'b', strip: 0 });
      const half = translator.translate(input, { domain: 'a=0.5,b=0.5', strip: 0 });
      const mixed = translator.translate(input, { mix: { a: 1 }, strip: 0 });
      const strip = translator.translate(input, { domain: 'b', from: 'a', strip: 4 });
      expect(toA.shape).toEqual([1, h, w, 3]);
      expect(strip.shape).toEqual([1, h, w * 5, 3]);
      const distance = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!);
      // The label changes the result; a blend lies between; mix {a: 1} is the same as domain a.
      expect(distance(toA, toB)).toBeGreaterThan(1e-4);
      expect(distance(half, toA)).toBeGreaterThan(1e-5);
      expect(distance(mixed, toA)).toBe(0);
      // The strip: the input, then from a (step 1 of 4 is 3/4 a) to b exactly at the end.
      expect(tf.tidy(() => distance(tf.slice(strip, [0, 0, 0, 0], [-1, -1, w, -1]), input))).toBe(0);
      expect(tf.tidy(() => distance(tf.slice(strip, [0, 0, 4 * w, 0], [-1, -1, w, -1]), toB))).toBeLessThan(1e-6);
      tf.dispose([input, toA, toB, half, mixed, strip]);
    }
    translator.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains a step with every loss finite and no tensor left behind', async () => {
    const config = parseFamilyConfig(stargan, { size: 16, ngf: 4, ndf: 4, blocks: 1, domains: ['a', 'b', 'c'], nCritic: 2 });
    const model = starganModel.build(config);
    expect(Object.keys(model.networks).sort()).toEqual(['D', 'G']);
    expect(model.visualNames).toEqual(['input', 'to a', 'to b', 'to c']);
    const batch = starganModel.exampleBatch(config, 2);
    // Two steps first: Adam makes its moment slots on its first update (G's is at step 1).
    await model.trainStep(batch, { step: 0, seed: 0 });
    await model.trainStep(batch, { step: 1, seed: 0 });
    const before = tf.memory().numTensors;
    for (let step = 2; step < 6; step++) {
      const losses = await model.trainStep(batch, { step, seed: 0 });
      expect(Object.keys(losses)).toEqual(['D_real', 'D_fake', 'D_cls', 'D_gp', 'G_fake', 'G_cls', 'G_rec']);
      for (const value of Object.values(losses)) expect(Number.isFinite(value)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    const samples = model.samples(batch);
    expect(Object.keys(samples)).toEqual(['input', 'to a', 'to b', 'to c']);
    tf.dispose(Object.values(samples));
    tf.dispose([batch.images, batch.labels]);
    model.dispose();
  });
});

describe('ganvas train stargan', () => {
  it('learns: held-out L1 to the true counterpart falls below the untrained model’s for every target, and an independent classifier sees the target style far above chance', async () => {
    const run = join(root, 'learn');
    const output = capture();
    const code = await trainCommand(['stargan', '--data', data, '--out', run, ...tiny, '--steps', '900', '--set', 'sampleEvery=450', '--log-every', '450'], output);
    expect(code, output.stderr()).toBe(0);
    expect(output.stdout()).toMatch(/96 images in 4 domains \(fluent-emoji 24, fluent-emoji-flat 24, noto 24, twemoji 24, split train\)/);
    expect(output.stdout()).toMatch(/D_real -?[\d.]+ {2}D_fake -?[\d.]+ {2}D_cls [\d.]+ {2}D_gp [\d.]+ {2}G_fake -?[\d.]+ {2}G_cls [\d.]+ {2}G_rec [\d.]+/);
    expect(readdirSync(join(run, 'samples'))).toEqual(['step-000450.png', 'step-000900.png']);
    // The domains come from the data and are kept by name in the checkpoint.
    expect((await readCheckpoint(run)).manifest.config['domains']).toEqual(styles);

    const evaluated = capture();
    expect(await evalCommand(['--model', run, '--data', data, '--baselines', '--features', 'mobilenet-v2', '--limit', '6', '--classifier-steps', '300', '--json'], evaluated), evaluated.stderr()).toBe(0);
    const report = JSON.parse(evaluated.stdout()) as {
      domains: string[];
      classifierAccuracyOnReal: number;
      results: { target: string; name: string; accuracy: number; counterpart: { l1: number }; kid: { kid: number } }[];
    };
    expect(report.domains).toEqual(styles);
    const row = (target: string, name: string) => report.results.find((r) => r.target === target && r.name.startsWith(name))!;
    const lines = styles.map((target) => `${target}: L1 ${row(target, 'untrained').counterpart.l1.toFixed(3)} → ${row(target, 'trained').counterpart.l1.toFixed(3)} (identity ${row(target, 'identity').counterpart.l1.toFixed(3)}), accuracy ${row(target, 'untrained').accuracy.toFixed(2)} → ${row(target, 'trained').accuracy.toFixed(2)}, KID ${row(target, 'untrained').kid.kid.toFixed(1)} → ${row(target, 'trained').kid.kid.toFixed(1)}`);
    console.log(`StarGAN 900 steps at 32 px, held-out, per target (classifier ${(report.classifierAccuracyOnReal * 100).toFixed(0)}% on real images):\n  ${lines.join('\n  ')}`);
    for (const target of styles) {
      // A model this small, this briefly trained, gets the style long before the drawing (see the KID and the accuracy).
      expect(row(target, 'trained').counterpart.l1).toBeLessThan(row(target, 'untrained').counterpart.l1 * 0.9);
      expect(row(target, 'trained').kid.kid).toBeLessThan(row(target, 'untrained').kid.kid * 0.6);
    }
    // Target-domain accuracy, averaged over the targets: chance is 1 in 4 (the untrained model's outputs all look like one style).
    const meanAccuracy = (name: string) => styles.reduce((sum, target) => sum + row(target, name).accuracy, 0) / styles.length;
    expect(meanAccuracy('untrained')).toBeLessThan(0.3);
    expect(meanAccuracy('trained')).toBeGreaterThan(0.4);
    // The classifier tells the real held-out styles apart better than chance, so its judgement means something.
    expect(report.classifierAccuracyOnReal).toBeGreaterThan(0.3);

    // ganvas translate --domain: a name, a blend, a strip; a bad blend is refused with the reason (exit 2).
    const sample = join(data, 'test', 'noto', readdirSync(join(data, 'test', 'noto'))[0]!);
    const out = (name: string) => join(root, `${name}.png`);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', out('tw'), '--domain', 'twemoji'])).toBe(0);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', out('flat'), '--domain', 'fluent-emoji-flat'])).toBe(0);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', out('blend'), '--domain', 'twemoji=0.5,fluent-emoji-flat=0.5'])).toBe(0);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', out('strip'), '--domain', 'twemoji', '--strip', '4', '--option', 'from=noto'])).toBe(0);
    const [tw, flat, blend] = await Promise.all(['tw', 'flat', 'blend'].map((name) => sharp(out(name)).raw().toBuffer()));
    expect(tw!.equals(flat!)).toBe(false);
    expect(blend!.equals(tw!)).toBe(false);
    expect((await sharp(out('strip')).metadata()).width).toBe(32 * 5);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', out('bad'), '--domain', 'twemoji=0.5,noto=0.4'])).toBe(2);
    expect(await translateCommand(['--model', run, '--input', sample, '--output', out('bad'), '--domain', 'crayon'])).toBe(2);
  }, 600_000);

  it('continues after a stop with exactly the losses of an unbroken run, and only on the same domains', async () => {
    // G learns on steps 4 and 9 (n_critic 5): the resumed run starts between them, with G's last losses from the checkpoint.
    const settings = [...tiny, '--set', 'decayFrom=8', '--set', 'checkpointEvery=100', '--set', 'sampleEvery=100'];
    expect(await trainCommand(['stargan', '--data', data, '--out', join(root, 'straight'), ...settings, '--steps', '12'], capture())).toBe(0);
    expect(await trainCommand(['stargan', '--data', data, '--out', join(root, 'pieced'), ...settings, '--steps', '8'], capture())).toBe(0);
    const stored = await readCheckpoint(join(root, 'pieced'));
    expect(Object.keys((stored.manifest.trainingState?.json as { lastG: object }).lastG)).toEqual(['G_fake', 'G_cls', 'G_rec']);
    const resumed = capture();
    expect(await trainCommand(['stargan', '--data', data, '--out', join(root, 'pieced'), '--resume', '--steps', '12'], resumed), resumed.stderr()).toBe(0);

    const straight = await readLossHistory(join(root, 'straight'));
    const pieced = await readLossHistory(join(root, 'pieced'));
    expect(pieced.map((e) => e.step)).toEqual(straight.map((e) => e.step));
    for (let i = 0; i < 12; i++) {
      for (const name of ['D_real', 'D_fake', 'D_cls', 'D_gp', 'G_fake', 'G_cls', 'G_rec']) {
        expect(Math.abs(pieced[i]!.losses[name]! - straight[i]!.losses[name]!), `step ${i} ${name}`).toBeLessThan(1e-5);
      }
    }
    expect(new Set(straight.map((e) => e.losses['D_real'])).size).toBe(12);
    // G's losses change only where it learned.
    expect(new Set(straight.map((e) => e.losses['G_rec'])).size).toBe(3);

    const before = tf.memory().numTensors;
    const loaded = await loadCheckpoint(join(root, 'pieced'));
    expect(loaded.step).toBe(12);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // The same run on a folder with other domains is refused, naming both lists.
    const other = join(root, 'three');
    expect(await datasetCommand(['emoji-domains', '--out', other, '--size', '32', '--limit', '4', '--sets', 'noto,twemoji,fluent-emoji'], capture())).toBe(0);
    const refused = capture();
    expect(await trainCommand(['stargan', '--data', other, '--out', join(root, 'pieced'), '--resume', '--steps', '14'], refused)).not.toBe(0);
    expect(refused.stderr()).toMatch(/trained on the domains fluent-emoji, fluent-emoji-flat, noto, twemoji; the data has fluent-emoji, noto, twemoji/);
  }, 300_000);
});
