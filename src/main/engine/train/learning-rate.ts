/**
 * The learning-rate schedule of pix2pix and CycleGAN: constant, then linear
 * decay to zero (Isola et al. 2017; Zhu et al. 2017, section 7: "keep the same
 * learning rate for the first 100 epochs and linearly decay the rate to zero
 * over the next 100 epochs"), counted here in steps rather than epochs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { FamilyConfig } from '../gans/family.js';

type Schedule = Pick<FamilyConfig, 'steps' | 'decayFrom'>;

/** The step from which the rate decays: `decayFrom`, or half of `steps` when unset. */
export function decayStart(config: Schedule): number {
  return Math.min(config.decayFrom ?? Math.floor(config.steps / 2), config.steps);
}

/**
 * The factor on the base rate at `step` (0-based): 1 before the decay starts,
 * then 1 − (step − start)/(steps − start). Like junyanz's 'linear' policy, no
 * step that runs gets exactly 0: the last one gets 1/(steps − start).
 */
export function learningRateFactor(step: number, config: Schedule): number {
  const start = decayStart(config);
  if (step < start) return 1;
  const span = config.steps - start;
  if (span <= 0) return 1;
  return Math.max(0, 1 - (step - start) / span);
}

/** Learning rate of every optimizer at `step`, from the config's base rates. */
export function learningRatesAt(step: number, config: Pick<FamilyConfig, 'steps' | 'decayFrom' | 'lr'>, optimizerNames: readonly string[]): Record<string, number> {
  const factor = learningRateFactor(step, config);
  const rates: Record<string, number> = {};
  for (const name of optimizerNames) {
    const base = config.lr[name];
    if (base === undefined) throw new Error(`The settings have no learning rate for optimizer '${name}' (lr.${name})`);
    rates[name] = base * factor;
  }
  return rates;
}

/**
 * Sets an optimizer's rate for its next update. tfjs's Adam, SGD, RMSProp…
 * keep the rate in a plain `learningRate` field and read it on every
 * applyGradients call, so assigning it takes effect at once.
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const holder = optimizer as unknown as { learningRate?: unknown };
  if (typeof holder.learningRate !== 'number') {
    throw new Error(`The ${optimizer.getClassName()} optimizer has no adjustable learning rate`);
  }
  holder.learningRate = rate;
}
