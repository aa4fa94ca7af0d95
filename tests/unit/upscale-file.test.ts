import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { decodeImage } from '../../src/main/engine/image/index.js';
import { bicubicUpscalePlane } from '../../src/main/engine/upscale/bicubic.js';
import { loadUpscaleModel } from '../../src/main/engine/upscale/load-model.js';
import { chooseUpscaleModel } from '../../src/main/engine/upscale/model-catalogue.js';
import { createPngRowWriter } from '../../src/main/engine/upscale/png-stream.js';
import { upscaleFile, upscaleFolder, type UpscaleProgress } from '../../src/main/engine/upscale/upscale-file.js';
import { upscaleCommand } from '../../src/main/cli/upscale.js';

const photo = '/usr/share/backgrounds/mate/nature/Wood.jpg';
let dir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  // Weights are tensors too: load them before counting tensors (each scale's default, and slim ×2).
  for (const scale of [2, 3, 4]) await loadUpscaleModel(chooseUpscaleModel({ scale }));
  await loadUpscaleModel(chooseUpscaleModel({ scale: 2, model: 'slim' }));
  dir = await mkdtemp(path.join(os.tmpdir(), 'ganvas-upscale-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function photoCrop(file: string, width: number, height: number, extra: (s: Sharp) => Sharp = (s) => s) {
  await extra(sharp(photo).extract({ left: 500, top: 300, width, height })).toFile(file);
  return file;
}

describe('streaming PNG writer', () => {
  it('writes rows given in pieces into a PNG that decodes to the same pixels', async () => {
    for (const channels of [3, 4] as const) {
      const width = 37, height = 23;
      const data = new Uint8Array(width * height * channels).map((_, i) => (i * 7919) % 251);
      const file = path.join(dir, `rows-${channels}.png`);
      const writer = createPngRowWriter(file, { width, height, channels });
      await writer.writeRows(data.subarray(0, 5 * width * channels));
      await writer.writeRows(data.subarray(5 * width * channels));
      await writer.finish();
      const { data: back, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([width, height, channels]);
      expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('refuses to finish a short image', async () => {
    const writer = createPngRowWriter(path.join(dir, 'short.png'), { width: 4, height: 4, channels: 3 });
    await writer.writeRows(new Uint8Array(4 * 3));
    await expect(writer.finish()).rejects.toThrow(/only 1 of 4 rows/);
  });
});

describe('upscaleFile', () => {
  it('keeps the format, honours EXIF orientation, reports progress, and never overwrites', async () => {
    // Stored 90×60 landscape with orientation 6: upright it is 60×90.
    const input = await photoCrop(path.join(dir, 'rotated.jpg'), 90, 60, (s) => s.jpeg().withMetadata({ orientation: 6 }));
    const output = path.join(dir, 'rotated-x2.jpg');
    const progress: UpscaleProgress[] = [];
    const before = tf.memory().numTensors;
    const result = await upscaleFile(input, output, { scale: 2, model: 'slim', tile: 48, onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ width: 120, height: 180, format: 'jpeg', model: 'esrgan-slim-x2' });
    const meta = await sharp(output).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 120, 180]);
    expect(meta.orientation ?? 1).toBe(1);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)!.tilesDone).toBe(progress.at(-1)!.tilesTotal);
    expect(progress.map((p) => p.tilesDone)).toEqual([...progress.map((p) => p.tilesDone)].sort((a, b) => a - b));
    expect(progress.at(-1)!.etaMs).toBe(0);
    // The upright content must match: compare with a bicubic upscale of the upright input.
    const upright = await decodeImage(input);
    const reference = await sharp(Buffer.from(upright.data), { raw: { width: 60, height: 90, channels: 3 } }).resize(120, 180, { kernel: 'cubic' }).raw().toBuffer();
    const ours = await sharp(output).raw().toBuffer();
    let diff = 0;
    for (let i = 0; i < ours.length; i++) diff += Math.abs(ours[i]! - reference[i]!);
    expect(diff / ours.length).toBeLessThan(12); // a rotated result would differ by ~40+

    await expect(upscaleFile(input, output, { scale: 2 })).rejects.toThrow(/rotated-x2\.jpg already exists.*--overwrite/);
    const again = await upscaleFile(input, output, { scale: 2, model: 'slim', overwrite: true, format: 'webp' });
    expect(again.format).toBe('webp');
    expect((await sharp(output).metadata()).format).toBe('webp');
  });

  it('keeps transparency: RGB through the network, alpha by bicubic', async () => {
    const w = 40, h = 30;
    const rgba = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      rgba[i] = 200; rgba[i + 1] = 80 + x; rgba[i + 2] = 40 + y;
      rgba[i + 3] = x < 20 ? 0 : x < 30 ? 128 : 255;
    }
    const input = path.join(dir, 'sticker.png');
    await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toFile(input);
    const output = path.join(dir, 'sticker-x3.png');
    await upscaleFile(input, output, { scale: 3 });
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([120, 90, 4]);
    const alpha = new Float32Array(w * h).map((_, p) => rgba[p * 4 + 3]!);
    const expected = bicubicUpscalePlane(alpha, w, h, 3);
    let maxDiff = 0;
    for (let p = 0; p < 120 * 90; p++) maxDiff = Math.max(maxDiff, Math.abs(data[p * 4 + 3]! - Math.min(255, Math.max(0, Math.round(expected[p]!)))));
    expect(maxDiff).toBeLessThanOrEqual(1);
    expect(data[(45 * 120 + 10) * 4 + 3]).toBe(0); // transparent stays transparent
    expect(data[(45 * 120 + 110) * 4 + 3]).toBe(255);
  });

  it('leaves no partial file when cancelled', async () => {
    const input = await photoCrop(path.join(dir, 'cancel.png'), 120, 100, (s) => s.png());
    const out = path.join(dir, 'cancelled-out');
    const controller = new AbortController();
    await expect(
      upscaleFile(input, path.join(out, 'cancel-x2.png'), {
        scale: 2,
        model: 'slim',
        tile: 48,
        signal: controller.signal,
        onProgress: (p) => p.tilesDone === 2 && controller.abort(),
      }),
    ).rejects.toThrow();
    expect(await readdir(out)).toEqual([]);
  });
});

