/**
 * Seeded weight initialisers, so building a family twice with the same seed
 * gives identical networks.
 *
 * Default N(0, 0.02) is the DCGAN/pix2pix/CycleGAN convention (Radford et al.
 * 2016; `init_type='normal', init_gain=0.02` in junyanz/pytorch-CycleGAN-and-pix2pix).
 */
import * as tf from '@tensorflow/tfjs';
import { seedFor } from '../../../random.js';

/** What `tf.initializers.*` return (the class itself is not exported). */
export type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

export interface WeightInit {
  /** A normal initialiser with a seed of its own; call once per layer, in build order. */
  normal(stddev?: number): Initializer;
  /** He (Kaiming) normal, for ReLU networks such as SRGAN's residual blocks. */
  heNormal(): Initializer;
}

export function createWeightInit(seed: number, network: string): WeightInit {
  let count = 0;
  const nextSeed = () => seedFor(seed, 'init', network, count++);
  return {
    normal: (stddev = 0.02) => tf.initializers.randomNormal({ mean: 0, stddev, seed: nextSeed() }),
    heNormal: () => tf.initializers.heNormal({ seed: nextSeed() }),
  };
}
