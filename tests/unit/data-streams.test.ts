import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openDomainDataset,
  openHighResDataset,
  openPairedDataset,
  openUnpairedDataset,
} from '../../src/main/engine/data/index.js';
import { buildEmojiSets, buildOpenMojiPairs } from './fixtures/openmoji.js';

let root: string;
const bytesOf = async (t: tf.Tensor) => {
  const data = (await t.data()) as Float32Array;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'ganvas-data-streams-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('openUnpairedDataset on Twitter ↔ Google emoji', () => {
  it('counts both domains, draws them independently and repeatably', async () => {
    const dir = join(root, 'unpaired');
    await buildEmojiSets(dir, { twitter: 'trainA', google: 'trainB' }, { count: 12, start: 400 });
    await buildEmojiSets(dir, { twitter: 'testA', google: 'testB' }, { count: 3, start: 900 });
    await rm(join(dir, 'trainB'), { recursive: true });
    await buildEmojiSets(dir, { twitter: 'unused', google: 'trainB' }, { count: 8, start: 400 });
    const dataset = await openUnpairedDataset(dir, { size: 56, seed: 2 });
    expect([dataset.kind, dataset.size, dataset.sizes, dataset.splits]).toEqual(['unpaired', 12, { a: 12, b: 8 }, ['train', 'test']]);
    const batch = await dataset.batchAt(5, 3);
    expect([batch.a.shape, batch.b.shape]).toEqual([
      [3, 56, 56, 3],
      [3, 56, 56, 3],
    ]);
    const again = await dataset.batchAt(5, 3);
    expect((await bytesOf(again.a)).equals(await bytesOf(batch.a))).toBe(true);
    expect((await bytesOf(again.b)).equals(await bytesOf(batch.b))).toBe(true);
    // Same file names in both domains, but each side has its own shuffle: rows do not follow each other.
    expect((await bytesOf(batch.a)).equals(await bytesOf(batch.b))).toBe(false);
    tf.dispose([batch.a, batch.b, again.a, again.b]);
    const test = await openUnpairedDataset(dir, { size: 32, split: 'test' });
    expect(test.sizes).toEqual({ a: 3, b: 3 });
  });
});