describe('upscaleFolder', () => {
  it('fails only the broken file, with its name and reason, and never touches the input folder', async () => {
    const input = path.join(dir, 'in');
    const output = path.join(dir, 'out');
    await rm(input, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(input));
    await photoCrop(path.join(input, 'a.jpg'), 40, 32);
    await photoCrop(path.join(input, 'b.png'), 33, 41, (s) => s.png());
    await writeFile(path.join(input, 'broken.png'), 'this is not a png');
    await writeFile(path.join(input, 'notes.txt'), 'ignored');
    const listing = async () => Promise.all((await readdir(input)).sort().map(async (n) => [n, (await stat(path.join(input, n))).mtimeMs]));
    const before = await listing();
    const tensors = tf.memory().numTensors;
    const result = await upscaleFolder(input, output, { scale: 2 });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result.done.map((d) => path.basename(d.output))).toEqual(['a.jpg', 'b.png']);
    expect(result.failed).toEqual([{ file: 'broken.png', reason: expect.stringMatching(/^broken\.png: (not an image|.*damaged)/) }]);
    expect((await readdir(output)).sort()).toEqual(['a.jpg', 'b.png']);
    expect(await listing()).toEqual(before);
    await expect(upscaleFolder(input, input, { scale: 2 })).rejects.toThrow(/must differ from the input folder/);
  });
});

describe('ganvas upscale (CLI)', () => {
  it('writes NAME-xSCALE.EXT in the current folder by default, and uses exit codes 2 and 1', async () => {
    const input = await photoCrop(path.join(dir, 'cli.jpg'), 30, 20);
    const work = path.join(dir, 'cwd');
    await import('node:fs/promises').then((fs) => fs.mkdir(work, { recursive: true }));
    const previous = process.cwd();
    process.chdir(work);
    try {
      expect(await upscaleCommand(['--scale', '4', input])).toBe(0);
      expect((await sharp(path.join(work, 'cli-x4.jpg')).metadata()).width).toBe(120);
      expect(await upscaleCommand(['--scale', '4', input])).toBe(1); // exists, no --overwrite
      expect(await upscaleCommand(['--scale', '5', input])).toBe(2);
      expect(await upscaleCommand(['--scale', '4', '--format', 'gif', input])).toBe(2);
      expect(await upscaleCommand(['--scale', '4'])).toBe(2);
      expect(await upscaleCommand(['--scale', '4', '--input', path.join(dir, 'in')])).toBe(2); // folder needs --output
    } finally {
      process.chdir(previous);
    }
  });
});
