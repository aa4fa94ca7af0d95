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
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { initBackend } from '../src/main/engine/backend/index.js';
import { decodeImage, encodeImage } from '../src/main/engine/image/index.js';
import { loadTranslator } from '../src/main/engine/models/load-translator.js';
import { locateModelFolder } from '../src/main/engine/models/index.js';
import { translateImage } from '../src/main/engine/inference/translate-image.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { count: { type: 'string' }, zoom: { type: 'string' }, inputs: { type: 'string' }, targets: { type: 'string' }, option: { type: 'string', multiple: true } },
});
const inputs = values.inputs ?? join('test', 'A');
const targets = values.targets ?? join('test', 'B');
const options = Object.fromEntries((values.option ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
const [modelDir, dataDir, out] = positionals;
if (!modelDir || !dataDir || !out) throw new Error('usage: model-card-samples.ts MODEL_DIR DATA_DIR OUT.png');
const count = Number(values.count ?? 8);
const zoom = Number(values.zoom ?? 2);

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
  const column = [input, result.network, target].map((image) => encodeImage(image, 'png'));
  columns.push(await Promise.all(column));
}
translator.dispose();
const composites = [];
for (const [x, column] of columns.entries()) {
  for (const [y, png] of column.entries()) {
    composites.push({ input: await sharp(png).resize(cell, cell, { kernel: 'nearest' }).png().toBuffer(), left: x * cell, top: y * cell });
  }
}
await sharp({ create: { width: cell * columns.length, height: cell * 3, channels: 3, background: '#ffffff' } })
  .composite(composites)
  .png()
  .toFile(out);
console.log(`${out}: rows = held-out input (${inputs}), model output, target (${targets}); ${columns.length} emoji: ${picked.map((n) => n.replace('.png', '')).join(', ')}`);
