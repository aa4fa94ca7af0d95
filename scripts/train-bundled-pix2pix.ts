/**
 * Trains the bundled Doodle model (models/pix2pix-openmoji-64) with our own
 * trainer: OpenMoji line art → colour at 64 px. Resumable: run it again and
 * it continues from the run folder's checkpoint.
 *
 *   node --import tsx scripts/train-bundled-pix2pix.ts [RUN_DIR] [--steps N]
 *     [--gan-weight W] [--gan-loss vanilla|lsgan|hinge] [--label-smoothing S] [--seed N]
 *     [--hints N]   (colour hints: at most N marks painted from the target on each sketch)
 *     [--hint-layer] (G also reads the hints spread over the drawing's shapes)
 *     [--edge-share S] (that share of sketches replaced by the target's traced edges)
 *     [--init-from MODEL_DIR] [--lr LR]  (a fresh run starts from an exported model's G: its weights
 *       where shapes match, zeros for the input channels the hint layer adds, so at step 0 the
 *       model is that model on a bare sketch)
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
import * as tf from '@tensorflow/tfjs';
import { pix2pix, type Pix2PixConfig } from '../src/main/engine/gans/pix2pix/index.js';
import { pix2pixModel } from '../src/main/engine/gans/pix2pix/model.js';
import type { FamilyModule } from '../src/main/engine/gans/family.js';
import { loadExportedModel } from '../src/main/engine/models/load-exported-model.js';
import { resolveRunConfig, train } from '../src/main/engine/train/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: {
    steps: { type: 'string' },
    'gan-weight': { type: 'string' },
    'gan-loss': { type: 'string' },
    'label-smoothing': { type: 'string' },
    seed: { type: 'string' },
    hints: { type: 'string' },
    'hint-layer': { type: 'boolean' },
    'edge-share': { type: 'string' },
    'init-from': { type: 'string' },
    lr: { type: 'string' },
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
  ...(values['hint-layer'] ? { hintLayer: true } : {}),
  ...(values['edge-share'] === undefined ? {} : { edgeSketchShare: Number(values['edge-share']) }),
  ...(values.lr === undefined ? {} : { lr: { G: Number(values.lr), D: Number(values.lr) } }),
};

/** Copies `from`'s weights into G where the shapes match, widening the first layer with zeros for added input channels. */
function warmStart(G: tf.LayersModel, from: tf.LayersModel, dir: string): void {
  if (from.weights.length !== G.weights.length) throw new Error(`${dir} has no G of the same layout`);
  G.weights.forEach((weight, i) => {
    const value = from.weights[i]!.read();
    const [have, want] = [value.shape, weight.shape];
    if (have.join() === want.join()) weight.write(value.clone());
    else if (have.length === 4 && have[0] === want[0] && have[1] === want[1] && have[3] === want[3] && have[2]! < want[2]!) {
      weight.write(tf.concat([value, tf.zeros([have[0]!, have[1]!, want[2]! - have[2]!, have[3]!])], 2));
    } else throw new Error(`${dir}: weight ${weight.name} is [${have.join(',')}], this model needs [${want.join(',')}]`);
  });
  console.log(`G starts from ${dir}`);
}
const initFrom = values['init-from'];
let module: FamilyModule<Pix2PixConfig> = pix2pixModel;
if (initFrom !== undefined && !existsSync(join(runDir, 'checkpoint'))) {
  const source = (await loadExportedModel(resolve(initFrom))).model.networks['G']!;
  module = {
    ...pix2pixModel,
    build: (c, options) => {
      const model = pix2pixModel.build(c, options);
      warmStart(model.networks['G']!, source, initFrom);
      return model;
    },
  };
}
const { config: parsed } = await resolveRunConfig(pix2pix, { runDir, requested: config, resume: true });
console.log(`config: ${JSON.stringify(parsed)}`);
const started = Date.now();
const result = await train({
  family: pix2pix,
  module,
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
