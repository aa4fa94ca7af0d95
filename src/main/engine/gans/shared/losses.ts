/**
 * Adversarial losses shared by the GAN families, on raw discriminator scores
 * (logits, no sigmoid in the networks), plus the L1 reconstruction term.
 *
 * - 'vanilla': the cross-entropy objective of Goodfellow et al. 2014, with the
 *   non-saturating generator loss −log D(G(x)) (their section 3), as pix2pix
 *   uses it (Isola et al. 2017, eq. 1 and section 3.3).
 * - 'lsgan': least squares (Mao et al. 2017, "Least Squares Generative
 *   Adversarial Networks"), a-b-c = 0-1-1 coding; CycleGAN trains with it.
 * - 'hinge': (Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018) D minimises
 *   E[max(0, 1 − D(real))] + E[max(0, 1 + D(fake))], G minimises −E[D(fake)].
 *
 * One-sided label smoothing (Salimans et al. 2016, "Improved Techniques for
 * Training GANs", section 3.4) lowers only the real target, e.g. to 0.9; fake
 * targets stay 0 (smoothing those too moves the optimum of D the wrong way).
 * Hinge has no targets, so smoothing does not apply to it.
 */
import * as tf from '@tensorflow/tfjs';
import type { GanLossKind } from './loss-kinds.js';

export { ganLossKinds, type GanLossKind } from './loss-kinds.js';

export interface DiscriminatorLossOptions {
  /** Subtracted from the real target (0.1 → real label 0.9). Default 0. */
  labelSmoothing?: number;
}

/** The two halves of D's objective, kept apart so both can be shown. */
export interface DiscriminatorLoss {
  real: tf.Scalar;
  fake: tf.Scalar;
}

/**
 * Numerically stable mean binary cross-entropy of `logits` against a constant
 * `target`: max(x, 0) − x·z + log(1 + e^−|x|), which never takes exp of a
 * large positive number.
 */
export function sigmoidCrossEntropy(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => {
    const positivePart = tf.relu(logits);
    const softplusOfNegAbs = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
    return tf.mean(tf.add(tf.sub(positivePart, tf.mul(logits, target)), softplusOfNegAbs));
  });
}

function meanSquaredFrom(scores: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(scores, target))));
}

function realTarget(options: DiscriminatorLossOptions): number {
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) throw new Error(`labelSmoothing must be in [0, 1), got ${smoothing}`);
  return 1 - smoothing;
}

/** D's loss on its scores for real pairs and for generated pairs (not yet halved or summed). */
export function discriminatorLoss(
  kind: GanLossKind,
  realScores: tf.Tensor,
  fakeScores: tf.Tensor,
  options: DiscriminatorLossOptions = {},
): DiscriminatorLoss {
  switch (kind) {
    case 'vanilla': {
      const target = realTarget(options);
      return { real: sigmoidCrossEntropy(realScores, target), fake: sigmoidCrossEntropy(fakeScores, 0) };
    }
    case 'lsgan': {
      const target = realTarget(options);
      return { real: meanSquaredFrom(realScores, target), fake: meanSquaredFrom(fakeScores, 0) };
    }
    case 'hinge':
      return {
        real: tf.tidy(() => tf.mean(tf.relu(tf.sub(1, realScores)))),
        fake: tf.tidy(() => tf.mean(tf.relu(tf.add(1, fakeScores)))),
      };
  }
}

/** G's adversarial loss on D's scores for its outputs; G always aims at the unsmoothed real label. */
export function generatorLoss(kind: GanLossKind, fakeScores: tf.Tensor): tf.Scalar {
  switch (kind) {
    case 'vanilla':
      return sigmoidCrossEntropy(fakeScores, 1);
    case 'lsgan':
      return meanSquaredFrom(fakeScores, 1);
    case 'hinge':
      return tf.tidy(() => tf.neg(tf.mean(fakeScores)) as tf.Scalar);
  }
}

/** Mean absolute difference, the L1 term of pix2pix (Isola et al. 2017, eq. 3). */
export function l1Loss(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(output, target))));
}
