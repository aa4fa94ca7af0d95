/**
 * Degraded super-resolution inputs (issue 14): blur before and JPEG after the
 * bicubic downscale, drawn per sample from the seed for training, at fixed
 * settings for `ganvas eval-sr --degrade`. Real photos from Debian's
 * mate-backgrounds (installed here and in CI).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalSrCommand } from '../../src/main/cli/eval-sr.js';
import { trainCommand } from '../../src/main/cli/train.js';
import type { CommandOutput } from '../../src/main/cli/train-output.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import {
  DegradationError,
  bicubicShrink,
  defaultDegradationMix,
  degradationAt,
  gaussianBlur,
  jpegRoundTrip,
  makeLowRes,
  openHighResDataset,
} from '../../src/main/engine/data/index.js';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { srgan } from '../../src/main/engine/gans/srgan/index.js';
import { cropRaw, decodeImage, resizeImage, type RawImage } from '../../src/main/engine/image/index.js';
import { loadCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { readLossHistory } from '../../src/main/engine/train/index.js';
import { psnrY } from '../../src/main/engine/upscale/metrics.js';

const PHOTOS = '/usr/share/backgrounds/mate/nature';
let root: string;
/** A textured 256-px crop (grass) of a real photo. */
let meadow: RawImage;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  expect(existsSync(PHOTOS), `${PHOTOS} is missing: apt-get install mate-backgrounds`).toBe(true);
  root = await mkdtemp(join(tmpdir(), 'ganvas-sr-degrade-'));
  const photo = await decodeImage(join(PHOTOS, 'GreenMeadow.jpg'), { flatten: true });
  meadow = cropRaw(photo, { left: Math.floor(photo.width / 2) - 128, top: Math.floor(photo.height * 0.7), width: 256, height: 256 });
  // Four photos shrunk to 192 px wide: training patches with detail in them.
  await mkdir(join(root, 'photos'));
  for (const name of ['Dune.jpg', 'GreenMeadow.jpg', 'LadyBird.jpg', 'Wood.jpg']) {
    await sharp(join(PHOTOS, name)).resize({ width: 192 }).png().toFile(join(root, 'photos', name.replace('.jpg', '.png')));
  }
}, 60_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const on = { ...defaultDegradationMix, blurShare: 0.3, jpegShare: 0.6 };

describe('per-sample degradation draws', () => {
  it('are a pure function of seed and sample, within the ranges and at the asked shares', () => {
    expect(degradationAt(on, 5, 17)).toEqual(degradationAt(on, 5, 17));
    expect(degradationAt(defaultDegradationMix, 5, 17)).toEqual({});
    const draws = Array.from({ length: 4000 }, (_, sample) => degradationAt(on, 5, sample));
    const blurred = draws.filter((d) => d.blurSigma !== undefined);
    const compressed = draws.filter((d) => d.jpegQuality !== undefined);
    expect(blurred.length / draws.length).toBeCloseTo(0.3, 1);
    expect(compressed.length / draws.length).toBeCloseTo(0.6, 1);
    for (const d of blurred) {
      expect(d.blurSigma!).toBeGreaterThanOrEqual(0.2);
      expect(d.blurSigma!).toBeLessThanOrEqual(1);
    }
    const qualities = new Set(compressed.map((d) => d.jpegQuality!));
    expect(Math.min(...qualities)).toBe(60);
    expect(Math.max(...qualities)).toBe(95);
    expect([...qualities].every(Number.isInteger)).toBe(true);
    // Another seed gives another sequence.
    const other = Array.from({ length: 50 }, (_, sample) => degradationAt(on, 6, sample));
    expect(other).not.toEqual(draws.slice(0, 50));
  });
});

