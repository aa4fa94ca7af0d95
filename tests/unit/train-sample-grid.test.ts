import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { sampleGrid, writeRgbPng } from '../../src/main/engine/train/sample-grid.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

it('lays visuals out as rows of examples, scaling small ones up and showing grey as RGB', async () => {
  const before = tf.memory().numTensors;
  // Two examples: a 2×2 grey low-res input (SRGAN-like) beside a 4×4 RGB output.
  const input = tf.tensor4d([-1, 1, 1, -1, /* second example */ 0, 0, 0, 0], [2, 2, 2, 1]);
  const output = tf.fill([2, 4, 4, 3], 1) as tf.Tensor4D;
  const grid = await sampleGrid({ output, input }, ['input', 'output']);
  expect([grid.width, grid.height]).toEqual([8, 8]);
  const at = (x: number, y: number) => Array.from(grid.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3));
  expect(at(0, 0)).toEqual([0, 0, 0]); // -1 → black, nearest-neighbour 2× so (1,1) too
  expect(at(1, 1)).toEqual([0, 0, 0]);
  expect(at(2, 0)).toEqual([255, 255, 255]);
  expect(at(0, 4)).toEqual([128, 128, 128]); // second row: 0 → mid grey
  expect(at(5, 6)).toEqual([255, 255, 255]); // output column
  await expect(sampleGrid({ output }, ['target'])).rejects.toThrow("no visual named 'target'");
  tf.dispose([input, output]);
  expect(tf.memory().numTensors).toBe(before);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-grid-'));
  const file = path.join(dir, 'grid.png');
  await writeRgbPng(file, grid);
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([8, 8, 3]);
  expect(Buffer.compare(data, Buffer.from(grid.data))).toBe(0);
  expect(await fs.readdir(dir)).toEqual(['grid.png']);
  await fs.rm(dir, { recursive: true });
});
