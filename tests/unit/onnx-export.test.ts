// The ONNX exporter (src/main/engine/onnx/): each of our networks, written as an ONNX graph from
// its own layers and weights and run by onnxruntime-node, gives what tfjs gives on the same input,
// within float tolerance. Networks are built by the engine's builders (or loaded: the bundled
// Doodle model, the ESRGAN packages); batch-norm statistics and PReLU slopes are randomised so
// the parity does not rest on their initial values (mean 0, variance 1, slope 0.25).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { buildUnetGenerator } from '../../src/main/engine/gans/pix2pix/unet.js';
import { buildPatchGanDiscriminator } from '../../src/main/engine/gans/shared/networks/patchgan.js';
import { buildResnetGenerator } from '../../src/main/engine/gans/shared/networks/resnet-generator.js';
import { buildSrresnetGenerator } from '../../src/main/engine/gans/srgan/generator.js';
import { packageRoot } from '../../src/main/engine/install-location.js';
import { createModelCatalogue } from '../../src/main/engine/models/index.js';
import { loadTranslator } from '../../src/main/engine/models/load-translator.js';
import { encodeVarint, ProtoMessage } from '../../src/main/engine/onnx/protobuf-writer.js';
import { exportLayersModel, OnnxExportError } from '../../src/main/engine/onnx/export-layers-model.js';
import { OnnxNetwork, OnnxUnavailable } from '../../src/main/engine/onnx/network.js';
import { loadUpscaleModel } from '../../src/main/engine/upscale/load-model.js';
import { chooseUpscaleModel } from '../../src/main/engine/upscale/model-catalogue.js';
import { mulberry32 } from '../../src/main/engine/data/seeded-random.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const opened: OnnxNetwork[] = [];
afterAll(async () => {
  for (const network of opened) await network.release();
});

function randomInput(shape: [number, number, number, number], low: number, high: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => low + (high - low) * random());
}

/** Replaces batch-norm statistics and PReLU slopes with seeded random values. */
function randomiseStatistics(model: tf.LayersModel, seed: number): void {
  const random = mulberry32(seed);
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind !== 'BatchNormalization' && kind !== 'PReLU') continue;
    // getWeights gives the variables' own tensors: not ours to dispose; setWeights copies the new ones.
    const replacements = layer.getWeights().map((w, i) => {
      const name = layer.weights[i]!.originalName;
      const values = Float32Array.from({ length: w.size }, () => (/variance|gamma/.test(name) ? 0.5 + random() : random() - 0.5));
      return tf.tensor(values, w.shape);
    });
    layer.setWeights(replacements);
    tf.dispose(replacements);
  }
}

/** tfjs and ONNX Runtime on the same NHWC input; returns the largest absolute difference and the output's spread. */
async function compare(model: tf.LayersModel, input: Float32Array, shape: [number, number, number, number]) {
  const network = await OnnxNetwork.fromLayersModel(model, { threads: 1 });
  opened.push(network);
  const expected = tf.tidy(() => model.apply(tf.tensor4d(input, shape), { training: false }) as tf.Tensor);
  const want = (await expected.data()) as Float32Array;
  const wantShape = expected.shape;
  expected.dispose();
  const got = await network.run(input, shape);
  expect(got.shape).toEqual(wantShape);
  let maxDiff = 0;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < want.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got.data[i]!));
    low = Math.min(low, want[i]!);
    high = Math.max(high, want[i]!);
  }
  return { maxDiff, spread: high - low, ops: network.ops };
}