describe('degraded low-resolution images of a real photo', () => {
  it('JPEG really changes the input and costs bicubic PSNR; blur does too; the same settings give the same bytes', async () => {
    const clean = await makeLowRes(meadow, 4);
    expect(Buffer.from(clean.data).equals(Buffer.from(bicubicShrink(meadow, 4).data))).toBe(true);
    const jpeg = await makeLowRes(meadow, 4, { jpegQuality: 75 });
    const blur = await makeLowRes(meadow, 4, { blurSigma: 0.8 });
    const meanAbs = (a: RawImage, b: RawImage) => a.data.reduce((sum, v, i) => sum + Math.abs(v - b.data[i]!), 0) / a.data.length;
    expect(meanAbs(jpeg, clean)).toBeGreaterThan(1);
    expect(meanAbs(blur, clean)).toBeGreaterThan(1);
    expect(Buffer.from((await makeLowRes(meadow, 4, { jpegQuality: 75 })).data).equals(Buffer.from(jpeg.data))).toBe(true);

    const bicubicPsnr = async (lr: RawImage) => psnrY(await resizeImage(lr, 256, 256, 'bicubic'), meadow, 4);
    const [p0, pj, pb] = [await bicubicPsnr(clean), await bicubicPsnr(jpeg), await bicubicPsnr(blur)];
    console.log(`GreenMeadow crop, bicubic ×4 PSNR-Y: clean ${p0.toFixed(2)}, JPEG q75 ${pj.toFixed(2)}, blur σ0.8 ${pb.toFixed(2)} dB`);
    expect(pj).toBeLessThan(p0 - 0.2);
    expect(pb).toBeLessThan(p0 - 0.2);
  });

  it('blur keeps flat areas exactly and rejects bad settings with a clear error', async () => {
    const flat: RawImage = { data: new Uint8Array(20 * 12 * 3).fill(137), width: 20, height: 12, channels: 3 };
    expect(gaussianBlur(flat, 2.5).data.every((v) => v === 137)).toBe(true);
    expect(() => gaussianBlur(flat, 0)).toThrow(DegradationError);
    await expect(jpegRoundTrip(flat, 0)).rejects.toThrow(/quality must be a whole number from 1 to 100/);
    await expect(makeLowRes(flat, 3)).rejects.toThrow(/does not divide by the scale 3/);
  });
});

describe('the bicubic shrink that makes low-resolution inputs', () => {
  const mean = (image: RawImage) => image.data.reduce((sum, v) => sum + v, 0) / image.data.length;

  it("keeps the mean level (sharp's cubic shrink by 4 brightened a smooth image by 0.48) and otherwise matches libvips's cubic", async () => {
    const side = 252;
    const smooth: RawImage = { data: new Uint8Array(side * side * 3), width: side, height: side, channels: 3 };
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) smooth.data.fill(Math.round(100 + 50 * Math.sin(x / 20) * Math.cos(y / 17)), (y * side + x) * 3, (y * side + x + 1) * 3);
    }
    const { data, info } = await sharp(join(PHOTOS, 'Storm.jpg')).extract({ left: 1520, top: 160, width: side, height: side }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const sky: RawImage = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
    for (const image of [smooth, sky, cropRaw(meadow, { left: 0, top: 0, width: side, height: side })]) {
      for (const scale of [2, 3, 4]) {
        const lr = bicubicShrink(image, scale);
        expect([lr.width, lr.height]).toEqual([side / scale, side / scale]);
        expect(Math.abs(mean(lr) - mean(image)), `×${scale}`).toBeLessThan(0.05);
        const libvips = await resizeImage(image, side / scale, side / scale, 'bicubic');
        const meanAbs = lr.data.reduce((sum, v, i) => sum + Math.abs(v - libvips.data[i]!), 0) / lr.data.length;
        expect(meanAbs, `×${scale}`).toBeLessThan(0.8);
      }
    }
    const flat: RawImage = { data: new Uint8Array(16 * 16 * 3).fill(201), width: 16, height: 16, channels: 3 };
    expect(bicubicShrink(flat, 4).data.every((v) => v === 201)).toBe(true);
    expect(() => bicubicShrink(flat, 0)).toThrow(/whole number ≥ 1/);
  });
});

describe('the high-resolution dataset with degradations', () => {
  it('gives the same batch for the same step, degrades only the LR side, and explains a bad mix', async () => {
    const dir = join(root, 'photos');
    const options = { scale: 2, patchSize: 32, seed: 4 };
    const clean = await openHighResDataset(dir, options);
    const degraded = await openHighResDataset(dir, { ...options, degradation: { jpegShare: 1, blurShare: 0.5 } });
    const before = tf.memory().numTensors;
    const a = await degraded.batchAt(3, 4);
    const b = await degraded.batchAt(3, 4);
    const c = await clean.batchAt(3, 4);
    const same = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!);
    expect(same(a.lr, b.lr)).toBe(0);
    expect(same(a.hr, c.hr)).toBe(0);
    expect(same(a.lr, c.lr)).toBeGreaterThan(0.02);
    tf.dispose([a.lr, a.hr, b.lr, b.hr, c.lr, c.hr]);
    expect(tf.memory().numTensors).toBe(before);
    await expect(openHighResDataset(dir, { ...options, degradation: { jpegShare: 1, jpegQualityMin: 90, jpegQualityMax: 70 } })).rejects.toThrow(
      /JPEG quality range must be whole numbers with 1 ≤ min ≤ max ≤ 100, got 90–70/,
    );
    await expect(openHighResDataset(dir, { ...options, degradation: { blurShare: 1.5 } })).rejects.toThrow(/blurShare must be a share from 0 to 1/);
  });
});

