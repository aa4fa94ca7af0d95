/**
 * What the bench times: the canonical networks of each family, built by the
 * engine's own builders, at a given image size and batch.
 *
 * A subject prepares its inputs once and then offers a forward pass and a
 * training step (forward + backward + Adam update). For a single network the
 * training loss is the mean square of its output: the cost is the network's,
 * not the loss's. The pix2pix iteration subject runs the family's real
 * `trainStep` (D update, then G update with the GAN and L1 terms), the number
 * PyTorch's reference in ENVIRONMENT.md is for.
 */
import * as tf from '@tensorflow/tfjs';
import { buildUnetGenerator } from '../engine/gans/pix2pix/unet.js';
import { buildPatchGanDiscriminator, patchLayersFor } from '../engine/gans/shared/networks/patchgan.js';
import { buildResnetGenerator } from '../engine/gans/shared/networks/resnet-generator.js';
import { pix2pix } from '../engine/gans/pix2pix/index.js';
import { parseFamilyConfig, type AnyFamily } from '../engine/gans/family.js';
import { forwardFlops } from './flops.js';

export interface PreparedSubject {
  /** Trainable weights (numbers, not tensors). */
  readonly params: number;
  /** FLOPs for the whole batch. */
  readonly flops: { forward: number; trainingStep: number };
  /** Null when the subject has no separate forward pass to time. */
  readonly forward: (() => Promise<void>) | null;
  readonly trainingStep: () => Promise<void>;
  /** The single network a forward pass runs and its NHWC input (ONNX lines export it); absent for composite subjects. */
  readonly network?: { model: tf.LayersModel; input: tf.Tensor4D };
  dispose(): void;
}

export interface BenchSubject {
  id: string;
  title: string;
  /** Where the configuration comes from. */
  source: string;
  /** Null if the subject can be built at this size; else why not. */
  unsupported?(size: number): string | null;
  prepare(size: number, batch: number): Promise<PreparedSubject>;
}

const SEED = 1234;

function countParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}

/** Waits for the backend to finish: reading one number back forces every queued op. */
async function settle(tensor: tf.Tensor): Promise<void> {
  await tensor.data();
}

