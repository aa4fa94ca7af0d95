/**
 * Times SRGAN generator shapes on ONNX Runtime before any is trained (random
 * weights; speed does not depend on them), beside the ESRGAN models the
 * studio ships, on the same input tile. Prints one JSON line per network:
 * median milliseconds per forward pass and the ratio to slim and thick.
 *
 *   node --import tsx scripts/time-sr-architectures.ts [--scale 4] [--side 128] [--threads N] [--runs 7] [--shape filters:blocks:upsampling …]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/main/engine/backend/index.js';
import { buildSrresnetGenerator, type UpsamplingKind } from '../src/main/engine/gans/srgan/generator.js';
import { OnnxNetwork } from '../src/main/engine/onnx/network.js';
import { listUpscaleModels } from '../src/main/engine/upscale/model-catalogue.js';
import { loadUpscaleModel } from '../src/main/engine/upscale/load-model.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '4' },
    side: { type: 'string', default: '128' },
    threads: { type: 'string' },
    runs: { type: 'string', default: '7' },
    shape: { type: 'string', multiple: true },
  },
});
const scale = Number(values.scale);
const side = Number(values.side);
const runs = Number(values.runs);
const threads = values.threads ? Number(values.threads) : undefined;
const shapes = values.shape ?? ['32:8:progressive', '32:8:direct', '32:6:direct', '32:5:direct', '24:8:direct'];

await initBackend({ prefer: 'wasm' });
const input = new Float32Array(side * side * 3).map((_, i) => Math.sin(i * 0.37));
const shape = [1, side, side, 3] as const;

async function time(network: OnnxNetwork, scaleInput: number): Promise<number> {
  const data = input.map((v) => v * scaleInput);
  await network.run(data, shape);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await network.run(data, shape);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const lines: Record<string, unknown>[] = [];
for (const info of listUpscaleModels().filter((m) => m.scale === scale && m.location === undefined)) {
  const loaded = await loadUpscaleModel(info, { inference: 'onnx', ...(threads !== undefined ? { threads } : {}) });
  if (!loaded.inference.network) continue;
  const range = info.pixelRange[1] - info.pixelRange[0];
  lines.push({ network: info.id, params: loaded.model.countParams(), ms: await time(loaded.inference.network, range / 2) });
}
for (const text of shapes) {
  const [filters, blocks, upsampling] = text.split(':');
  const model = buildSrresnetGenerator({ scale, channels: 3, filters: Number(filters), blocks: Number(blocks), norm: 'none', imageSkip: 'bicubic', upsampling: upsampling as UpsamplingKind, seed: 1 });
  const network = await OnnxNetwork.fromLayersModel(model, threads !== undefined ? { threads } : {});
  lines.push({ network: `srresnet ${text}`, params: model.countParams(), ms: await time(network, 1) });
  await network.release();
  model.dispose();
}
const of = (name: string) => lines.find((l) => String(l.network).includes(name))?.ms as number | undefined;
const slim = of('slim');
const thick = of('thick');
for (const line of lines) {
  const ms = line.ms as number;
  console.log(JSON.stringify({ ...line, ms: Number(ms.toFixed(1)), scale, side, threads: threads ?? 'all', ...(slim ? { xSlim: Number((ms / slim).toFixed(2)) } : {}), ...(thick ? { fasterThanThick: Number((thick / ms).toFixed(1)) } : {}) }));
}
void tf;
