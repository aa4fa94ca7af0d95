/**
 * `ganvas eval`: L1/PSNR/SSIM on held-out pairs, and a trained model beats
 * the untrained generator; the L1-only baseline trains G without D.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { evalCommand, type EvalRow } from '../../src/main/cli/eval.js';
import { trainCommand } from '../../src/main/cli/train.js';
import type { CommandOutput } from '../../src/main/cli/train-output.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { pix2pix, Pix2PixConfigSchema, pix2pixModel } from '../../src/main/engine/gans/pix2pix/model.js';
import { colourfulness, scoreRgb } from '../../src/main/engine/train/paired-evaluation.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-eval-'));
const data = join(root, 'emoji');

beforeAll(async () => {
  await buildOpenMojiPairs(join(data, 'train'), { count: 16, size: 32, start: 1200 });
  await buildOpenMojiPairs(join(data, 'test'), { count: 6, size: 32, start: 2000 });
  await initBackend();
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture(): CommandOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, stdout: () => out, stderr: () => err };
}

it('scores RGB images: identical is perfect, a known error gives the known L1 and PSNR, structure loss lowers SSIM', () => {
  const size = 16;
  const flat = (value: (i: number) => number) => ({ data: Float32Array.from({ length: size * size * 3 }, (_, i) => value(i)), width: size, height: size });
  const target = flat((i) => ((i * 37) % 101) / 100);
  expect(scoreRgb(target, target)).toEqual({ l1: 0, psnr: 100, ssim: 1 });
  const shifted = flat((i) => Math.min(1, ((i * 37) % 101) / 100 + 0.1));
  const scores = scoreRgb(flat((i) => ((i * 37) % 101) / 100 * 0.5 + 0.25), target);
  expect(scores.ssim).toBeLessThan(0.99);
  const offset = scoreRgb(flat(() => 0.6), flat(() => 0.5));
  expect(offset.l1).toBeCloseTo(0.1, 6);
  expect(offset.psnr).toBeCloseTo(20, 4); // 10·log10(1 / 0.01)
  expect(scoreRgb(shifted, target).l1).toBeGreaterThan(0);
});

it('measures colourfulness as Hasler & Süsstrunk: grey is 0, a flat colour is 0.3·|μ|, a vivid mix beats its dull average', () => {
  const size = 8;
  const image = (pixel: (i: number) => [number, number, number]) => ({
    data: Float32Array.from({ length: size * size * 3 }, (_, k) => pixel(Math.floor(k / 3))[k % 3]!),
    width: size,
    height: size,
  });
  expect(colourfulness(image(() => [0.5, 0.5, 0.5]))).toBeCloseTo(0, 9);
  // Pure red: rg = 255, yb = 127.5, no spread, so M = 0.3·√(255² + 127.5²).
  expect(colourfulness(image(() => [1, 0, 0]))).toBeCloseTo(0.3 * Math.hypot(255, 127.5), 6);
  // Half red, half blue against their per-pixel mean (a dull purple).
  const mix = colourfulness(image((i) => (i % 2 === 0 ? [1, 0, 0] : [0, 0, 1])));
  const dull = colourfulness(image(() => [0.5, 0, 0.5]));
  expect(mix).toBeGreaterThan(dull + 50);
});

it('ganWeight 0 trains G on L1 alone: D never changes and only G_L1 is reported', async () => {
  const config = Pix2PixConfigSchema.parse({ family: 'pix2pix', size: 32, ngf: 4, ndf: 4, dropout: 0, ganWeight: 0 });
  expect(() => Pix2PixConfigSchema.parse({ family: 'pix2pix', ganWeight: 0, l1Weight: 0 })).toThrow(/l1Weight must be above 0/);
  const model = pix2pixModel.build(config);
  const before = tf.memory().numTensors;
  const dWeights = model.networks.D!.getWeights().map((w) => w.clone());
  const gWeights = model.networks.G!.getWeights().map((w) => w.clone());
  const a = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const b = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
  const losses = await model.trainStep({ a, b }, { step: 0, seed: 0 });
  expect(Object.keys(losses)).toEqual(['G_L1']);
  expect(model.lossNames).toEqual(['G_L1']);
  const changed = (old: tf.Tensor[], now: tf.Tensor[]) => old.some((w, i) => tf.tidy(() => tf.any(tf.notEqual(w, now[i]!)).dataSync()[0]) === 1);
  expect(changed(dWeights, model.networks.D!.getWeights())).toBe(false);
  expect(changed(gWeights, model.networks.G!.getWeights())).toBe(true);
  tf.dispose([a, b, ...dWeights, ...gWeights]);
  // Adam's moments for G appear on the first step; nothing else may stay behind.
  const adamSlots = model.networks.G!.trainableWeights.length * 2;
  expect(tf.memory().numTensors - before).toBeLessThanOrEqual(adamSlots + 2);
  model.dispose();
});

it('prints L1, PSNR and SSIM; the trained model beats the untrained one', async () => {
  const run = join(root, 'run');
  const training = capture();
  const tiny = ['--size', '32', '--set', 'ngf=8', '--set', 'ndf=8', '--set', 'dropout=0', '--set', 'lr.G=0.001', '--set', 'lr.D=0.001'];
  expect(await trainCommand(['pix2pix', '--data', data, '--out', run, ...tiny, '--steps', '100', '--log-every', '100'], training), training.stderr()).toBe(0);

  const text = capture();
  expect(await evalCommand(['--model', run, '--data', data], text), text.stderr()).toBe(0);
  expect(text.stdout()).toMatch(/6 held-out pairs \(split test\)/);
  expect(text.stdout()).toMatch(/model\s+steps\s+L1 ↓\s+PSNR dB ↑\s+SSIM ↑\s+colourfulness/);
  expect(text.stdout()).toMatch(/held-out targets\s+\d+\.\d\n/);
  expect(text.stdout()).toMatch(/trained\s+100\s+0\.\d{4}\s+\d+\.\d{2}\s+-?[01]\.\d{4}/);

  const json = capture();
  expect(await evalCommand(['--model', run, '--data', data, '--baselines', '--baseline-steps', '30', '--json'], json), json.stderr()).toBe(0);
  const report = JSON.parse(json.stdout()) as { images: number; split: string; results: EvalRow[] };
  console.log(report.results.map((r) => `${r.name} (${r.step}): L1 ${r.l1.toFixed(4)} PSNR ${r.psnr.toFixed(2)} SSIM ${r.ssim.toFixed(4)}`).join('\n'));
  expect(report).toMatchObject({ images: 6, split: 'test' });
  const [trained, untrained, l1Only] = report.results;
  expect(trained).toMatchObject({ name: 'trained', step: 100 });
  expect(untrained).toMatchObject({ name: 'untrained', step: 0 });
  expect(l1Only).toMatchObject({ name: 'L1 only (no D)', step: 30 });
  expect(trained!.l1).toBeLessThan(untrained!.l1 * 0.8);
  expect(trained!.psnr).toBeGreaterThan(untrained!.psnr + 1);
  expect(trained!.ssim).toBeGreaterThan(untrained!.ssim);
  expect(l1Only!.l1).toBeLessThan(untrained!.l1);
  for (const row of report.results) expect(row.colourfulness).toBeGreaterThanOrEqual(0);
  // The OpenMoji colour targets are not grey, so their colourfulness is above 0.
  expect((report as unknown as { targetColourfulness: number }).targetColourfulness).toBeGreaterThan(1);

  // Colour hints: every model at each count, a compared model (here the same run folder again), and the flood-fill baseline at the counts above 0.
  const hinted = capture();
  expect(await evalCommand(['--model', run, '--data', data, '--hints', '0,5', '--compare', run, '--json'], hinted), hinted.stderr()).toBe(0);
  const rows = (JSON.parse(hinted.stdout()) as { results: EvalRow[] }).results;
  expect(rows.map((r) => [r.name, r.hints])).toEqual([
    ['trained', 0],
    ['trained', 5],
    ['run', 0],
    ['run', 5],
    ['flood hints (no network)', 5],
  ]);
  expect(rows[2]!.l1).toBe(rows[0]!.l1);
  // The same points for every model: the hinted scores repeat exactly too.
  expect(rows[3]!.l1).toBe(rows[1]!.l1);
  // The flood baseline paints the hinted regions: its output has colour.
  expect(rows[4]!.colourfulness).toBeGreaterThan(0);
  expect(await evalCommand(['--model', run, '--data', data, '--hints', '5,x'], capture())).toBe(2);

  const missing = capture();
  expect(await evalCommand(['--model', data, '--data', data], missing)).toBe(1);
  expect(missing.stderr()).toMatch(/is neither a training run folder \(with checkpoint\/\) nor a model folder \(with model.json\)/);
  expect(await evalCommand(['--data', data], capture())).toBe(2);
}, 240_000);
