/**
 * A pretrained feature network for distribution scores (KID), from the
 * `nsfwjs` npm package (MIT), which ships InceptionV3 (299 px, 2048
 * features) and MobileNetV2 (224 px, 1280 features) weights inside its
 * tarball, so they load offline. Their last layers were fine-tuned on five
 * NSFW classes: the pooled features (the layer before the first dense
 * layer) still describe images well, but scores made with them compare our
 * own models with each other, not with the papers' Inception-based tables.
 *
 * The package stores each model as JS modules (a model.json object and
 * base64 weight shards); we read them as data and build the model with
 * tf.io.fromMemory, without running nsfwjs itself.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';

export const featureNetworks = {
  'inception-v3': { folder: 'inception_v3', shards: 6, title: 'InceptionV3 (nsfwjs)' },
  'mobilenet-v2': { folder: 'mobilenet_v2', shards: 1, title: 'MobileNetV2 (nsfwjs)' },
} as const;
export type FeatureNetworkName = keyof typeof featureNetworks;

export interface FeatureNetwork {
  name: FeatureNetworkName;
  title: string;
  /** Input side the network was trained at; images are resized to it. */
  size: number;
  dims: number;
  /** Pooled features of images [n, h, w, 3] in [-1, 1]: [n, dims]; the caller disposes them. */
  features(images: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

function packageRoot(): string {
  try {
    // The package's exports hide package.json; its main file sits in dist/cjs/.
    return join(dirname(createRequire(import.meta.url).resolve('nsfwjs')), '..', '..');
  } catch {
    throw new Error('The feature network comes from the nsfwjs package, which is not installed: run `npm install nsfwjs` in the GANvas folder.');
  }
}

async function moduleDefault(file: string): Promise<unknown> {
  return ((await import(pathToFileURL(file).href)) as { default: unknown }).default;
}

export async function loadFeatureNetwork(name: FeatureNetworkName): Promise<FeatureNetwork> {
  const spec = featureNetworks[name];
  const dir = join(packageRoot(), 'dist', 'models', spec.folder);
  const json = (await moduleDefault(join(dir, 'model.min.js'))) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const shards: Buffer[] = [];
  for (let i = 1; i <= spec.shards; i++) shards.push(Buffer.from((await moduleDefault(join(dir, `group1-shard${i}of${spec.shards}.min.js`))) as string, 'base64'));
  const bytes = Buffer.concat(shards);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    }),
  );
  const firstDense = model.layers.findIndex((layer) => layer.getClassName() === 'Dense');
  const pooled = model.layers[firstDense - 1];
  if (!pooled) {
    model.dispose();
    throw new Error(`${spec.title} has no pooled feature layer before its classifier`);
  }
  const extractor = tf.model({ inputs: model.inputs, outputs: pooled.output as tf.SymbolicTensor });
  const size = model.inputs[0]!.shape[1] as number;
  const dims = (pooled.outputShape as number[])[1]!;
  return {
    name,
    title: spec.title,
    size,
    dims,
    features(images) {
      return tf.tidy(() => {
        // nsfwjs feeds its networks RGB in [0, 1].
        const resized = tf.image.resizeBilinear(images, [size, size]);
        return extractor.predict(tf.div(tf.add(resized, 1), 2)) as tf.Tensor2D;
      });
    },
    dispose: () => model.dispose(),
  };
}
