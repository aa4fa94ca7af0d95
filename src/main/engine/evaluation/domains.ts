/**
 * How well a multi-domain (StarGAN-style) model moves held-out images into
 * each of its domains, on a dataset whose held-out split has one folder per
 * domain with the same names in each (as `ganvas dataset emoji-domains`
 * writes), so every translation has a true counterpart. Per target domain:
 *
 * - target-domain accuracy: the share of translations into it that an
 *   independent classifier (domain-classifier.ts, trained by us on real
 *   images) assigns to it;
 * - L1, PSNR and SSIM against the true counterpart in the target style, on
 *   RGB in [0, 1], beside the identity mapping (the input as it is);
 * - KID (kid.ts) between the translations and the real held-out images of
 *   the target style, on the same feature network as CycleGAN's scores,
 *   beside the identity's.
 * Every held-out image of every other domain is translated into the target.
 */
import { featureSet, mean, unit } from './unpaired.js';
import { basename, extname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { InferenceModel } from '../gans/family.js';
import { imageToTensor } from '../image/index.js';
import { listImages } from '../data/image-files.js';
import { loadSquare } from '../data/training-crop.js';
import { resolveSplit } from '../data/splits.js';
import { subfolders } from '../data/image-files.js';
import { DatasetError } from '../data/dataset-error.js';
import { scoreRgb, type RgbImage01 } from '../train/paired-evaluation.js';
import type { DomainClassifier } from './domain-classifier.js';
import type { FeatureNetwork } from './feature-network.js';
import { kernelInceptionDistance, type FeatureSet, type KidScore } from './kid.js';
import type { CounterpartScores } from './unpaired.js';

export interface TargetScores {
  /** Translations into this domain the classifier assigns to it; null without a classifier. */
  accuracy: number | null;
  counterpart: CounterpartScores | null;
  kid: KidScore | null;
}

export interface DomainTargetResult {
  domain: string;
  /** Translations into it (held-out images of every other domain). */
  translations: number;
  /** Of them, with a counterpart of the same name in the target folder. */
  matched: number;
  model: TargetScores;
  identity: TargetScores;
}

export interface DomainEvaluation {
  split: string | null;
  domains: string[];
  /** Held-out images per domain. */
  images: Record<string, number>;
  features: string | null;
  /** The classifier's accuracy on the real held-out images (how far its judgement can be trusted). */
  classifierAccuracyOnReal: number | null;
  targets: DomainTargetResult[];
}

export interface DomainEvaluationOptions {
  /** Side the images are loaded at (the model's training size). */
  size: number;
  /** The model's domains, in its label order; each must be a folder of the held-out split. */
  domains: readonly string[];
  /** Translate options that ask the model for one domain. */
  optionsFor(domain: string): Record<string, unknown>;
  split?: string;
  classifier?: DomainClassifier | null;
  features?: FeatureNetwork | null;
  /** At most this many images per domain. */
  limit?: number;
  onProgress?(done: number, total: number): void;
}

interface HeldOutImage {
  name: string;
  tensor: tf.Tensor4D;
}

const stem = (file: string) => basename(file, extname(file));


async function accuracyOf(classifier: DomainClassifier, images: readonly tf.Tensor4D[], expected: number): Promise<number> {
  let right = 0;
  for (let start = 0; start < images.length; start += 16) {
    const batch = tf.concat(images.slice(start, start + 16), 0) as tf.Tensor4D;
    try {
      right += (await classifier.classify(batch)).filter((index) => index === expected).length;
    } finally {
      batch.dispose();
    }
  }
  return images.length === 0 ? 0 : right / images.length;
}

export async function evaluateDomains(model: InferenceModel, dataDir: string, options: DomainEvaluationOptions): Promise<DomainEvaluation> {
  const { folder, split } = await resolveSplit(dataDir, options.split ?? 'test');
  const present = await subfolders(folder);
  const missing = options.domains.filter((domain) => !present.includes(domain));
  if (missing.length > 0) {
    throw new DatasetError(`${folder} has no folder for the model's domain${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${present.join(', ') || 'none'})`, dataDir);
  }
  if (options.classifier && options.classifier.domains.join('\u0000') !== options.domains.join('\u0000')) {
    throw new Error(`the classifier knows the domains ${options.classifier.domains.join(', ')}, the model ${options.domains.join(', ')}`);
  }
  const limit = options.limit ?? Infinity;
  const held = new Map<string, HeldOutImage[]>();
  const made: tf.Tensor[] = [];
  try {
    for (const domain of options.domains) {
      const { files } = await listImages(join(folder, domain));
      const images: HeldOutImage[] = [];
      for (const file of [...files].sort().slice(0, limit)) {
        const raw = await loadSquare(file, `${domain}/${basename(file)}`, options.size);
        images.push({ name: stem(file), tensor: tf.tidy(() => imageToTensor(raw).expandDims(0) as tf.Tensor4D) });
      }
      held.set(domain, images);
    }
    const total = options.domains.reduce((sum, target) => sum + options.domains.filter((d) => d !== target).reduce((n, d) => n + held.get(d)!.length, 0), 0);
    let done = 0;
    const realFeatures = new Map<string, FeatureSet>();
    const featuresOf = (domain: string) => {
      if (!options.features) return null;
      let set = realFeatures.get(domain);
      if (!set) realFeatures.set(domain, (set = featureSet(options.features, held.get(domain)!.map((image) => image.tensor))));
      return set;
    };
    let realRight = 0;
    let realCount = 0;
    if (options.classifier) {
      for (const [index, domain] of options.domains.entries()) {
        const images = held.get(domain)!.map((image) => image.tensor);
        realRight += (await accuracyOf(options.classifier, images, index)) * images.length;
        realCount += images.length;
      }
    }

    const targets: DomainTargetResult[] = [];
    for (const [targetIndex, target] of options.domains.entries()) {
      const truthByName = new Map(held.get(target)!.map((image) => [image.name, image.tensor]));
      const inputs = options.domains.filter((d) => d !== target).flatMap((d) => held.get(d)!);
      const outputs: tf.Tensor4D[] = [];
      const modelScores: CounterpartScores[] = [];
      const identityScores: CounterpartScores[] = [];
      const translateOptions = options.optionsFor(target);
      for (const input of inputs) {
        const output = model.translate(input.tensor, translateOptions);
        made.push(output);
        outputs.push(output);
        const truth = truthByName.get(input.name);
        if (truth) {
          const truthUnit = unit(truth);
          modelScores.push(scoreRgb(unit(output), truthUnit));
          identityScores.push(scoreRgb(unit(input.tensor), truthUnit));
        }
        options.onProgress?.(++done, total);
      }
      const inputTensors = inputs.map((image) => image.tensor);
      const real = featuresOf(target);
      const kid = (images: tf.Tensor4D[]) => (options.features && real ? kernelInceptionDistance(featureSet(options.features, images), real) : null);
      targets.push({
        domain: target,
        translations: inputs.length,
        matched: modelScores.length,
        model: {
          accuracy: options.classifier ? await accuracyOf(options.classifier, outputs, targetIndex) : null,
          counterpart: mean(modelScores),
          kid: kid(outputs),
        },
        identity: {
          accuracy: options.classifier ? await accuracyOf(options.classifier, inputTensors, targetIndex) : null,
          counterpart: mean(identityScores),
          kid: kid(inputTensors),
        },
      });
      tf.dispose(outputs);
      made.length = 0;
    }
    return {
      split: split ?? null,
      domains: [...options.domains],
      images: Object.fromEntries(options.domains.map((domain) => [domain, held.get(domain)!.length])),
      features: options.features?.title ?? null,
      classifierAccuracyOnReal: options.classifier && realCount > 0 ? realRight / realCount : null,
      targets,
    };
  } finally {
    tf.dispose(made);
    for (const images of held.values()) tf.dispose(images.map((image) => image.tensor));
  }
}
