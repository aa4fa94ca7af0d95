/**
 * Which way of showing a 64-px Doodle result large scores better (issue 13,
 * "crisp output"): the result enlarged ×4 by nearest neighbour (today's
 * blocks), by bicubic interpolation (a smooth pane), by ESRGAN (the
 * @upscalerjs models, trained on photos) or Lanczos, each scored against the
 * true colour emoji rendered at 256 px on held-out OpenMoji sketches.
 * The same enlargements of the 64-px target itself bound what any of them can
 * reach with a perfect 64-px result.
 *
 *   node --import tsx scripts/doodle-crisp-eval.ts [--model ID] [--count N] [--json]
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/backend/index.js';
import { isHeldOut, openMojiCodes, openMojiRoot } from '../src/main/engine/data/openmoji.js';
import { decodeImage, encodeImage, resizeImage, type RawImage } from '../src/main/engine/image/index.js';
import { translateImage } from '../src/main/engine/inference/translate-image.js';
import { packageRoot } from '../src/main/engine/install-location.js';
import { createModelCatalogue } from '../src/main/engine/models/index.js';
import { loadTranslator } from '../src/main/engine/models/load-translator.js';
import { chooseUpscaleModel, loadUpscaleModel, psnrY, ssimY, tileLayoutFor, upscaleImage } from '../src/main/engine/upscale/index.js';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'bundled:pix2pix-openmoji-64' }, count: { type: 'string', default: '60' }, json: { type: 'boolean', default: false } } });
await initBackend({ prefer: 'wasm' });
const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-no-user-data'), bundledDir: join(packageRoot(), 'models') });
const translator = await loadTranslator(await catalogue.resolve(values.model!));
const esrgan = { slim: await loadUpscaleModel(chooseUpscaleModel({ model: 'slim', scale: 4 })), medium: await loadUpscaleModel(chooseUpscaleModel({ model: 'medium', scale: 4 })) };
const held = (await openMojiCodes()).filter((code) => isHeldOut(code, 0.1));
const count = Math.min(held.length, Number(values.count));
const picked = Array.from({ length: count }, (_, i) => held[Math.floor((i * held.length) / count)]!);

const rgb = (image: RawImage): RawImage => image; // decodeImage with flatten gives 3 channels
const methods = {
  nearest: (image: RawImage) => resizeImage(image, 256, 256, 'nearest'),
  bicubic: (image: RawImage) => resizeImage(image, 256, 256, 'bicubic'),
  lanczos3: (image: RawImage) => resizeImage(image, 256, 256, 'lanczos3'),
  'esrgan-slim': (image: RawImage) => upscaleImage(image, esrgan.slim, tileLayoutFor(esrgan.slim)),
  'esrgan-medium': (image: RawImage) => upscaleImage(image, esrgan.medium, tileLayoutFor(esrgan.medium)),
};
type Method = keyof typeof methods;
const totals: Record<string, { psnr: number; ssim: number }> = {};
const add = (key: string, result: RawImage, truth: RawImage) => {
  const t = (totals[key] ??= { psnr: 0, ssim: 0 });
  t.psnr += psnrY(result, truth);
  t.ssim += ssimY(result, truth);
};
for (const code of picked) {
  const lineArt = await decodeImage(join(openMojiRoot(), 'black', 'svg', `${code}.svg`), { svgSize: 64, flatten: true });
  const small = await decodeImage(join(openMojiRoot(), 'color', 'svg', `${code}.svg`), { svgSize: 64, flatten: true });
  const truth = await decodeImage(join(openMojiRoot(), 'color', 'svg', `${code}.svg`), { svgSize: 256, flatten: true });
  const result = await translateImage(translator, await encodeImage(lineArt, 'png'));
  const output = result.network;
  for (const name of Object.keys(methods) as Method[]) {
    add(`result → ${name}`, await methods[name](rgb(output)), truth);
    add(`64-px target → ${name}`, await methods[name](rgb(small)), truth);
  }
}
const rows = Object.entries(totals).map(([name, t]) => ({ name, psnrY: t.psnr / count, ssimY: t.ssim / count }));
if (values.json) console.log(JSON.stringify({ model: values.model, images: count, rows }, null, 2));
else {
  console.log(`${count} held-out OpenMoji sketches, ${values.model}, scored at 256 px against the colour SVG rendered at 256 px`);
  for (const row of rows) console.log(`${row.name.padEnd(30)} PSNR-Y ${row.psnrY.toFixed(2)} dB  SSIM-Y ${row.ssimY.toFixed(4)}`);
}
translator.dispose();
