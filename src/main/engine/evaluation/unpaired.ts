/**
 * How well an unpaired (CycleGAN-style) model moves held-out images between
 * two styles, both ways, on testA/ and testB/:
 *
 * - against the true counterpart, where one exists (a file of the same name
 *   in the other folder, as the emoji-styles datasets have): L1, PSNR and
 *   SSIM on RGB in [0, 1], as in paired-evaluation.ts;
 * - as a distribution: KID (evaluation/kid.ts) between the translations and
 *   the real images of the target style, on a pretrained feature network.
 *
 * Each is reported beside the identity mapping (the input returned as it
 * is): a model that only changes the style a little must still beat that
 * to have learned anything. The paper's own sets (horse2zebra…) have no
 * counterparts, so only KID applies there.
 */
import { basename, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { InferenceModel } from '../gans/family.js';
import { imageToTensor } from '../image/index.js';
import { listImages } from '../data/image-files.js';
import { loadSquare } from '../data/training-crop.js';
import { scoreRgb, type RgbImage01 } from '../train/paired-evaluation.js';
import type { FeatureNetwork } from './feature-network.js';
import { kernelInceptionDistance, type FeatureSet, type KidScore } from './kid.js';

export type Direction = 'AtoB' | 'BtoA';

export interface CounterpartScores {
  l1: number;
  psnr: number;
  ssim: number;
}

export interface DirectionScores {
  /** Against the true counterpart, over the matched images; null when no name is in both folders. */
  counterpart: CounterpartScores | null;
  /** Translations against the target folder's real images; null without a feature network. */
  kid: KidScore | null;
}

export interface UnpairedEvaluation {
  images: { a: number; b: number };
  /** Images with a counterpart of the same name in the other folder. */
  matched: number;
  features: string | null;
  model: Record<Direction, DirectionScores>;
  identity: Record<Direction, DirectionScores>;
}

export interface UnpairedEvaluationOptions {
  /** Side the images are loaded at (the model's training size). */
  size: number;
  /** For KID; without it only the counterpart scores are computed. */
  features?: FeatureNetwork | null;
  /** At most this many images per folder (counterparts are taken first). */
  limit?: number;
  onProgress?(done: number, total: number): void;
}

interface HeldOutImage {
  name: string;
  tensor: tf.Tensor4D;
}

const stem = (file: string) => basename(file, extname(file));

async function heldOut(folder: string, size: number, order: (names: string[]) => string[], limit: number): Promise<HeldOutImage[]> {
  const { files } = await listImages(folder);
  const byName = new Map(files.map((file) => [stem(file), file]));
  const names = order([...byName.keys()]).slice(0, limit);
  const images: HeldOutImage[] = [];
  for (const name of names) {
    const raw = await loadSquare(byName.get(name)!, name, size);
    images.push({ name, tensor: tf.tidy(() => imageToTensor(raw).expandDims(0) as tf.Tensor4D) });
  }
  return images;
}

/** A [1, h, w, 3] image in [-1, 1] as RGB in [0, 1] (also for evaluation/domains.ts). */
export function unit(image: tf.Tensor4D): RgbImage01 {
  const [, height, width] = image.shape;
  const data = tf.tidy(() => tf.div(tf.add(tf.clipByValue(image, -1, 1), 1), 2).dataSync() as Float32Array);
  return { data, width, height };
}

export function mean(scores: CounterpartScores[]): CounterpartScores | null {
  if (scores.length === 0) return null;
  const sum = (key: keyof CounterpartScores) => scores.reduce((total, score) => total + score[key], 0) / scores.length;
  return { l1: sum('l1'), psnr: sum('psnr'), ssim: sum('ssim') };
}

/** Features of images [1, h, w, 3] in batches of 8, as one row-major set. */
export function featureSet(network: FeatureNetwork, images: readonly tf.Tensor4D[]): FeatureSet {
  const data = new Float32Array(images.length * network.dims);
  for (let start = 0; start < images.length; start += 8) {
    const rows = tf.tidy(() => network.features(tf.concat(images.slice(start, start + 8), 0) as tf.Tensor4D).dataSync() as Float32Array);
    data.set(rows, start * network.dims);
  }
  return { rows: images.length, dims: network.dims, data };
}

export async function evaluateUnpaired(model: InferenceModel, dataDir: string, options: UnpairedEvaluationOptions): Promise<UnpairedEvaluation> {
  const limit = options.limit ?? Infinity;
  const { files: filesB } = await listImages(join(dataDir, 'testB'));
  const namesB = new Set(filesB.map(stem));
  const matchedFirst = (names: string[]) => [...names.filter((n) => namesB.has(n)).sort(), ...names.filter((n) => !namesB.has(n)).sort()];
  const a = await heldOut(join(dataDir, 'testA'), options.size, matchedFirst, limit);
  const namesA = new Set(a.map((image) => image.name));
  const b = await heldOut(join(dataDir, 'testB'), options.size, (names) => [...names.filter((n) => namesA.has(n)).sort(), ...names.filter((n) => !namesA.has(n)).sort()], limit);
  const made: tf.Tensor[] = [];
  try {
    const total = a.length + b.length;
    let done = 0;
    // Features of each held-out folder, computed once: testB is the real target of A → B and the identity's output of B → A.
    const realFeatures = new Map<HeldOutImage[], FeatureSet>();
    const featuresOf = (images: HeldOutImage[]) => {
      let set = realFeatures.get(images);
      if (!set && options.features) realFeatures.set(images, (set = featureSet(options.features, images.map((image) => image.tensor))));
      return set ?? null;
    };
    const directionScores = (direction: Direction) => {
      const [inputs, targets] = direction === 'AtoB' ? [a, b] : [b, a];
      const targetByName = new Map(targets.map((image) => [image.name, image.tensor]));
      const outputs: tf.Tensor4D[] = [];
      const modelScores: CounterpartScores[] = [];
      const identityScores: CounterpartScores[] = [];
      for (const input of inputs) {
        const output = model.translate(input.tensor, { direction });
        made.push(output);
        outputs.push(output);
        const target = targetByName.get(input.name);
        if (target) {
          const truth = unit(target);
          modelScores.push(scoreRgb(unit(output), truth));
          identityScores.push(scoreRgb(unit(input.tensor), truth));
        }
        options.onProgress?.(++done, total);
      }
      const kid = (translated: FeatureSet | null) => {
        const real = featuresOf(targets);
        return translated && real ? kernelInceptionDistance(translated, real) : null;
      };
      return {
        model: { counterpart: mean(modelScores), kid: kid(options.features ? featureSet(options.features, outputs) : null) },
        identity: { counterpart: mean(identityScores), kid: kid(featuresOf(inputs)) },
      };
    };
    const ab = directionScores('AtoB');
    const ba = directionScores('BtoA');
    return {
      images: { a: a.length, b: b.length },
      matched: a.filter((image) => b.some((other) => other.name === image.name)).length,
      features: options.features?.title ?? null,
      model: { AtoB: ab.model, BtoA: ba.model },
      identity: { AtoB: ab.identity, BtoA: ba.identity },
    };
  } finally {
    tf.dispose(made);
    tf.dispose([...a, ...b].map((image) => image.tensor));
  }
}
