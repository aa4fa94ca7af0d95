/**
 * Trains a bundled super-resolution model (models/srgan-photo-x4, -x2) with
 * our own trainer, on real photographs that install offline from Debian's
 * packages (mate-backgrounds, lomiri-wallpapers-16.04, lomiri-wallpapers-20.04). Photos are held
 * out by file: the HELD_OUT list below is never cut into training tiles, and
 * is what `ganvas eval-sr` scores the model on. plasma-workspace-wallpapers
 * is never read here: it is kept for independent checks.
 *
 * Training tiles: each training photo at its own size, at 1/2 and at 1/4
 * (antialiased Lanczos), cut into 256 px tiles. Tiles a ×4 bicubic round trip
 * already reproduces within 44 dB (flat sky, out-of-focus backgrounds: most
 * of a 4K wallpaper) are left out: they teach nothing and would be most of
 * every batch. The trainer then takes random patches of the tiles.
 *
 *   node --import tsx scripts/train-bundled-srgan.ts [RUN_DIR] [--scale 4] [--steps N] [--set KEY=VALUE …]
 *
 * Resumable: run it again and it continues from the run folder's checkpoint.
 *
 * The sharp model: `--init-from FOLDER` starts a fresh run's generator from
 * a faithful model (an exported model folder or a run folder; same
 * architecture), with a new discriminator, for the GAN phase alone
 * (`--set pretrainSteps=0 --set adversarialWeight=…`).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import type * as tf from '@tensorflow/tfjs';
import type { FamilyModule } from '../src/main/engine/gans/family.js';
import { loadExportedModel } from '../src/main/engine/models/load-exported-model.js';
import { loadCheckpointForInference } from '../src/main/engine/train/checkpoint/index.js';
import { initBackend } from '../src/main/engine/backend/index.js';
import { srgan } from '../src/main/engine/gans/srgan/index.js';
import { bundledArgs, runBundledTraining } from './bundled-run.js';

/** Photographs (checked by eye: no renders, no abstract art) and the package each comes from. */
const PHOTOS: readonly { file: string; pkg: string; licence: string }[] = [
  ...['Aqua', 'Blinds', 'Dune', 'FreshFlower', 'Garden', 'GreenMeadow', 'LadyBird', 'RainDrops', 'Storm', 'TwoWings', 'Wood', 'YellowFlower'].map((name) => ({
    file: `/usr/share/backgrounds/mate/nature/${name}.jpg`,
    pkg: 'mate-backgrounds',
    licence: 'GPL-2+',
  })),
  // Licences from each package's /usr/share/doc/<package>/copyright.
  ...[
    ['Bridge_by_Sander_Klootwijk', 'lomiri-wallpapers-16.04', 'CC-BY-SA-4.0'],
    ['Dragonfly_by_Bolly', 'lomiri-wallpapers-16.04', 'CC-BY-SA-4.0'],
    ['Infinite-Sea_by_Aury88', 'lomiri-wallpapers-20.04', 'CC-BY-SA-3.0'],
    ['Picture_0B_by_freespace', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['Picture_1A_by_freespace', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['Wine_by_Jakkub_Mede', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['aitzgorri_by_Aitzol_Berasategi', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['friends_by_Aitzol_Berasategi', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['life_by_Aitzol_Berasategi', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['picosdeeuropa_by_Aitzol_Berasategi', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['seeding_by_Clements_Engelhardt', 'lomiri-wallpapers-16.04', 'CC0-1.0'],
    ['sunset_by_Aitzol_Berasategi', 'lomiri-wallpapers-16.04', 'CC-BY-4.0'],
    ['Kleiber_by_Lukas_Baubkus', 'lomiri-wallpapers-20.04', 'CC-BY-SA-3.0'],
  ].map(([name, pkg, licence]) => ({ file: `/usr/share/backgrounds/${name}.jpg`, pkg: pkg!, licence: licence! })),
];

/** Never trained on: textured close-ups, a landscape, a portrait of animals, fur and feathers. */
const HELD_OUT: readonly string[] = ['Dune.jpg', 'GreenMeadow.jpg', 'YellowFlower.jpg', 'friends_by_Aitzol_Berasategi.jpg', 'picosdeeuropa_by_Aitzol_Berasategi.jpg', 'Kleiber_by_Lukas_Baubkus.jpg'];

const TILE = 256;
const FLAT_DB = 44;

/** PSNR (grey) of a ×4 bicubic round trip of a tile: high means there is nothing to restore. */
async function roundTripDb(tile: Buffer): Promise<number> {
  const grey = await sharp(tile, { raw: { width: TILE, height: TILE, channels: 3 } }).greyscale().raw().toBuffer();
  const small = await sharp(grey, { raw: { width: TILE, height: TILE, channels: 1 } }).resize(TILE / 4, TILE / 4, { kernel: 'cubic' }).raw().toBuffer();
  const back = await sharp(small, { raw: { width: TILE / 4, height: TILE / 4, channels: 1 } }).resize(TILE, TILE, { kernel: 'cubic' }).raw().toBuffer();
  let sum = 0;
  for (let i = 0; i < grey.length; i++) sum += (grey[i]! - back[i]!) ** 2;
  const mse = sum / grey.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

async function buildTiles(trainDir: string, heldDir: string): Promise<{ tiles: number; flat: number }> {
  const partial = `${trainDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await mkdir(heldDir, { recursive: true });
  let tiles = 0;
  let flat = 0;
  for (const { file } of PHOTOS) {
    const name = basename(file);
    if (HELD_OUT.includes(name)) {
      await sharp(file).toFile(join(heldDir, name.replace(/\.jpg$/, '.png')));
      continue;
    }
    const meta = await sharp(file).metadata();
    for (const factor of [1, 2, 4]) {
      const width = Math.round(meta.width! / factor);
      const height = Math.round(meta.height! / factor);
      if (Math.max(width, height) < 600) continue;
      const raw = await sharp(file).resize(width, height, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer();
      for (let top = 0; top + TILE <= height; top += TILE) {
        for (let left = 0; left + TILE <= width; left += TILE) {
          const tile = Buffer.alloc(TILE * TILE * 3);
          for (let y = 0; y < TILE; y++) raw.copy(tile, y * TILE * 3, ((top + y) * width + left) * 3, ((top + y) * width + left + TILE) * 3);
          if ((await roundTripDb(tile)) > FLAT_DB) {
            flat++;
            continue;
          }
          await sharp(tile, { raw: { width: TILE, height: TILE, channels: 3 } })
            .png()
            .toFile(join(partial, `${name.replace(/\.jpg$/, '')}-s${factor}-${top}-${left}.png`));
          tiles++;
        }
      }
    }
    console.log(`  ${name}: ${tiles} tiles so far, ${flat} flat left out`);
  }
  await rename(partial, trainDir);
  return { tiles, flat };
}

const args = bundledArgs((values) => `.bundled-training/srgan-photo-x${values['scale'] ?? 4}`, { scale: { type: 'string' }, 'init-from': { type: 'string' } });
const scale = Number(args.values.scale ?? 4);
const { runDir } = args;
const dataRoot = resolve(runDir, '..', 'sr-photos');
const trainDir = join(dataRoot, 'train');
const heldDir = join(dataRoot, 'held-out');
const steps = args.steps(6000);

if (!existsSync(trainDir)) {
  console.log(`cutting training tiles into ${trainDir} (held-out photos into ${heldDir}) …`);
  const { tiles, flat } = await buildTiles(trainDir, heldDir);
  console.log(`  ${tiles} tiles, ${flat} flat tiles left out, ${(await readdir(heldDir)).length} photos held out`);
}
const report = await initBackend();
console.log(`backend: ${report.active}`);
const requested: Record<string, unknown> = {
  scale,
  size: 96,
  filters: 32,
  blocks: 8,
  norm: 'none',
  imageSkip: 'bicubic',
  // The faithful model: the SRResNet content phase only (L1), no adversarial steps.
  pretrainSteps: steps,
  contentLoss: 'l1',
  batchSize: 8,
  // With the bicubic skip the residual is small; 2e-4 (EDSR's 1e-4 at batch 16, Lim et al. 2017,
  // doubled for the skip) trained fastest in 300-step pilots.
  lr: { G: 2e-4, D: 1e-4 },
  steps,
  decayFrom: Math.floor(steps / 2),
  checkpointEvery: 250,
  sampleEvery: 1000,
  seed: args.seed,
};
/** A fresh run's G starts from `from`'s G, weight by weight (the same architecture). */
async function warmStartFrom(from: string): Promise<(module: FamilyModule) => FamilyModule> {
  const source = existsSync(join(from, 'checkpoint')) ? await loadCheckpointForInference(from) : await loadExportedModel(from);
  const G0: tf.LayersModel | undefined = source.model.networks['G'];
  if (!G0) throw new Error(`${from} holds no SRGAN generator`);
  return (module) => ({
    ...module,
    build: (config, options) => {
      const model = module.build(config, options);
      const G = model.networks['G']!;
      if (G.weights.length !== G0.weights.length) throw new Error(`${from}: its generator has ${G0.weights.length} weights, this run's ${G.weights.length}; give the same filters, blocks, upsampling and scale`);
      G.weights.forEach((weight, i) => {
        const value = G0.weights[i]!.read();
        if (value.shape.join() !== weight.shape.join()) throw new Error(`${from}: ${weight.name} is [${value.shape.join(',')}], this run needs [${weight.shape.join(',')}]`);
        weight.write(value.clone());
      });
      console.log(`G starts from ${from}`);
      return model;
    },
  });
}
const initFrom = args.values['init-from'] as string | undefined;
const fresh = !existsSync(join(runDir, 'checkpoint'));
const wrapModule = initFrom !== undefined && fresh ? await warmStartFrom(resolve(initFrom)) : undefined;
await runBundledTraining({ family: srgan, dataDir: trainDir, runDir, requested, sets: args.sets, digits: 4, ...(wrapModule ? { wrapModule } : {}) });
