/**
 * A tiny SRGAN (SRResNet, 2 blocks of 8 filters, ×2, bicubic image skip) for
 * the upscaler tests: a few real content-loss steps on 160-px copies of three
 * mate wallpapers, saved with the trainer's own saveCheckpoint, so no weight
 * is at its initial value. Exported from there with exportModel, the way
 * bundled models are made.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { openHighResDataset } from '../../src/main/engine/data/index.js';
import { parseFamilyConfig, type GanModel } from '../../src/main/engine/gans/family.js';
import { srgan, srganModel, type SrganConfig, type SuperResolutionBatch } from '../../src/main/engine/gans/srgan/model.js';
import { saveCheckpoint } from '../../src/main/engine/train/index.js';

export const PHOTOS = '/usr/share/backgrounds/mate/nature';
export const TINY_SRGAN = { size: 32, scale: 2, filters: 8, blocks: 2, norm: 'none', imageSkip: 'bicubic', ndf: 8, steps: 12, pretrainSteps: 12, batchSize: 4, lr: { G: 1e-3, D: 1e-4 }, seed: 3 };

export function matePhotos(): string[] {
  const photos = existsSync(PHOTOS) ? readdirSync(PHOTOS).filter((f) => f.endsWith('.jpg')).sort() : [];
  if (photos.length < 3) throw new Error(`${PHOTOS} is missing: install Debian's mate-backgrounds (apt-get install mate-backgrounds)`);
  return photos;
}

/** Trains the tiny SRGAN in `root/run` and returns the run folder. */
export async function trainTinySrgan(root: string): Promise<string> {
  const train = path.join(root, 'train');
  mkdirSync(train, { recursive: true });
  for (const name of matePhotos().slice(0, 3)) await sharp(path.join(PHOTOS, name)).resize({ width: 160 }).png().toFile(path.join(train, name.replace('.jpg', '.png')));
  const config = parseFamilyConfig(srgan, TINY_SRGAN) as SrganConfig;
  const model = srganModel.build(config) as GanModel<SrganConfig, SuperResolutionBatch>;
  try {
    const data = await openHighResDataset(train, { scale: config.scale, patchSize: config.size, seed: 1 });
    for (let step = 0; step < TINY_SRGAN.steps; step++) {
      const batch = await data.batchAt(step, TINY_SRGAN.batchSize);
      await model.trainStep(batch, { step, seed: config.seed });
      tf.dispose([batch.lr, batch.hr]);
    }
    const runDir = path.join(root, 'run');
    await saveCheckpoint(runDir, model, { family: 'srgan', step: TINY_SRGAN.steps });
    return runDir;
  } finally {
    model.dispose();
  }
}
