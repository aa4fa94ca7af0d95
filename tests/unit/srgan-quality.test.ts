/**
 * A tiny SRGAN generator trained in the test suite must beat bicubic
 * upscaling on held-out patches of real photographs (the nature wallpapers of
 * Debian's mate-backgrounds, which CI installs). PSNR on Y with `scale`
 * pixels cropped from each border, the protocol of Ledig et al. 2017, §3.1.
 *
 * Only the content-loss ("SRResNet") phase is run: it is the PSNR-oriented
 * model (the adversarial phase trades PSNR for texture, paper table 2), and
 * it goes through the generic trainer, so the loop, schedule and checkpoint
 * are exercised too. The photos are shrunk to 320 px wide first: at their
 * native 2560 px, 32-px patches are nearly flat (bicubic scores ~50 dB there)
 * and there is no detail to learn.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { openHighResDataset, type HighResBatch } from '../../src/main/engine/data/index.js';
import { bicubicUpscale, srgan, type SrganConfig, type SuperResolutionBatch } from '../../src/main/engine/gans/srgan/model.js';
import { parseFamilyConfig, type GanModel } from '../../src/main/engine/gans/family.js';
import { loadCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { train } from '../../src/main/engine/train/train.js';
import { psnrY } from '../../src/main/engine/upscale/metrics.js';

const PHOTOS = '/usr/share/backgrounds/mate/nature';
/** Textured photos (grass, petals) kept out of training. */
const HELD_OUT = ['Dune.jpg', 'GreenMeadow.jpg', 'YellowFlower.jpg'];
const WIDTH = 320;
const SCALE = 2;
const PATCH = 32;
const HELD_OUT_PATCHES = 48;
/** A few residual blocks of 16 filters, 8 patches a step. */
const FILTERS = 16;
const BLOCKS = 2;
const BATCH = 8;
const STEPS = 150;

let root: string;
let heldOut: HighResBatch;

function toRaw(image: tf.Tensor3D) {
  const bytes = tf.tidy(() => tf.round(tf.mul(tf.add(tf.clipByValue(image, -1, 1), 1), 127.5)));
  const data = Uint8Array.from(bytes.dataSync());
  bytes.dispose();
  return { data, width: image.shape[1], height: image.shape[0], channels: 3 as const };
}

/** PSNR (Y, border `SCALE` cropped) of the whole set: mean squared error over all patches, then dB. */
function setPsnr(results: tf.Tensor4D, references: tf.Tensor4D): number {
  let mse = 0;
  const n = results.shape[0];
  for (let i = 0; i < n; i++) {
    const [a, b] = tf.tidy(() => [tf.squeeze(tf.slice(results, [i], [1]), [0]), tf.squeeze(tf.slice(references, [i], [1]), [0])] as tf.Tensor3D[]);
    mse += (255 * 255) / 10 ** (psnrY(toRaw(a!), toRaw(b!), SCALE) / 10);
    tf.dispose([a!, b!]);
  }
  return 10 * Math.log10((255 * 255) / (mse / n));
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await mkdtemp(join(tmpdir(), 'ganvas-srgan-photos-'));
  await mkdir(join(root, 'train'));
  await mkdir(join(root, 'held-out'));
  const photos = existsSync(PHOTOS) ? (await readdir(PHOTOS)).filter((f) => f.endsWith('.jpg')) : [];
  if (photos.length < 6) throw new Error(`${PHOTOS} is missing: install Debian's mate-backgrounds (apt-get install mate-backgrounds)`);
  for (const photo of photos) {
    const folder = HELD_OUT.includes(photo) ? 'held-out' : 'train';
    await sharp(join(PHOTOS, photo)).resize({ width: WIDTH }).png().toFile(join(root, folder, photo.replace('.jpg', '.png')));
  }
  const held = await openHighResDataset(join(root, 'held-out'), { scale: SCALE, patchSize: PATCH, flip: false, seed: 7 });
  heldOut = await held.batchAt(0, HELD_OUT_PATCHES);
});

afterAll(async () => {
  if (heldOut) tf.dispose([heldOut.lr, heldOut.hr]);
  if (root) await rm(root, { recursive: true, force: true });
});

describe('a tiny SRGAN on real photographs', () => {
  it('beats bicubic upscaling on held-out photos after a short content-loss training', async () => {
    const steps = Number(process.env['SRGAN_TEST_STEPS'] ?? STEPS);
    const data = await openHighResDataset(join(root, 'train'), { scale: SCALE, patchSize: PATCH, seed: 3 });
    const runDir = join(root, 'run');
    const config = parseFamilyConfig(srgan, {
      size: PATCH,
      scale: SCALE,
      filters: FILTERS,
      blocks: BLOCKS,
      norm: 'none',
      imageSkip: 'bicubic',
      ndf: 8,
      steps,
      pretrainSteps: steps,
      decayFrom: Math.floor(steps * 0.6),
      batchSize: BATCH,
      lr: { G: 1e-3, D: 1e-4 },
      checkpointEvery: steps,
      sampleEvery: steps,
    });
    const result = await train({ family: srgan, config, data, outDir: runDir, sampleRows: 2 });
    expect(result.status).toBe('completed');

    const loaded = await loadCheckpoint(runDir);
    const model = loaded.model as GanModel<SrganConfig, SuperResolutionBatch>;
    try {
      const before = tf.memory().numTensors;
      const output = model.translate(heldOut.lr);
      const bicubic = bicubicUpscale(heldOut.lr, SCALE);
      const learned = setPsnr(output, heldOut.hr);
      const baseline = setPsnr(bicubic, heldOut.hr);
      tf.dispose([output, bicubic]);
      expect(tf.memory().numTensors).toBe(before);
      console.log(`held-out PSNR-Y: SRGAN (content phase, ${steps} steps) ${learned.toFixed(2)} dB, bicubic ${baseline.toFixed(2)} dB`);
      expect(learned).toBeGreaterThan(baseline);
    } finally {
      model.dispose();
    }
  }, 600_000);
});
