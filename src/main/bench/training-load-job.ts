/**
 * The training the UI round-trip bench runs in the job worker: real pix2pix
 * iterations (the family's trainStep on wasm) until cancelled or `steps` are
 * done. tfjs is imported here, so it only loads inside the worker.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { initBackend } from '../engine/backend/index.js';
import { parseFamilyConfig } from '../engine/gans/family.js';
import { pix2pix } from '../engine/gans/pix2pix/index.js';
import { defineJobKind } from '../engine/jobs/job-kind.js';

export const benchTrainingLoad = defineJobKind({
  kind: 'bench-training-load',
  params: z
    .object({
      steps: z.number().int().positive(),
      size: z.number().int().min(8).max(256).default(64),
      ngf: z.number().int().min(1).max(128).default(32),
      backend: z.enum(['wasm', 'cpu']).default('wasm'),
    })
    .strict(),
  async run(params, ctx) {
    await initBackend({ prefer: params.backend });
    const model = (await pix2pix.loadModel()).build(parseFamilyConfig(pix2pix, { size: params.size, ngf: params.ngf, seed: 1 }));
    const batch = {
      a: tf.randomUniform([1, params.size, params.size, 3], -1, 1, 'float32', 1) as tf.Tensor4D,
      b: tf.randomUniform([1, params.size, params.size, 3], -1, 1, 'float32', 2) as tf.Tensor4D,
    };
    try {
      for (let step = 0; step < params.steps; step++) {
        await ctx.waitIfPaused();
        const losses = await model.trainStep(batch, { step, seed: 1 });
        ctx.progress({ done: step + 1, total: params.steps, unit: 'step', losses });
      }
    } finally {
      batch.a.dispose();
      batch.b.dispose();
      model.dispose();
    }
    return { steps: params.steps };
  },
});
