/**
 * Trains the bundled Doodle model (models/pix2pix-openmoji-64) with our own
 * trainer: OpenMoji line art → colour at 64 px. Resumable: run it again and
 * it continues from the run folder's checkpoint.
 *
 *   node --import tsx scripts/train-bundled-pix2pix.ts [RUN_DIR] [--steps N]
 *     [--gan-weight W] [--gan-loss vanilla|lsgan|hinge] [--label-smoothing S] [--seed N]
 *     [--hints N]   (colour hints: at most N marks painted from the target on each sketch)
 *
 * The loss options default to the engine's (the paper's) values; a resumed run
 * keeps the ones stored in its checkpoint.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/backend/index.js';
import { buildOpenMojiDataset } from '../src/main/engine/data/openmoji.js';
import { openPairedDataset } from '../src/main/engine/data/index.js';
import { pix2pix } from '../src/main/engine/gans/pix2pix/index.js';
import { resolveRunConfig, train } from '../src/main/engine/train/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    steps: { type: 'string' },
    'gan-weight': { type: 'string' },
    'gan-loss': { type: 'string' },
    'label-smoothing': { type: 'string' },
    seed: { type: 'string' },
    hints: { type: 'string' },
  },
});
const runDir = resolve(positionals[0] ?? '.bundled-training/pix2pix-openmoji-64');
const dataDir = join(runDir, '..', 'openmoji-64');
const steps = Number(values.steps ?? 12_000);
// One seed drives the weight init, dropout masks and the order and crops of the batches.
const seed = Number(values.seed ?? 7);

const report = await initBackend();
console.log(`backend: ${report.active}`);
if (!existsSync(join(dataDir, 'test', 'B'))) {
  console.log(`rendering OpenMoji pairs into ${dataDir} …`);
  const counts = await buildOpenMojiDataset(dataDir, { size: 64, testFraction: 0.1, onProgress: (d, t) => d % 500 === 0 && console.log(`  ${d}/${t}`) });
  console.log(`  ${counts.train} training pairs, ${counts.test} held out`);
}
const data = await openPairedDataset(dataDir, { size: 64, loadSize: 72, split: 'train', seed });
const held = await openPairedDataset(dataDir, { size: 64, loadSize: 64, flip: false, split: 'test', seed });
const config = {
  size: 64,
  ngf: 16,
  ndf: 32,
  steps,
  // Constant then linear decay over the last half, as the paper's schedule.
  decayFrom: Math.floor(steps / 2),
  batchSize: 1,
  checkpointEvery: 250,
  sampleEvery: 500,
  seed,
  ...(values['gan-weight'] === undefined ? {} : { ganWeight: Number(values['gan-weight']) }),
  ...(values['gan-loss'] === undefined ? {} : { ganLoss: values['gan-loss'] }),
  ...(values['label-smoothing'] === undefined ? {} : { labelSmoothing: Number(values['label-smoothing']) }),
  ...(values.hints === undefined ? {} : { colourHints: Number(values.hints) }),
};
const { config: parsed } = await resolveRunConfig(pix2pix, { runDir, requested: config, resume: true });
console.log(`config: ${JSON.stringify(parsed)}`);
const started = Date.now();
const result = await train({
  family: pix2pix,
  config: parsed,
  data: { batchAt: (step, n) => data.batchAt(step, n), sampleBatch: (rows) => held.batchAt(0, rows) },
  outDir: runDir,
  resume: existsSync(join(runDir, 'checkpoint')),
  sampleRows: 6,
  onProgress: (p) => {
    if (p.step % 50 === 0) {
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ');
      console.log(`step ${p.step}/${p.totalSteps}  ${losses}  ${p.stepsPerSecond.toFixed(2)} it/s  eta ${Math.round(p.etaSeconds / 60)} min`);
    }
  },
});
console.log(`${result.status} at step ${result.step} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
