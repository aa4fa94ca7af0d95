/**
 * Sample sheet for a model card: held-out sketches, the model's results and
 * the targets, side by side, enlarged with nearest-neighbour so pixels stay
 * honest.
 *
 *   node --import tsx scripts/model-card-samples.ts MODEL_DIR DATA_DIR OUT.png [--count 8]
 *     [--inputs test/A --targets test/B] [--option KEY=VALUE …]
 *
 * For an unpaired model: --inputs testA --targets testB --option direction=AtoB
 * (the targets are then the true counterparts the model never saw).
 *
 * --hints N (a model that reads colour hints): rows become the bare sketch, its
 * result, the sketch with N points in the target's colours (the points `ganvas
 * eval --hints` draws), its result, and the target.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { initBackend } from '../src/main/engine/backend/index.js';
import { evaluationHints, paintHints } from '../src/main/engine/data/colour-hints.js';
import { decodeImage, encodeImage, type DecodedImage } from '../src/main/engine/image/index.js';
import { seedFor } from '../src/main/engine/random.js';
import { EVAL_HINT_SEED } from '../src/main/engine/train/hinted-evaluation.js';
import { loadTranslator } from '../src/main/engine/models/load-translator.js';
import { locateModelFolder } from '../src/main/engine/models/index.js';
import { translateImage } from '../src/main/engine/inference/translate-image.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string' }, hints: { type: 'string' }, zoom: { type: 'string' }, inputs: { type: 'string' }, targets: { type: 'string' }, option: { type: 'string', multiple: true } },
});
const inputs = values.inputs ?? join('test', 'A');
const targets = values.targets ?? join('test', 'B');
const options = Object.fromEntries((values.option ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const [modelDir, dataDir, out] = positionals;
if (!modelDir || !dataDir || !out) throw new Error('usage: model-card-samples.ts MODEL_DIR DATA_DIR OUT.png');
const count = Number(values.count ?? 8);
const zoom = Number(values.zoom ?? 2);
const hints = Number(values.hints ?? 0);

/** The sketch with `hints` evaluation points from the target (RGB, the model's size), as PNG. */
function hinted(input: DecodedImage, target: DecodedImage, index: number): DecodedImage {
  const unit = (image: DecodedImage) => Float32Array.from({ length: image.width * image.height * 3 }, (_, i) => image.data[Math.floor(i / 3) * image.channels + (i % 3)]! / 127.5 - 1);
  const canvas = paintHints(unit(input), evaluationHints(unit(target), input.width, input.height, hints, seedFor(EVAL_HINT_SEED, 'eval-hints', index)));
  return { ...input, channels: 3, hasAlpha: false, data: Buffer.from(Uint8Array.from(canvas, (v) => Math.round((v + 1) * 127.5))) };
}

await initBackend();
const translator = await loadTranslator(await locateModelFolder(modelDir));
const names = (await readdir(join(dataDir, inputs))).sort();
// Spread over the held-out set rather than the first few (which are all flags or faces).
const picked = Array.from({ length: count }, (_, i) => names[Math.floor((i * names.length) / count)]!);
const size = translator.size;
const cell = size * zoom;
const columns: Buffer[][] = [];
for (const name of picked) {
  const sketch = join(dataDir, inputs, name);
  const result = await translateImage(translator, sketch, options);
  const input = await decodeImage(sketch, { flatten: true });
  const target = await decodeImage(join(dataDir, targets, name), { flatten: true });
  // The sketches are at the model's size, so what the network drew is the result.
  const rows = [input, result.network];
  if (hints > 0) {
    const canvas = hinted(input, target, names.indexOf(name));
    rows.push(canvas, (await translateImage(translator, await encodeImage(canvas, 'png'), options)).network);
  }
  rows.push(target);
  columns.push(await Promise.all(rows.map((image) => encodeImage(image, 'png'))));
}
translator.dispose();
const composites = [];
for (const [x, column] of columns.entries()) {
  for (const [y, png] of column.entries()) {
    composites.push({ input: await sharp(png).resize(cell, cell, { kernel: 'nearest' }).png().toBuffer(), left: x * cell, top: y * cell });
  }
}
await sharp({ create: { width: cell * columns.length, height: cell * columns[0]!.length, channels: 3, background: '#ffffff' } })
  .composite(composites)
  .png()
  .toFile(out);
const rowNames = hints > 0 ? `held-out input (${inputs}), its output, the input with ${hints} hints, its output, target` : `held-out input (${inputs}), model output, target`;
console.log(`${out}: rows = ${rowNames} (${targets}); ${columns.length} emoji: ${picked.map((n) => n.replace('.png', '')).join(', ')}`);
