import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPairedDataset, type PairedBatch } from '../../src/main/engine/data/index.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';
import { runCli } from './fixtures/cli-process.js';

let root: string;
let pairsDir: string;
let codes: string[];

async function values(batch: PairedBatch) {
  const result = { a: (await batch.a.data()) as Float32Array, b: (await batch.b.data()) as Float32Array };
  batch.a.dispose();
  batch.b.dispose();
  return result;
}

/** Bitwise equality of float arrays (vitest's deep equality is slow on large typed arrays). */
const same = (x: Float32Array, y: Float32Array) =>
  Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
const samePair = (x: { a: Float32Array; b: Float32Array }, y: { a: Float32Array; b: Float32Array }) =>
  same(x.a, y.a) && same(x.b, y.b);

/** Mean |r−g| + |g−b| per pixel: ~0 for black line art, large for colour emoji. */
function colourfulness(data: Float32Array | Int32Array | Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 3) sum += Math.abs(data[i]! - data[i + 1]!) + Math.abs(data[i + 1]! - data[i + 2]!);
  return sum / (data.length / 3);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'ganvas-data-paired-'));
  pairsDir = join(root, 'openmoji');
  codes = await buildOpenMojiPairs(pairsDir, { count: 20, size: 64, start: 300 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('openPairedDataset on OpenMoji line art ↔ colour', () => {
  it('finds 20 pairs and yields aligned [-1, 1] NHWC batches', async () => {
    const dataset = await openPairedDataset(pairsDir, { size: 56, seed: 3 });
    expect([dataset.kind, dataset.layout, dataset.size, dataset.warnings]).toEqual(['paired', 'folders', 20, []]);
    expect(dataset.pairs.map((p) => p.name)).toEqual([...codes].sort());
    const batch = await dataset.batchAt(0, 4);
    expect(batch.a.shape).toEqual([4, 56, 56, 3]);
    expect(batch.b.shape).toEqual([4, 56, 56, 3]);
    const { a, b } = await values(batch);
    expect([...a, ...b].every((v) => v >= -1 && v <= 1)).toBe(true);
    // A is the black line art, B the coloured emoji.
    expect(colourfulness(a)).toBeLessThan(0.02);
    expect(colourfulness(b)).toBeGreaterThan(0.1);
  });

  it('is a pure function of (seed, step): repeatable, seed-dependent, and BtoA swaps the sides', async () => {
    const first = await openPairedDataset(pairsDir, { size: 56, seed: 3 });
    const again = await openPairedDataset(pairsDir, { size: 56, seed: 3 });
    const other = await openPairedDataset(pairsDir, { size: 56, seed: 4 });
    const reversed = await openPairedDataset(pairsDir, { size: 56, seed: 3, direction: 'BtoA' });
    const step7 = await values(await first.batchAt(7, 3));
    await first.batchAt(2, 3).then(values); // visiting other steps in between changes nothing
    expect(samePair(await values(await first.batchAt(7, 3)), step7)).toBe(true);
    expect(samePair(await values(await again.batchAt(7, 3)), step7)).toBe(true);
    expect(same((await values(await other.batchAt(7, 3))).a, step7.a)).toBe(false);
    const swapped = await values(await reversed.batchAt(7, 3));
    expect(samePair(swapped, { a: step7.b, b: step7.a })).toBe(true);
  });

  it('resumes: batches(from) yields exactly batchAt(from), batchAt(from + 1), …', async () => {
    const dataset = await openPairedDataset(pairsDir, { size: 56, seed: 9 });
    const expected = [await values(await dataset.batchAt(11, 2)), await values(await dataset.batchAt(12, 2))];
    const got = [];
    for await (const batch of dataset.batches(11, 2)) {
      expect(batch.step).toBe(11 + got.length);
      got.push(await values(batch));
      if (got.length === 2) break;
    }
    expect(got.map((g, i) => samePair(g, expected[i]!))).toEqual([true, true]);
  });

  it('visits every pair once per epoch', async () => {
    const dataset = await openPairedDataset(pairsDir, { size: 64, loadSize: 64, flip: false, seed: 5 });
    const epoch = await values(await dataset.batchAt(1, 20)); // samples 20…39 = the whole second epoch
    const perImage = 64 * 64 * 3;
    const signatures = new Set<string>();
    for (let i = 0; i < 20; i++) signatures.add(Array.from(epoch.b.subarray(i * perImage, (i + 1) * perImage)).join());
    expect(signatures.size).toBe(20);
  });
});

describe('augmentation', () => {
  let mirrorDir: string;
  beforeAll(async () => {
    // One asymmetric image used as both A and B: any misalignment between A and B would show.
    mirrorDir = join(root, 'mirror');
    await mkdir(join(mirrorDir, 'A'), { recursive: true });
    await mkdir(join(mirrorDir, 'B'), { recursive: true });
    const width = 40;
    const pixels = new Uint8Array(width * width * 3);
    for (let y = 0; y < width; y++)
      for (let x = 0; x < width; x++) pixels.set([x * 6, y * 6, (x * y) % 256], (y * width + x) * 3);
    await sharp(pixels, { raw: { width, height: width, channels: 3 } }).png().toFile(join(mirrorDir, 'A', 'ramp.png'));
    await copyFile(join(mirrorDir, 'A', 'ramp.png'), join(mirrorDir, 'B', 'ramp.png'));
  });

  it('uses the same crop and flip for A and B, and varies them across steps', async () => {
    const dataset = await openPairedDataset(mirrorDir, { size: 32, loadSize: 40, seed: 1 });
    const seen = new Set<string>();
    for (let step = 0; step < 12; step++) {
      const { a, b } = await values(await dataset.batchAt(step, 1));
      expect(same(b, a)).toBe(true);
      seen.add(Array.from(a.subarray(0, 12)).join());
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('flips horizontally about half the time and otherwise leaves the image as it is', async () => {
    const dataset = await openPairedDataset(mirrorDir, { size: 40, loadSize: 40, seed: 2 });
    const plain = await values(await (await openPairedDataset(mirrorDir, { size: 40, loadSize: 40, flip: false })).batchAt(0, 1));
    const mirrored = new Float32Array(plain.a.length);
    for (let y = 0; y < 40; y++)
      for (let x = 0; x < 40; x++)
        for (let c = 0; c < 3; c++) mirrored[(y * 40 + x) * 3 + c] = plain.a[(y * 40 + 39 - x) * 3 + c]!;
    let flips = 0;
    for (let step = 0; step < 20; step++) {
      const { a } = await values(await dataset.batchAt(step, 1));
      const isPlain = a.every((v, i) => v === plain.a[i]);
      const isMirrored = a.every((v, i) => v === mirrored[i]);
      expect(isPlain || isMirrored).toBe(true);
      if (isMirrored) flips++;
    }
    expect(flips).toBeGreaterThan(2);
    expect(flips).toBeLessThan(18);
  });
});

describe('layouts and bad files', () => {
  it('reads side-by-side A|B images, split in the middle', async () => {
    const dir = join(root, 'side-by-side');
    await buildOpenMojiPairs(dir, { count: 6, size: 48, start: 300, layout: 'side-by-side' });
    const dataset = await openPairedDataset(dir, { size: 48, loadSize: 48, flip: false });
    expect([dataset.layout, dataset.size]).toEqual(['side-by-side', 6]);
    const { a, b } = await values(await dataset.batchAt(0, 6));
    expect(colourfulness(a)).toBeLessThan(0.02);
    expect(colourfulness(b)).toBeGreaterThan(0.1);
  });

  it('skips a damaged image for the rest of the run with one warning, never failing a batch', async () => {
    const dir = join(root, 'damaged');
    await cp(pairsDir, dir, { recursive: true });
    const victim = (await readdir(join(dir, 'A'))).sort()[4]!;
    const bytes = await readFile(join(dir, 'A', victim));
    await writeFile(join(dir, 'A', victim), bytes.subarray(0, bytes.length >> 1)); // header intact, pixels cut
    const dataset = await openPairedDataset(dir, { size: 32, loadSize: 36, seed: 6 });
    expect([dataset.size, dataset.warnings]).toEqual([20, []]); // headers alone cannot tell
    const replay = await openPairedDataset(dir, { size: 32, loadSize: 36, seed: 6 });
    for (let step = 0; step < 10; step++) {
      const batch = await values(await dataset.batchAt(step, 4)); // two epochs
      expect(batch.a.length).toBe(4 * 32 * 32 * 3);
      // A run that met the bad file earlier sees the same data as one meeting it now.
      if (step === 9) expect(samePair(await values(await replay.batchAt(9, 4)), batch)).toBe(true);
    }
    // The decoder's detail in brackets varies (libvips reports some concurrent failures as "Unknown error").
    expect(dataset.warnings).toHaveLength(1);
    expect(dataset.warnings[0]).toMatch(
      new RegExp(`^A/${victim.replace(/[.]/g, '\\.')}: the file is damaged or truncated( \\(.+\\))?; skipped for the rest of the run$`),
    );
  });
});

describe('what counts as a side-by-side pair', () => {
  async function photo(file: string, width: number, height: number, colour: string): Promise<void> {
    await sharp({ create: { width, height, channels: 3, background: colour } }).jpeg().toFile(file);
  }

  it('refuses a folder of plain photos, naming the layouts it accepts', async () => {
    const dir = join(root, 'holiday-photos');
    await mkdir(dir, { recursive: true });
    await photo(join(dir, 'beach.jpg'), 640, 480, '#4aa3df');
    await photo(join(dir, 'dune.jpg'), 480, 640, '#e2c290');
    await photo(join(dir, 'pier.jpg'), 300, 300, '#777777');
    await photo(join(dir, 'sunset.jpg'), 1000, 501, '#f08030');
    let refusal: Error | undefined;
    await openPairedDataset(dir, { size: 32 }).catch((error: Error) => (refusal = error));
    expect(refusal?.message).toBe(
      `${dir}: no image here looks like a pair (4 images not twice as wide as high; beach.jpg is 640×480). ` +
        'Pix2Pix trains on pairs, in one of two layouts: A/ and B/ folders with files of matching names (A/cat.png ↔ B/cat.png), ' +
        'or side-by-side images exactly twice as wide as high (A on the left half, B on the right).',
    );
  });

  it('so `ganvas train pix2pix` on plain photos stops with that message and leaves no run behind', async () => {
    const dir = join(root, 'holiday-photos');
    const run = join(root, 'photo-run');
    const outcome = await runCli(['train', 'pix2pix', '--data', dir, '--out', run, '--size', '32', '--steps', '2']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('no image here looks like a pair');
    expect(outcome.stderr).toContain('A/ and B/ folders with files of matching names');
    expect(existsSync(run)).toBe(false);
  }, 60_000);

  it('trains on the A|B images of a mixed folder and names the ones it skipped', async () => {
    const dir = join(root, 'mixed-side-by-side');
    await buildOpenMojiPairs(dir, { count: 3, size: 32, start: 320, layout: 'side-by-side' });
    await photo(join(dir, 'zz-photo.jpg'), 640, 480, '#4aa3df');
    const dataset = await openPairedDataset(dir, { size: 32, loadSize: 32 });
    expect([dataset.layout, dataset.size]).toEqual(['side-by-side', 3]);
    expect(dataset.pairs.map((p) => p.name)).not.toContain('zz-photo.jpg');
    expect(dataset.warnings).toEqual(['1 image not exactly twice as wide as high, so not side-by-side A|B pairs (skipped): zz-photo.jpg (640×480)']);
  });
});
