/**
 * Sample sheet for a super-resolution model card: the most textured crop of
 * each held-out photo, shrunk as eval-sr shrinks it, then brought back by
 * nearest neighbour (the input's pixels), bicubic, the model and any
 * models to compare, beside the original. Enlarged with nearest neighbour so
 * the pixels stay honest.
 *
 *   node --import tsx scripts/sr-card-samples.ts MODEL_ID HELD_OUT_DIR OUT.png
 *     [--scale 4] [--crop 96] [--zoom 2] [--compare slim,medium] [--models-dir models]
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { initBackend } from '../src/main/engine/backend/index.js';
import { makeLowRes } from '../src/main/engine/data/sr-degradation.js';
import { cropRaw, decodeImage, resizeImage, type RawImage } from '../src/main/engine/image/index.js';
import { bicubicUpscaleImage } from '../src/main/engine/upscale/bicubic.js';
import { chooseUpscaleModel, loadUpscaleModel, tileLayoutFor, upscaleImage } from '../src/main/engine/upscale/index.js';
import { gradientEnergyY } from '../src/main/engine/upscale/metrics.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { scale: { type: 'string' }, crop: { type: 'string' }, zoom: { type: 'string' }, compare: { type: 'string' }, 'models-dir': { type: 'string' } },
});
const [modelId, dataDir, out] = positionals;
if (!modelId || !dataDir || !out) throw new Error('usage: sr-card-samples.ts MODEL_ID HELD_OUT_DIR OUT.png [--scale 4] [--crop 96] [--compare slim]');
const scale = Number(values.scale ?? 4);
const side = Number(values.crop ?? 96);
const zoom = Number(values.zoom ?? 2);
const folders = { bundledDir: resolve(values['models-dir'] ?? 'models') };

/** The grid cell with the most luma gradient (eval-sr's 'detailed' crop). */
function mostDetailed(image: RawImage): RawImage {
  let best: RawImage | undefined;
  let bestEnergy = -1;
  for (let top = 0; top + side <= image.height; top += side) {
    for (let left = 0; left + side <= image.width; left += side) {
      const crop = cropRaw(image, { left, top, width: side, height: side });
      const energy = gradientEnergyY(crop);
      if (energy > bestEnergy) [best, bestEnergy] = [crop, energy];
    }
  }
  return best!;
}

await initBackend();
const ids = [modelId, ...(values.compare?.split(',').filter(Boolean) ?? [])];
const models = await Promise.all(ids.map(async (id) => loadUpscaleModel(chooseUpscaleModel({ model: id, scale }, folders))));
const columns = ['input (nearest)', 'bicubic', ...models.map((m) => m.info.id), 'original'];
const cell = side * zoom;
const files = (await readdir(dataDir)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
const tiles: OverlayOptions[] = [];
// No column labels in the image (the SVG text sharp would need is not in its build here; the card names the columns), 4 px between cells.
const gap = 4;
for (const [row, file] of files.entries()) {
  const hr = mostDetailed(await decodeImage(join(dataDir, file), { flatten: true }));
  const lr = await makeLowRes(hr, scale);
  const results = [await resizeImage(lr, side, side, 'nearest'), bicubicUpscaleImage(lr, scale)];
  for (const loaded of models) results.push(await upscaleImage(lr, loaded, tileLayoutFor(loaded)));
  results.push(hr);
  for (const [col, image] of results.entries()) {
    const big = await resizeImage(image, cell, cell, 'nearest');
    const png = await sharp(big.data, { raw: { width: cell, height: cell, channels: image.channels as 3 } }).png().toBuffer();
    tiles.push({ input: png, left: col * (cell + gap), top: row * (cell + gap) });
  }
}
const width = columns.length * (cell + gap) - gap;
await sharp({ create: { width, height: files.length * (cell + gap) - gap, channels: 3, background: '#222' } }).composite(tiles).png().toFile(out);
console.log(`${out}: ${files.length} held-out crops of ${side} px, ×${scale}, columns: ${columns.join(' | ')}`);
