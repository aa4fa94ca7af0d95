/** The upscale throughput bench measures real upscales and reports consistent numbers. */
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { measureUpscaleThroughput } from '../../src/main/bench/upscale-throughput.js';

it('reports output megapixels per second for each slim model in quick mode, without leaking tensors', async () => {
  await initBackend({ prefer: 'wasm' });
  const repeat = { warmup: 1, reps: 1, minReps: 1, budgetMs: 0 };
  await measureUpscaleThroughput({ quick: true, side: 48, repeat }); // loads the weights, which are tensors too
  const before = tf.memory().numTensors;
  const report = await measureUpscaleThroughput({ quick: true, side: 48, repeat });
  expect(tf.memory().numTensors).toBe(before);
  expect(report.backend).toBe(tf.getBackend());
  expect(report.lines.map((l) => l.model)).toEqual(['esrgan-slim-x2', 'esrgan-slim-x3', 'esrgan-slim-x4']);
  for (const line of report.lines) {
    expect(line.outputMegapixels).toBeCloseTo((48 * line.scale) ** 2 / 1e6, 9);
    expect(line.tiles).toBeGreaterThan(0);
    expect(line.megapixelsPerSecond).toBeCloseTo(line.outputMegapixels / (line.timing.medianMs / 1000), 2);
  }
});
