/**
 * The normalisation layer after each pix2pix convolution.
 *
 * 'instance' (default): per image and channel, with a learned scale and shift.
 * At batch size 1, the paper's setting, this is exactly the paper's batch norm
 * both when training and at test time, because Isola et al. 2017 normalise
 * with "the statistics of the test batch, rather than aggregated statistics
 * of the training batch" (section 3.3) and a batch of one image has only its
 * own statistics. junyanz/pytorch-CycleGAN-and-pix2pix defaults pix2pix to
 * `--norm batch` (pix2pix_model.py, `parser.set_defaults(norm='batch', …)`)
 * and CycleGAN to instance norm without the learned scale and shift.
 *
 * 'batch': tfjs batch norm with PyTorch's defaults (momentum 0.1, i.e. keep
 * 0.9 of the running average; epsilon 1e-5), for batch sizes above 1. It
 * uses the running averages at inference unless `translate` is asked for the
 * paper's test protocol (`noise: true`).
 */
import * as tf from '@tensorflow/tfjs';
import { instanceNorm } from '../layers/index.js';
import type { NormKind } from './norm-kinds.js';

export { normKinds, type NormKind } from './norm-kinds.js';

export function normLayer(kind: NormKind, name: string): tf.layers.Layer {
  return kind === 'instance'
    ? instanceNorm({ name, affine: true, epsilon: 1e-5 })
    : tf.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5 });
}
