/**
 * A real (tiny) pix2pix run for the model, inference and translate tests:
 * built, given one real optimisation step so no weight is at its initial
 * value, and saved with the trainer's own saveCheckpoint. Plus real images.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { parseFamilyConfig } from '../../src/main/engine/gans/family.js';
import { pix2pix, pix2pixModel } from '../../src/main/engine/gans/pix2pix/model.js';
import { saveCheckpoint } from '../../src/main/engine/train/index.js';

export const TINY = { size: 16, ngf: 4, ndf: 4, dropout: 0, seed: 5, steps: 10 };

export async function saveTinyPix2pixRun(runDir: string, overrides: Record<string, unknown> = {}, step = 1) {
  const config = parseFamilyConfig(pix2pix, { ...TINY, ...overrides });
  const model = pix2pixModel.build(config);
  const size = config.size;
  const batch = { a: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 11) as tf.Tensor4D, b: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 12) as tf.Tensor4D };
  model.trainStep(batch, { step: 0, seed: config.seed });
  tf.dispose([batch.a, batch.b]);
  await saveCheckpoint(runDir, model, { family: 'pix2pix', step });
  return model;
}

/** A PNG (or JPEG/WebP by extension) with a smooth gradient and a seeded pattern. */
export async function writeImage(file: string, width: number, height: number, seed = 1): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = (x * 255) / width;
      data[p + 1] = (y * 255) / height;
      data[p + 2] = ((x * 7 + y * 13 + seed * 31) % 17) * 15;
    }
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  const image = sharp(data, { raw: { width, height, channels: 3 } });
  const ext = path.extname(file).toLowerCase();
  const bytes = ext === '.jpg' || ext === '.jpeg' ? await image.jpeg().toBuffer() : ext === '.webp' ? await image.webp().toBuffer() : await image.png().toBuffer();
  await fs.writeFile(file, bytes);
}
