// Manual measurement (not a test): upscales a 4000×3000 photo ×4 with the
// default (slim) model to a 16000×12000 JPEG and reports time and peak memory.
// Run: /usr/bin/time -v node --import tsx scripts/bench-upscale-large.ts [--model M] [--tile N] [--format png|jpeg]
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { initBackend } from '../src/main/engine/backend/index.js';
import { upscaleFile } from '../src/main/engine/upscale/index.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, tile: { type: 'string' }, format: { type: 'string' } } });
const dir = path.join(os.tmpdir(), 'ganvas-bench-upscale');
await mkdir(dir, { recursive: true });
const input = path.join(dir, 'photo-4000x3000.jpg');
await sharp('/usr/share/backgrounds/mate/nature/Dune.jpg').resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toFile(input);
const format = (values.format ?? 'jpeg') as 'png' | 'jpeg';
const output = path.join(dir, `photo-x4.${format === 'jpeg' ? 'jpg' : 'png'}`);
await rm(output, { force: true });

const backend = await initBackend({ prefer: 'wasm' });
let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
const started = Date.now();
let lastLog = 0;
const result = await upscaleFile(input, output, {
  scale: 4,
  model: values.model,
  tile: values.tile ? Number(values.tile) : undefined,
  format,
  onProgress: (p) => {
    if (Date.now() - lastLog < 15_000 && p.tilesDone < p.tilesTotal) return;
    lastLog = Date.now();
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    console.log(`${((Date.now() - started) / 1000).toFixed(0)} s  tile ${p.tilesDone}/${p.tilesTotal}  rss ${(rss / 2 ** 20).toFixed(0)} MiB  eta ${((p.etaMs ?? 0) / 1000).toFixed(0)} s`);
  },
});
clearInterval(sample);
const seconds = (Date.now() - started) / 1000;
console.log(JSON.stringify({
  backend: backend.active,
  model: result.model,
  output: `${result.width}×${result.height} ${result.format}, ${((await stat(output)).size / 2 ** 20).toFixed(1)} MiB`,
  seconds: Number(seconds.toFixed(1)),
  msPerOutputMegapixel: Math.round((seconds * 1000) / ((result.width * result.height) / 1e6)),
  peakRssSampledMiB: Math.round(peakRss / 2 ** 20),
}));