/** Forward and training step of one LayersModel on random input of the given per-example shape. */
export function prepareNetwork(model: tf.LayersModel, inputShape: [number, number, number], batch: number): PreparedSubject {
  const input = tf.randomUniform([batch, ...inputShape], -1, 1, 'float32', SEED) as tf.Tensor4D;
  const optimizer = tf.train.adam(2e-4, 0.5, 0.999);
  const forwardPerExample = forwardFlops(model, inputShape);
  return {
    params: countParams(model),
    flops: { forward: forwardPerExample * batch, trainingStep: 3 * forwardPerExample * batch },
    network: { model, input },
    async forward() {
      const output = tf.tidy(() => model.apply(input, { training: false }) as tf.Tensor);
      try {
        await settle(output);
      } finally {
        output.dispose();
      }
    },
    async trainingStep() {
      const loss = optimizer.minimize(() => tf.mean(tf.square(model.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar, true);
      try {
        await settle(loss!);
      } finally {
        loss!.dispose();
      }
    },
    dispose() {
      input.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

export function unetGenerator(ngf: number): BenchSubject {
  return {
    id: `pix2pix-unet-G-ngf${ngf}`,
    title: `pix2pix U-Net generator, ngf ${ngf}`,
    source: 'Isola et al. 2017, appendix 6.1.1 (ngf 64 is the paper\'s); src/main/engine/gans/pix2pix/unet.ts',
    async prepare(size, batch) {
      const model = buildUnetGenerator({ size, inChannels: 3, outChannels: 3, ngf, norm: 'instance', dropout: 0.5, seed: SEED });
      return prepareNetwork(model, [size, size, 3], batch);
    },
  };
}

export function patchGanDiscriminator(): BenchSubject {
  return {
    id: 'pix2pix-patchgan-D-ndf64',
    title: '70×70 PatchGAN discriminator, ndf 64, on a 6-channel (input, output) pair',
    source: 'Isola et al. 2017, appendix 6.1.2; src/main/engine/gans/shared/networks/patchgan.ts',
    async prepare(size, batch) {
      const model = buildPatchGanDiscriminator({ channels: 6, ndf: 64, layers: patchLayersFor(size), norm: 'instance', seed: SEED });
      return prepareNetwork(model, [size, size, 6], batch);
    },
  };
}

export function resnetGenerator(): BenchSubject {
  return {
    id: 'cyclegan-resnet9-G-ngf64',
    title: 'CycleGAN ResNet generator, 9 residual blocks, ngf 64',
    source: 'Zhu et al. 2017, appendix 7.2; src/main/engine/gans/networks/resnet-generator.ts',
    async prepare(size, batch) {
      const model = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 64, blocks: 9, seed: SEED });
      return prepareNetwork(model, [size, size, 3], batch);
    },
  };
}

/**
 * One full pix2pix iteration through the family's `trainStep`. FLOPs are
 * estimated as 3·G + 9·D: G runs forward and backward once; D runs forward
 * on the real pair, the fake pair (its own update) and the fake pair again
 * (G's update), each with a backward pass.
 */
export function pix2pixIteration(ngf: number): BenchSubject {
  return {
    id: `pix2pix-iteration-ngf${ngf}`,
    title: `pix2pix full training iteration (D step + G step, U-Net ngf ${ngf}, PatchGAN ndf 64)`,
    source: 'the pix2pix family\'s trainStep (src/main/engine/gans/pix2pix/model.ts); FLOPs ≈ 3·G + 9·D',
    async prepare(size, batch) {
      const config = parseFamilyConfig(pix2pix, { size, ngf, ndf: 64, batchSize: batch, seed: SEED });
      const model = (await pix2pix.loadModel()).build(config);
      const { G, D } = model.networks as { G: tf.LayersModel; D: tf.LayersModel };
      const flops = 3 * forwardFlops(G, [size, size, 3]) + 9 * forwardFlops(D, [size, size, 6]);
      const batchTensors = {
        a: tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', SEED) as tf.Tensor4D,
        b: tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', SEED + 1) as tf.Tensor4D,
      };
      let step = 0;
      return {
        params: countParams(G) + countParams(D),
        flops: { forward: 0, trainingStep: flops * batch },
        forward: null,
        async trainingStep() {
          const losses = await model.trainStep(batchTensors, { step: step++, seed: SEED });
          if (!Object.values(losses).every(Number.isFinite)) throw new Error(`pix2pix losses are not finite: ${JSON.stringify(losses)}`);
        },
        dispose() {
          batchTensors.a.dispose();
          batchTensors.b.dispose();
          model.dispose();
        },
      };
    },
  };
}

/**
 * The generator of a family, built through the family interface (its
 * inference networks alone), with the scale found by running it once on a
 * small input. `size` is the output (high-res) side.
 */
export function familyGenerator(family: AnyFamily, options: { id: string; title: string; source: string }): BenchSubject {
  return {
    ...options,
    async prepare(size, batch) {
      const config = parseFamilyConfig(family, { size, batchSize: batch, seed: SEED });
      const model = (await family.loadModel()).buildInference(config);
      const G = model.networks['G'];
      if (!G) {
        model.dispose();
        throw new Error(`${family.id} has no network named G (has ${Object.keys(model.networks).join(', ')})`);
      }
      const channels = G.inputs[0]!.shape[3] ?? 3;
      const probe = 8;
      const probeSide = tf.tidy(() => (G.apply(tf.zeros([1, probe, probe, channels]), { training: false }) as tf.Tensor).shape[1]!);
      const scale = probeSide / probe;
      const lowRes = Math.round(size / scale);
      return prepareNetwork(G, [lowRes, lowRes, channels], batch);
    },
  };
}

/** SRGAN's SRResNet ×4 generator, found through the family registry like any other family. */
export async function loadSrganGenerator(): Promise<BenchSubject | string> {
  const { families } = await import('../engine/gans/registry.js');
  if (!families.has('srgan')) return 'no SRGAN family is registered';
  return familyGenerator(families.get('srgan'), {
    id: 'srgan-srresnet-G-x4',
    title: 'SRGAN SRResNet generator ×4 (size = high-res output side; input is a quarter of it)',
    source: 'Ledig et al. 2017, figure 4; src/main/engine/gans/srgan/',
  });
}
