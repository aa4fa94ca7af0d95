/**
 * How long a training step of a family takes here, measured: build the
 * networks for the config, run one step to warm up (kernels compile, memory
 * is laid out) and time the next, on a batch of the right shape. The Train
 * form shows the result as the expected time before the user starts, so
 * settings that would take hours on this machine are seen before they run.
 */
import * as tf from '@tensorflow/tfjs';
import type { AnyFamily, FamilyConfig } from '../gans/family.js';

export interface StepEstimate {
  secondsPerStep: number;
  /** Seconds the first (warm-up) step took; usually more. */
  warmUpSeconds: number;
}

export async function measureTrainingStep(family: AnyFamily, config: FamilyConfig): Promise<StepEstimate> {
  const module = await family.loadModel();
  const model = module.build(config);
  const batch = module.exampleBatch(config, config.batchSize);
  try {
    const timeStep = async (step: number) => {
      const started = performance.now();
      await model.trainStep(batch, { step, seed: config.seed });
      return (performance.now() - started) / 1000;
    };
    const warmUpSeconds = await timeStep(0);
    const secondsPerStep = await timeStep(1);
    return { secondsPerStep, warmUpSeconds };
  } finally {
    tf.dispose(batch as tf.TensorContainer);
    model.dispose();
  }
}
