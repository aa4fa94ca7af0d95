/**
 * An independent judge of style for multi-domain (StarGAN-style) models: a
 * small CNN we train on the real training images of the domains, and then
 * ask which domain each translation looks like. Not the model's own
 * discriminator and sharing none of its weights, so a generator cannot
 * score well by fooling the network it trained against. StarGAN's paper
 * measures its RaFD results the same way (Choi et al. 2018, section 5.5: a
 * ResNet-18 expression classifier trained on real images; 2.12% error).
 *
 * Four 3×3 stride-2 convolutions (16, 32, 64, 128 filters) with ReLU, global
 * average pooling and one dense layer to a logit per domain; images are
 * resized to a small side (32 px by default; `ganvas eval` uses the model's
 * size up to 64 px), fast on a CPU.
 * Trained with Adam (lr 1e-3) on seeded, flipped crops of the train split.
 */
import * as tf from '@tensorflow/tfjs';
import type { DomainDataset } from '../data/domains.js';
import { createWeightInit } from '../gans/shared/layers/index.js';

export const CLASSIFIER_SIZE = 32;

export interface DomainClassifierOptions {
  /** Side the images are resized to (default CLASSIFIER_SIZE). */
  size?: number;
  steps?: number;
  batchSize?: number;
  seed?: number;
  onProgress?(step: number, steps: number, loss: number): void;
}

export interface DomainClassifier {
  readonly domains: readonly string[];
  /** Mean cross-entropy of the last 20 training steps. */
  readonly finalLoss: number;
  /** The most likely domain index of each image [n, h, w, 3] in [-1, 1]. */
  classify(images: tf.Tensor4D): Promise<number[]>;
  dispose(): void;
}

function buildNetwork(domains: number, seed: number, size: number): tf.LayersModel {
  const init = createWeightInit(seed, 'domain_classifier');
  const input = tf.input({ shape: [size, size, 3] });
  let x = input as tf.SymbolicTensor;
  [16, 32, 64, 128].forEach((filters, i) => {
    x = tf.layers.conv2d({ name: `conv${i + 1}`, filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init.heNormal() }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ name: 'logits', units: domains, kernelInitializer: init.heNormal() }).apply(x) as tf.SymbolicTensor;
  return tf.model({ name: 'domain_classifier', inputs: input, outputs: logits });
}

function resized(images: tf.Tensor4D, size: number): tf.Tensor4D {
  const [, h, w] = images.shape;
  return h === size && w === size ? images.clone() : tf.image.resizeBilinear(images, [size, size], true);
}

/** Trains a classifier on `data` (the real images of every domain). */
export async function trainDomainClassifier(data: DomainDataset, options: DomainClassifierOptions = {}): Promise<DomainClassifier> {
  const steps = options.steps ?? 400;
  const batchSize = options.batchSize ?? 16;
  const size = options.size ?? CLASSIFIER_SIZE;
  const network = buildNetwork(data.domains.length, options.seed ?? 0, size);
  const optimizer = tf.train.adam(1e-3);
  const recent: number[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      const batch = await data.batchAt(step, batchSize);
      try {
        const loss = optimizer.minimize(() => {
          const logits = network.apply(resized(batch.images, size), { training: true }) as tf.Tensor2D;
          return tf.losses.softmaxCrossEntropy(batch.labels, logits) as tf.Scalar;
        }, true)!;
        const value = (await loss.data())[0]!;
        loss.dispose();
        recent.push(value);
        if (recent.length > 20) recent.shift();
        options.onProgress?.(step + 1, steps, value);
      } finally {
        batch.images.dispose();
        batch.labels.dispose();
      }
    }
  } catch (error) {
    network.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
  return {
    domains: [...data.domains],
    finalLoss: recent.reduce((a, b) => a + b, 0) / Math.max(1, recent.length),
    classify: async (images) => {
      const predicted = tf.tidy(() => tf.argMax(network.apply(resized(images, size), { training: false }) as tf.Tensor2D, -1));
      try {
        return Array.from(await predicted.data());
      } finally {
        predicted.dispose();
      }
    },
    dispose: () => network.dispose(),
  };
}
