/**
 * Whole-photo upscaling time of installed models, for model cards: a photo
 * resized to each WIDTHxHEIGHT is upscaled (tiled, as the studio does) by
 * every model named, one after another, twice each; the faster of the two
 * counts. Prints one JSON line per model and size, with seconds, seconds
 * per output megapixel, and the ratio to the first model.
 *
 *   node --import tsx scripts/time-upscalers.ts --scale 4 --models slim,bundled:srgan-photo-x4 [--sizes 640x480,160x120] [--photo FILE]
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/main/engine/backend/index.js';
import { decodeImage, resizeImage } from '../src/main/engine/image/index.js';
import { chooseUpscaleModel, loadUpscaleModel, tileLayoutFor, upscaleImage } from '../src/main/engine/upscale/index.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '4' },
    models: { type: 'string' },
    sizes: { type: 'string', default: '640x480' },
    photo: { type: 'string', default: '/usr/share/backgrounds/mate/nature/Dune.jpg' },
    tile: { type: 'string' },
  },
});
const scale = Number(values.scale);
const ids = (values.models ?? '').split(',').filter(Boolean);
if (ids.length === 0) throw new Error('give --models A,B');
await initBackend({ prefer: 'wasm' });
const photo = await decodeImage(values.photo, { flatten: true });
for (const size of values.sizes.split(',')) {
  const [width, height] = size.split('x').map(Number) as [number, number];
  const input = await resizeImage(photo, width, height, 'lanczos3');
  let first: number | undefined;
  for (const id of ids) {
    const loaded = await loadUpscaleModel(chooseUpscaleModel({ model: id, scale }));
    const times: number[] = [];
    for (let run = 0; run < 2; run++) {
      const started = performance.now();
      await upscaleImage(input, loaded, tileLayoutFor(loaded, values.tile ? Number(values.tile) : undefined));
      times.push((performance.now() - started) / 1000);
    }
    const seconds = Math.min(...times);
    first ??= seconds;
    const outputMp = (width * scale * height * scale) / 1e6;
    console.log(JSON.stringify({ model: loaded.info.id, runtime: loaded.inference.runtime, tile: tileLayoutFor(loaded, values.tile ? Number(values.tile) : undefined).tile, input: size, scale, seconds: Number(seconds.toFixed(2)), secondsPerOutputMp: Number((seconds / outputMp).toFixed(3)), ratioToFirst: Number((seconds / first).toFixed(2)) }));
  }
}