describe('protobuf wire format', () => {
  it('writes varints as the encoding guide does (150 → 96 01, −1 → ten bytes) and fields with their keys', () => {
    expect([...encodeVarint(0)]).toEqual([0]);
    expect([...encodeVarint(150)]).toEqual([0x96, 0x01]);
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
    expect([...encodeVarint(-1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // The guide's own examples: field 1 = 150 is 08 96 01; field 2 = "testing" is 12 07 74 65 73 74 69 6e 67.
    expect([...new ProtoMessage().varint(1, 150).toBytes()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoMessage().string(2, 'testing').toBytes()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    // Packed repeated field 4 = [3, 270, 86942]: 22 06 03 8e 02 9e a7 05.
    expect([...new ProtoMessage().packedVarints(4, [3, 270, 86942]).toBytes()]).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect([...new ProtoMessage().float(2, 1).toBytes()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
  });
});

describe('exported networks match tfjs', () => {
  it('the bundled Doodle model (pix2pix U-Net, instance norm) on a 64 px image', async () => {
    const catalogue = createModelCatalogue({ dataDir: join(tmpdir(), 'ganvas-no-user-data'), bundledDir: join(packageRoot(), 'models') });
    const translator = await loadTranslator(await catalogue.resolve('bundled:pix2pix-openmoji-64'));
    try {
      const G = translator.model.networks['G']!;
      const { maxDiff, spread, ops } = await compare(G, randomInput([1, 64, 64, 3], -1, 1, 1), [1, 64, 64, 3]);
      expect(ops).toEqual(expect.arrayContaining(['Conv', 'ConvTranspose', 'InstanceNormalization', 'LeakyRelu', 'Concat', 'Tanh']));
      expect(spread).toBeGreaterThan(0.5);
      expect(maxDiff).toBeLessThan(1e-4);
    } finally {
      translator.dispose();
    }
  });

  it('a U-Net with batch norm (running statistics) on two images', async () => {
    const G = buildUnetGenerator({ size: 32, inChannels: 3, outChannels: 3, ngf: 8, norm: 'batch', dropout: 0.5, seed: 3 });
    randomiseStatistics(G, 4);
    const { maxDiff, spread, ops } = await compare(G, randomInput([2, 32, 32, 3], -1, 1, 2), [2, 32, 32, 3]);
    G.dispose();
    expect(ops).toContain('BatchNormalization');
    expect(spread).toBeGreaterThan(0.1);
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('the 70×70 PatchGAN discriminator (zero padding, batch norm) on a 6-channel pair', async () => {
    const D = buildPatchGanDiscriminator({ channels: 6, ndf: 8, layers: 3, norm: 'batch', seed: 12 });
    randomiseStatistics(D, 13);
    const { maxDiff, spread, ops } = await compare(D, randomInput([1, 32, 32, 6], -1, 1, 14), [1, 32, 32, 6]);
    D.dispose();
    expect(ops).toEqual(expect.arrayContaining(['Pad', 'BatchNormalization', 'LeakyRelu']));
    expect(spread).toBeGreaterThan(0.01);
    expect(maxDiff / spread).toBeLessThan(1e-4);
  });

  it('a tiny CycleGAN ResNet generator on a non-square image, plain and with the input skip', async () => {
    for (const inputSkip of [false, true]) {
      const G = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 8, blocks: 2, seed: 5, inputSkip });
      const { maxDiff, spread, ops } = await compare(G, randomInput([1, 36, 44, 3], -1, 1, 6), [1, 36, 44, 3]);
      G.dispose();
      expect(ops).toEqual(expect.arrayContaining(['Pad', 'Add', 'InstanceNormalization', 'ConvTranspose']));
      if (inputSkip) expect(ops).toContain('Atanh');
      expect(spread).toBeGreaterThan(0.01);
      expect(maxDiff).toBeLessThan(1e-4);
    }
  });

  it('SRGAN SRResNet ×4 with batch norm and PReLU, and ×3 with no norm over a bicubic image skip', async () => {
    const cases = [
      { scale: 4, norm: 'batch', imageSkip: 'none', op: 'BatchNormalization' },
      { scale: 3, norm: 'none', imageSkip: 'bicubic', op: 'DepthToSpace' },
    ] as const;
    for (const c of cases) {
      const G = buildSrresnetGenerator({ scale: c.scale, channels: 3, filters: 16, blocks: 2, norm: c.norm, imageSkip: c.imageSkip, seed: 7 });
      randomiseStatistics(G, 8);
      const { maxDiff, spread, ops } = await compare(G, randomInput([1, 12, 10, 3], -1, 1, 9), [1, 12, 10, 3]);
      G.dispose();
      expect(ops).toEqual(expect.arrayContaining(['PRelu', 'DepthToSpace', c.op]));
      expect(spread).toBeGreaterThan(0.05);
      expect(maxDiff / spread).toBeLessThan(1e-4);
    }
  });

  it("SRGAN SRResNet ×4 with 'direct' upsampling (one shuffle by 4) over a bicubic image skip", async () => {
    const G = buildSrresnetGenerator({ scale: 4, channels: 3, filters: 16, blocks: 2, norm: 'none', imageSkip: 'bicubic', upsampling: 'direct', seed: 8 });
    // Larger tail weights than the trained-from-scratch start, so the sub-pixel layer's share is visible.
    const tail = G.getLayer('tail');
    const louder = tail.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, i === 0 ? 0.2 : 0.05, 'float32', 11 + i));
    tail.setWeights(louder);
    tf.dispose(louder);
    const { maxDiff, spread, ops } = await compare(G, randomInput([1, 12, 10, 3], -1, 1, 9), [1, 12, 10, 3]);
    G.dispose();
    expect(ops.filter((op) => op === 'DepthToSpace')).toHaveLength(1);
    expect(spread).toBeGreaterThan(0.05);
    expect(maxDiff / spread).toBeLessThan(1e-4);
  });

  it('a bicubic image skip alone is bicubic: the exported graph of an all-zero network returns the tfjs bicubic upscale', async () => {
    const G = buildSrresnetGenerator({ scale: 4, channels: 3, filters: 8, blocks: 1, norm: 'none', imageSkip: 'bicubic', seed: 1 });
    const tail = G.getLayer('tail');
    const zeros = tail.getWeights().map((w) => tf.zerosLike(w));
    tail.setWeights(zeros);
    tf.dispose(zeros);
    const { maxDiff, spread } = await compare(G, randomInput([1, 9, 7, 3], -1, 1, 10), [1, 9, 7, 3]);
    G.dispose();
    expect(spread).toBeGreaterThan(1);
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('nearest upsampling into a convolution, fused into one sub-pixel convolution, still matches (×2, ×3, kernels 1, 3, 5)', async () => {
    for (const [r, k] of [[2, 3], [3, 5], [4, 1]] as const) {
      const input = tf.input({ shape: [null, null, 4] });
      const up = tf.layers.upSampling2d({ name: 'up', size: [r, r] }).apply(input) as tf.SymbolicTensor;
      const conv = tf.layers.conv2d({ name: 'conv', filters: 3, kernelSize: k, padding: 'same', activation: 'relu', biasInitializer: 'randomNormal' }).apply(up) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: conv });
      const { maxDiff, spread, ops } = await compare(model, randomInput([1, 7, 9, 4], -1, 1, 30 + r), [1, 7, 9, 4]);
      model.dispose();
      expect(ops).not.toContain('Resize');
      expect(ops).toContain('DepthToSpace');
      expect(spread).toBeGreaterThan(0.1);
      expect(maxDiff / spread).toBeLessThan(1e-5);
    }
    // An upsampled map used twice is upsampled for real.
    const input = tf.input({ shape: [null, null, 2] });
    const up = tf.layers.upSampling2d({ name: 'up', size: [2, 2] }).apply(input) as tf.SymbolicTensor;
    const a = tf.layers.conv2d({ name: 'a', filters: 2, kernelSize: 3, padding: 'same' }).apply(up) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, up]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: sum });
    const { maxDiff, ops } = await compare(model, randomInput([1, 5, 6, 2], -1, 1, 40), [1, 5, 6, 2]);
    model.dispose();
    expect(ops).toContain('Resize');
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('the pretrained ESRGANs: slim ×4 (nearest upsampling) and thick ×2 (MultiplyBeta, PixelShuffle), 0–255 in and out', async () => {
    for (const id of ['esrgan-slim-x4', 'esrgan-thick-x2']) {
      const loaded = await loadUpscaleModel(chooseUpscaleModel({ model: id }));
      const range = loaded.info.pixelRange[1];
      const { maxDiff, spread, ops } = await compare(loaded.model, randomInput([1, 16, 20, 3], 0, range, 11), [1, 16, 20, 3]);
      // slim's nearest upsampling goes into its last convolution: fused into a sub-pixel one.
      expect(ops).toEqual(expect.arrayContaining(id.includes('slim') ? ['DepthToSpace', 'Concat'] : ['Mul', 'DepthToSpace']));
      expect(spread).toBeGreaterThan(range / 4);
      expect(maxDiff / spread).toBeLessThan(1e-4);
    }
  });
});

describe('what the exporter refuses', () => {
  it('names the layer it cannot write, and OnnxNetwork turns that into OnnxUnavailable', async () => {
    const input = tf.input({ shape: [null, null, 3] });
    const pooled = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: pooled });
    expect(() => exportLayersModel(model)).toThrow(OnnxExportError);
    expect(() => exportLayersModel(model)).toThrow(/layer pool: MaxPooling2D layers are not exported/);
    await expect(OnnxNetwork.fromLayersModel(model)).rejects.toThrow(OnnxUnavailable);
    model.dispose();
  });

  it('leaves no tensors behind: exporting and running a network creates none', async () => {
    const G = buildResnetGenerator({ inChannels: 3, outChannels: 3, ngf: 4, blocks: 1, seed: 1 });
    const before = tf.memory().numTensors;
    const network = await OnnxNetwork.fromLayersModel(G, { threads: 1 });
    await network.run(randomInput([1, 16, 16, 3], -1, 1, 1), [1, 16, 16, 3]);
    await network.release();
    expect(tf.memory().numTensors).toBe(before);
    G.dispose();
  });
});

describe("a family's translateWith", () => {
  it('the template family: the same result with its network on ONNX Runtime, mirrored or not', async () => {
    const { template } = await import('../../src/main/engine/gans/template/index.js');
    const { parseFamilyConfig } = await import('../../src/main/engine/gans/family.js');
    const config = parseFamilyConfig(template, { size: 16, seed: 2 });
    const model = (await template.loadModel()).buildInference(config);
    const sessions = new Map<string, OnnxNetwork>();
    for (const [name, network] of Object.entries(model.networks)) sessions.set(name, await OnnxNetwork.fromLayersModel(network, { threads: 1 }));
    const forward = async (name: string, x: tf.Tensor4D) => {
      const { data, shape } = await sessions.get(name)!.run((await x.data()) as Float32Array, x.shape);
      return tf.tensor4d(data, shape);
    };
    const input = tf.tensor4d(randomInput([1, 16, 16, 3], -1, 1, 21), [1, 16, 16, 3]);
    for (const mirror of [false, true]) {
      const want = model.translate(input, { mirror });
      const got = await model.translateWith!(input, { mirror }, forward)!;
      expect(got.shape).toEqual(want.shape);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(want, got))).dataSync()[0])).toBeLessThan(1e-4);
      tf.dispose([want, got]);
    }
    input.dispose();
    model.dispose();
    for (const s of sessions.values()) await s.release();
  });
});
