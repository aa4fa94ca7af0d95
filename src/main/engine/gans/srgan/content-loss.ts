/**
 * SRGAN's content loss: how far the super-resolved image is from the real
 * high-resolution one.
 *
 * The paper's best model compares VGG19 feature maps ("VGG54", Ledig et al.
 * 2017, section 2.2.1, eq. 5: mean squared difference of the feature maps).
 * Pretrained VGG weights cannot be downloaded here, so the default is a pixel
 * loss (L1 or the paper's L2 "MSE" baseline), and any tfjs layers model on
 * disk can serve as the feature network: its output, or the output of one
 * named layer, is compared with the mean squared difference.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { folderModelHandler } from '../../upscale/load-model.js';
import type { FeatureInputRange, PixelLossKind } from './config.js';

export { pixelLossKinds, featureInputRanges, type PixelLossKind, type FeatureInputRange } from './config.js';

export function pixelLoss(kind: PixelLossKind, output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const difference = tf.sub(output, target);
    return tf.mean(kind === 'l1' ? tf.abs(difference) : tf.square(difference)) as tf.Scalar;
  });
}

/** The folder of a tfjs layers model given as the folder or its model.json; throws a message naming the path. */
export function featureModelFolder(location: string): string {
  const folder = path.basename(location) === 'model.json' ? path.dirname(location) : location;
  const json = path.join(folder, 'model.json');
  if (!existsSync(json) || !statSync(json).isFile()) {
    throw new Error(`Feature model ${location}: no model.json there; give the folder of a tfjs layers model (model.json + weights)`);
  }
  return folder;
}

/** A frozen feature network for the perceptual loss. */
export class FeatureNetwork {
  private constructor(
    readonly location: string,
    private readonly extractor: tf.LayersModel,
    private readonly owned: tf.LayersModel,
    private readonly inputRange: FeatureInputRange,
  ) {}

  /**
   * Loads the model in `location` (folder or model.json). `layer` names the
   * layer whose output is compared (e.g. VGG's block5_conv4); unset, the
   * model's own output.
   */
  static async load(location: string, options: { layer?: string; inputRange: FeatureInputRange }): Promise<FeatureNetwork> {
    const folder = featureModelFolder(location);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(folderModelHandler(folder));
    } catch (error) {
      throw new Error(`Feature model ${location} could not be loaded: ${(error as Error).message}`);
    }
    let extractor = model;
    if (options.layer !== undefined) {
      const layer = model.layers.find((candidate) => candidate.name === options.layer);
      if (layer === undefined) {
        model.dispose();
        throw new Error(
          `Feature model ${location} has no layer '${options.layer}'; its layers are: ${model.layers.map((l) => l.name).join(', ')}`,
        );
      }
      // Shares the weights with `model`; only `model` is disposed.
      extractor = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    }
    model.trainable = false;
    return new FeatureNetwork(location, extractor, model, options.inputRange);
  }

  /** Features of images in [-1, 1]. */
  features(images: tf.Tensor4D): tf.Tensor {
    return tf.tidy(() => {
      const scaled =
        this.inputRange === '-1..1'
          ? images
          : this.inputRange === '0..1'
            ? tf.mul(tf.add(images, 1), 0.5)
            : tf.mul(tf.add(images, 1), 127.5);
      return this.extractor.apply(scaled, { training: false }) as tf.Tensor;
    });
  }

  /** Mean squared difference of the features (Ledig et al. 2017, eq. 5). */
  loss(output: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.square(tf.sub(this.features(output), this.features(target)))) as tf.Scalar);
  }

  dispose(): void {
    this.owned.dispose();
  }
}
