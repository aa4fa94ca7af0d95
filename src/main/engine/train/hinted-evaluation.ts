/**
 * Held-out pairs with colour hints on their sketches, for `ganvas eval
 * --hints`: each sketch gets `count` 3×3 points in its true target's colours
 * (data/colour-hints.ts), drawn with a seed fixed per image, so every model
 * and the flood-fill baseline see the same canvases, and the 5-point canvas
 * holds the 1-point canvas's point.
 */
import * as tf from '@tensorflow/tfjs';
import { evaluationHints, floodHintsBaseline, paintHints } from '../data/colour-hints.js';
import type { FamilyConfig, InferenceModel } from '../gans/family.js';
import { seedFor } from '../random.js';
import type { HeldOutPair } from './paired-evaluation.js';

/** The seed every evaluation hint derives from (per image: seedFor(EVAL_HINT_SEED, 'eval-hints', index)). */
export const EVAL_HINT_SEED = 2017;

/** The sketch of a [1, h, w, 3] pair with `count` hints from its target; the caller owns the result. */
export function hintedSketch(pair: HeldOutPair, index: number, count: number): tf.Tensor4D {
  const [n, height, width, channels] = pair.a.shape;
  if (n !== 1 || channels !== 3) throw new Error(`colour hints need single RGB sketches, got [${pair.a.shape.join(', ')}]`);
  const sketch = pair.a.dataSync() as Float32Array;
  const target = pair.b.dataSync() as Float32Array;
  const hints = evaluationHints(target, width, height, count, seedFor(EVAL_HINT_SEED, 'eval-hints', index));
  return tf.tensor4d(paintHints(sketch, hints), pair.a.shape);
}

/** `total` held-out pairs, each sketch with `count` hints (0: as it is). */
export async function* hintedPairs(total: number, pairAt: (index: number) => Promise<HeldOutPair>, count: number): AsyncGenerator<HeldOutPair> {
  for (let i = 0; i < total; i++) {
    const pair = await pairAt(i);
    if (count === 0) {
      yield pair;
      continue;
    }
    const a = hintedSketch(pair, i, count);
    pair.a.dispose();
    yield { a, b: pair.b };
  }
}

/**
 * The baseline that needs no network, shaped as a model: each region of the
 * drawing that holds hints is flooded with their colour (floodHintsBaseline).
 */
export function floodBaseline(config: FamilyConfig): InferenceModel {
  return {
    config,
    networks: {},
    translate(input: tf.Tensor4D): tf.Tensor4D {
      const [n, height, width, channels] = input.shape;
      if (channels !== 3) throw new Error(`the flood-fill baseline needs RGB canvases, got ${channels} channels`);
      const data = input.dataSync() as Float32Array;
      const each = height * width * 3;
      const out = new Float32Array(data.length);
      for (let i = 0; i < n; i++) out.set(floodHintsBaseline(data.subarray(i * each, (i + 1) * each), width, height), i * each);
      return tf.tensor4d(out, input.shape);
    },
    dispose() {},
  };
}