function capture(): CommandOutput & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (text) => void (out += text), err: (text) => void (err += text), isTTY: false, stdout: () => out, stderr: () => err };
}

describe('ganvas train srgan --config with degradations', () => {
  it('trains a tiny model a few dozen steps on degraded inputs, its content loss falls, and the settings round-trip', async () => {
    const config = join(root, 'srgan.yaml');
    await writeFile(
      config,
      [
        'scale: 2',
        'filters: 8',
        'blocks: 1',
        'ndf: 4',
        'norm: none',
        'pretrainSteps: 40',
        'lr: { G: 0.002, D: 0.0001 }',
        'blurShare: 0.5',
        'blurSigmaMin: 0.3',
        'blurSigmaMax: 0.9',
        'jpegShare: 0.5',
        'jpegQualityMin: 70',
        'jpegQualityMax: 90',
        '',
      ].join('\n'),
    );
    const run = join(root, 'run');
    const output = capture();
    const code = await trainCommand(['srgan', '--data', join(root, 'photos'), '--out', run, '--config', config, '--size', '32', '--steps', '40', '--batch', '4', '--log-every', '20'], output);
    expect(code, output.stderr()).toBe(0);
    expect(output.stdout() + output.stderr()).toMatch(/50% blurred, 50% JPEG/);

    const losses = (await readLossHistory(run)).map((e) => e.losses['content']!);
    expect(losses).toHaveLength(40);
    expect(losses.every(Number.isFinite)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    console.log(`content loss, first 8 steps ${mean(losses.slice(0, 8)).toFixed(4)}, last 8 ${mean(losses.slice(-8)).toFixed(4)}`);
    expect(mean(losses.slice(-8))).toBeLessThan(0.8 * mean(losses.slice(0, 8)));

    const loaded = await loadCheckpoint(run);
    try {
      const stored = loaded.config as Record<string, unknown>;
      expect(stored).toMatchObject({ blurShare: 0.5, blurSigmaMin: 0.3, blurSigmaMax: 0.9, jpegShare: 0.5, jpegQualityMin: 70, jpegQualityMax: 90 });
      expect(parseFamilyConfig(srgan, JSON.parse(JSON.stringify(stored)))).toEqual(stored);
    } finally {
      loaded.model.dispose();
    }
  }, 300_000);

  it('defaults to clean inputs and refuses an upside-down range', () => {
    expect(parseFamilyConfig(srgan, {})).toMatchObject({ blurShare: 0, jpegShare: 0 });
    expect(() => parseFamilyConfig(srgan, { jpegQualityMin: 95, jpegQualityMax: 60 })).toThrow(/jpegQualityMin.*above jpegQualityMax/);
    expect(() => parseFamilyConfig(srgan, { blurShare: 2 })).toThrow(/blurShare/);
  });
});

describe('ganvas eval-sr --degrade', () => {
  it('reports one row per degradation per method, with the settings, and JPEG costs bicubic PSNR', async () => {
    const printed: string[] = [];
    const log = console.log;
    console.log = (text: string) => printed.push(text);
    try {
      const args = ['--data', PHOTOS, '--scale', '2', '--max-images', '2', '--crop-size', '96', '--models', 'slim', '--degrade', 'clean,jpeg,blur', '--json'];
      expect(await evalSrCommand(args)).toBe(0);
    } finally {
      console.log = log;
    }
    const report = JSON.parse(printed.join('\n'));
    expect(report.degradations).toEqual([{ name: 'clean' }, { name: 'jpeg', jpegQuality: 75 }, { name: 'blur', blurSigma: 0.8 }]);
    const rows = report.summary.map((s: { degradation: string; method: string }) => `${s.degradation}/${s.method}`);
    expect(rows).toEqual(['clean/bicubic', 'clean/esrgan-slim-x2', 'jpeg/bicubic', 'jpeg/esrgan-slim-x2', 'blur/bicubic', 'blur/esrgan-slim-x2']);
    expect(report.images).toHaveLength(2);
    for (const image of report.images) expect(image.scores).toHaveLength(6);
    const psnr = (degradation: string, method: string) => report.summary.find((s: { degradation: string; method: string }) => s.degradation === degradation && s.method === method).psnr;
    expect(psnr('jpeg', 'bicubic')).toBeLessThan(psnr('clean', 'bicubic'));
    expect(await evalSrCommand(['--data', PHOTOS, '--degrade', 'clean,noise'])).toBe(2);
    expect(await evalSrCommand(['--data', PHOTOS, '--degrade', 'jpeg,jpeg'])).toBe(2);
  }, 120_000);
});
