/**
 * Dropout whose mask is a function of a seed the caller sets per step.
 *
 * tfjs's own Dropout layer draws from one random stream that cannot be
 * re-seeded, so a resumed run would see different masks than an
 * uninterrupted one. Here a family calls `reseedDropout(model, seedFor(seed,
 * step))` before each training step and every dropout layer derives its mask
 * seed from that and its position in the model.
 */
import * as tf from '@tensorflow/tfjs';
import { seedFor } from '../../../random.js';
import { singleInput, type LayerArgs, type LayerKwargs, type LayerShape } from './layer-types.js';

export interface SeededDropoutArgs extends LayerArgs {
  rate: number;
  /** Seed until the first `reseed` call. */
  seed?: number;
  /**
   * Also drop at inference. pix2pix does this on purpose: dropout is its only
   * source of noise at test time (Isola et al. 2017, section 2.2).
   */
  atInference?: boolean;
}

export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'GanvasSeededDropout';
  readonly rate: number;
  readonly atInference: boolean;
  private readonly initialSeed: number;
  private currentSeed: number;

  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) throw new Error(`SeededDropout rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
    this.atInference = args.atInference ?? false;
    this.initialSeed = args.seed ?? 0;
    this.currentSeed = this.initialSeed;
  }

  /** Sets the seed of the next masks; the same seed gives the same masks. */
  reseed(seed: number): void {
    this.currentSeed = seed >>> 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: LayerKwargs): tf.Tensor {
    const x = singleInput(inputs, 'SeededDropout');
    const active = kwargs?.['training'] === true || this.atInference;
    if (!active || this.rate === 0) return tf.clone(x);
    return tf.dropout(x, this.rate, undefined, this.currentSeed);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.initialSeed, atInference: this.atInference };
  }
}

tf.serialization.registerClass(SeededDropout);

/**
 * Re-seeds every SeededDropout layer in a model (nested models included),
 * each from `seed` and its position, so layers get different masks.
 * Returns how many layers were re-seeded.
 */
export function reseedDropout(model: tf.LayersModel, seed: number): number {
  let position = 0;
  const visit = (layers: readonly tf.layers.Layer[]): void => {
    for (const layer of layers) {
      if (layer instanceof SeededDropout) layer.reseed(seedFor(seed, 'dropout', position++));
      else if (layer instanceof tf.LayersModel) visit(layer.layers);
    }
  };
  visit(model.layers);
  return position;
}