describe('openDomainDataset', () => {
  it('labels each image with its folder, one-hot, in sorted folder order', async () => {
    const dir = join(root, 'domains');
    await buildEmojiSets(dir, { twitter: 'twitter', google: 'google' }, { count: 6, start: 200 });
    await buildOpenMojiPairs(join(root, 'openmoji-domain'), { count: 3, size: 64, start: 40 });
    await mkdir(join(dir, 'openmoji'));
    for (const code of ['A', 'B']) {
      const source = join(root, 'openmoji-domain', code);
      for (const f of await readdir(source)) await copyFile(join(source, f), join(dir, 'openmoji', `${code}-${f}`));
    }
    await copyFile(join(dir, 'openmoji', (await readdir(join(dir, 'openmoji')))[0]!), join(dir, 'stray.png'));
    await writeFile(join(dir, 'google', 'README.md'), 'emoji from Google');
    const dataset = await openDomainDataset(dir, { size: 48, seed: 4 });
    expect(dataset.warnings).toEqual([
      `${dir}: 1 image outside the domain folders ignored: stray.png`,
      `${join(dir, 'google')}: 1 file skipped (not images): README.md`,
    ]);
    expect([dataset.kind, dataset.domains, dataset.domainSizes, dataset.size]).toEqual([
      'domains',
      ['google', 'openmoji', 'twitter'],
      [6, 6, 6],
      18,
    ]);
    const before = tf.memory().numTensors;
    const batch = await dataset.batchAt(0, 18); // one whole epoch
    expect(batch.images.shape).toEqual([18, 48, 48, 3]);
    expect(batch.labels.shape).toEqual([18, 3]);
    const labels = (await batch.labels.array()) as number[][];
    labels.forEach((row, i) => {
      expect(row.reduce((s, v) => s + v, 0)).toBe(1);
      expect(row[batch.domainIndex[i]!]).toBe(1);
    });
    const perDomain = [0, 0, 0];
    for (const d of batch.domainIndex) perDomain[d]!++;
    expect(perDomain).toEqual([6, 6, 6]);
    expect(batch.domainIndex).not.toEqual([...batch.domainIndex].sort()); // shuffled across domains
    tf.dispose([batch.images, batch.labels]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('openHighResDataset', () => {
  it('crops HR patches at full resolution, makes LR by bicubic downscale, skips small images', async () => {
    const dir = join(root, 'highres');
    await buildEmojiSets(dir, { twitter: 'photos', google: 'more' }, { count: 4, start: 600 });
    await sharp({ create: { width: 20, height: 30, channels: 3, background: '#ff0000' } })
      .png()
      .toFile(join(dir, 'tiny.png'));
    await copyFile('node_modules/openmoji/color/svg/1F600.svg', join(dir, 'face.svg'));
    const dataset = await openHighResDataset(dir, { scale: 2, patchSize: 32, seed: 1 });
    expect([dataset.kind, dataset.size]).toEqual(['highres', 9]);
    expect(dataset.warnings).toEqual(['1 image smaller than the 32 px patch skipped: tiny.png (20×30)']);
    const batch = await dataset.batchAt(0, 9);
    expect(batch.hr.shape).toEqual([9, 32, 32, 3]);
    expect(batch.lr.shape).toEqual([9, 16, 16, 3]);
    // LR ≈ HR averaged over 2×2 blocks; bicubic differs from a box filter only near edges.
    const pooled = tf.tidy(() => tf.avgPool(batch.hr, 2, 2, 'valid'));
    const meanError = tf.tidy(() => tf.mean(tf.abs(tf.sub(pooled, batch.lr))).dataSync()[0]!);
    expect(meanError).toBeLessThan(0.06);
    const spread = tf.tidy(() => tf.moments(batch.hr).variance.dataSync()[0]!);
    expect(spread).toBeGreaterThan(0.05); // real picture content, not blank patches
    const again = await dataset.batchAt(0, 9);
    expect((await bytesOf(again.hr)).equals(await bytesOf(batch.hr))).toBe(true);
    tf.dispose([batch.hr, batch.lr, again.hr, again.lr, pooled]);
  });
});

describe('prefetching stream', () => {
  it('keeps at most `prefetch` batches ahead, stays flat in tensors, and cleans up on break', async () => {
    const dir = join(root, 'stream');
    await buildEmojiSets(dir, { twitter: 'A', google: 'B' }, { count: 10, start: 1000 });
    const dataset = await openPairedDataset(dir, { size: 32, seed: 8 });
    const baseline = tf.memory().numTensors;
    const prefetch = 2;
    const perBatch = 2; // a and b
    let consumed = 0;
    for await (const batch of dataset.batches(0, 2, { prefetch })) {
      consumed++;
      if (consumed === 3) {
        // Let the stream fill its read-ahead, then check it stopped at the limit.
        const limit = baseline + perBatch * (1 + prefetch);
        for (let i = 0; i < 200 && tf.memory().numTensors < limit; i++) await new Promise((r) => setTimeout(r, 20));
        expect(tf.memory().numTensors).toBe(limit);
        await new Promise((r) => setTimeout(r, 100));
        expect(tf.memory().numTensors).toBe(limit);
      }
      tf.dispose([batch.a, batch.b]);
      expect(tf.memory().numTensors).toBeLessThanOrEqual(baseline + perBatch * prefetch);
      if (consumed === 25) break; // five epochs
    }
    expect(tf.memory().numTensors).toBe(baseline);

    let none = 0;
    for await (const batch of dataset.batches(4, 3, { prefetch: 0 })) {
      tf.dispose([batch.a, batch.b]);
      expect(tf.memory().numTensors).toBe(baseline);
      if (++none === 3) break;
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
