/**
 * One operation of the image-memory bench (image-memory.ts), alone in its
 * process so that the process's peak resident set size is that operation's.
 * Usage (forked with an IPC channel): image-memory-child OPERATION INPUT OUTPUT.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { initBackend } from '../engine/backend/index.js';
import { packageRoot } from '../engine/install-location.js';
import { translateImage } from '../engine/inference/translate-image.js';
import { createModelCatalogue } from '../engine/models/catalogue.js';
import { loadTranslator } from '../engine/models/load-translator.js';
import { chooseUpscaleModel, loadUpscaleModel, tileLayoutFor, upscaleFile } from '../engine/upscale/index.js';
import { upscaleFileWith } from '../engine/upscale/upscale-file.js';
import type { PixelWindow } from '../engine/upscale/tiling.js';
import type { MemoryOperation } from './image-memory.js';

/**
 * Nearest neighbour: the same windows in and out as the network, at almost no
 * cost, so what is measured is the pipeline around the network.
 */
function nearestWindow(scale: number) {
  return async (window: PixelWindow): Promise<Float32Array> => {
    const { width, height, channels, data } = window;
    const outWidth = width * scale;
    const out = new Float32Array(outWidth * height * scale * channels);
    for (let y = 0; y < height * scale; y++) {
      const from = Math.floor(y / scale) * width * channels;
      let to = y * outWidth * channels;
      for (let x = 0; x < outWidth; x++) {
        const p = from + Math.floor(x / scale) * channels;
        for (let c = 0; c < channels; c++) out[to++] = data[p + c]!;
      }
    }
    return out;
  };
}

async function run(operation: MemoryOperation, input: string, output: string): Promise<void> {
  await initBackend({ prefer: 'wasm' });
  if (operation === 'translate') {
    const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-bench-no-user-data'), bundledDir: join(packageRoot(), 'models') });
    const translator = await loadTranslator(await catalogue.resolve('bundled:pix2pix-openmoji-64'));
    const result = await translateImage(translator, input);
    await result.save(output, 'png');
    translator.dispose();
    return;
  }
  const info = chooseUpscaleModel({ model: 'esrgan-slim-x2' });
  if (operation === 'upscale-model') {
    await upscaleFile(input, output, { model: info.id, overwrite: true });
    return;
  }
  const loaded = await loadUpscaleModel(info);
  await upscaleFileWith(input, output, { id: 'nearest', scale: info.scale, layout: tileLayoutFor(loaded), upscaleWindow: nearestWindow(info.scale) }, { overwrite: true });
}

const [operation, input, output] = process.argv.slice(2) as [MemoryOperation, string, string];
const started = performance.now();
run(operation, input, output).then(
  () => {
    // ru_maxrss is in kilobytes (Node's process.resourceUsage()).
    process.send!({ peakRssBytes: process.resourceUsage().maxRSS * 1024, seconds: (performance.now() - started) / 1000 }, () => process.exit(0));
  },
  (error: unknown) => {
    process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
  },
);
