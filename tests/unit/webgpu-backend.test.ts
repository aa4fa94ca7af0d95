/**
 * The WebGPU backend on SwiftShader (Google's Vulkan on the CPU, shipped with
 * Debian's chromium): the same tfjs-backend-webgpu shaders a hardware GPU
 * runs, here without one. Checks the ops our GANs are built of against the
 * cpu backend, a tiny real pix2pix training through the generic trainer, and
 * that the ladder never takes a software adapter on its own.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendReport } from '../../src/main/engine/backend/index.js';
import { swiftShaderIcd, useSwiftShader } from '../../src/main/engine/backend/vulkan-environment.js';
import { noHardwareGpuReason } from '../../src/main/engine/backend/webgpu.js';
import { openPairedDataset, type PairedBatch } from '../../src/main/engine/data/index.js';
import { parseFamilyConfig, type GanModel } from '../../src/main/engine/gans/family.js';
import { pix2pix, type Pix2PixConfig, pix2pixModel } from '../../src/main/engine/gans/pix2pix/model.js';
import { InstanceNorm } from '../../src/main/engine/gans/shared/layers/index.js';
import { discriminatorLoss, l1Loss, sigmoidCrossEntropy } from '../../src/main/engine/gans/shared/losses.js';
import { loadCheckpoint } from '../../src/main/engine/train/checkpoint/index.js';
import { train } from '../../src/main/engine/train/train.js';
import { backendLabel, backendTooltip } from '../../src/renderer/src/lib/train/backend-label.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

// Dawn loads the system's Vulkan loader (Debian: libvulkan1), not the copy inside chromium's folder.
const vulkanLoader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'].some((file) => existsSync(file));
const icd = vulkanLoader ? swiftShaderIcd() : null;
const LONG = 300_000; // the machine may be loaded: SwiftShader shares its CPU

const savedEnv = { backend: process.env['GANVAS_BACKEND'], adapter: process.env['GANVAS_WEBGPU_ADAPTER'] };
let autoReport: BackendReport;
let forcedReport: BackendReport;

/** Deterministic values in [-1, 1), the same on every backend. */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

const tensor = (shape: number[], seed: number, scale = 1) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed).map((v) => v * scale), shape);

/** Runs `build` on a backend and reads its tensors back asynchronously (sync reads stall on webgpu). */
async function on(backend: 'cpu' | 'webgpu', build: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = build();
  const read = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outputs);
  return read;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function expectParity(name: string, build: () => tf.Tensor[], tolerance: number): Promise<number> {
  const cpu = await on('cpu', build);
  const gpu = await on('webgpu', build);
  let worst = 0;
  cpu.forEach((expected, i) => {
    const scale = Math.max(1, ...Array.from(expected, Math.abs));
    const difference = maxDifference(gpu[i]!, expected) / scale;
    worst = Math.max(worst, difference);
    expect(difference, `${name} output ${i}`).toBeLessThan(tolerance);
  });
  return worst;
}

describe.skipIf(!icd)(`WebGPU on SwiftShader${icd ? '' : ' (skipped: no Vulkan loader, or no vk_swiftshader_icd.json in /usr/lib/chromium or GANVAS_SWIFTSHADER_DIR; apt-get install chromium libvulkan1)'}`, () => {
  beforeAll(async () => {
    // Before Dawn loads: let it see SwiftShader as its only Vulkan driver.
    useSwiftShader(false);
    delete process.env['GANVAS_BACKEND'];
    delete process.env['GANVAS_WEBGPU_ADAPTER'];
    autoReport = await initBackend();
    process.env['GANVAS_WEBGPU_ADAPTER'] = 'swiftshader';
    forcedReport = await initBackend({ prefer: 'webgpu' });
  }, LONG);

  afterAll(() => {
    for (const [key, value] of [['GANVAS_BACKEND', savedEnv.backend], ['GANVAS_WEBGPU_ADAPTER', savedEnv.adapter]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('is never picked on its own: auto mode skips the software adapter and says why', () => {
    const webgpu = autoReport.tried.find((t) => t.name === 'webgpu');
    expect(webgpu).toMatchObject({ ok: false, reason: expect.stringMatching(/google swiftshader \(software\).*GANVAS_WEBGPU_ADAPTER=any/) });
    expect(autoReport.active).toBe('wasm');
    expect(autoReport.adapter).toBeUndefined();
  });

  it('runs when forced, and the report names the adapter', () => {
    expect(forcedReport.active).toBe('webgpu');
    expect(forcedReport.tried).toEqual([{ name: 'webgpu', ok: true }]);
    expect(forcedReport.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true });
    expect(backendLabel(forcedReport)).toBe('webgpu · google swiftshader (software)');
    expect(backendTooltip(forcedReport)).toMatch(/GPU adapter: google swiftshader \(software\) — SwiftShader/);
  });

  it('matches the cpu backend on the ops and losses our GANs use, forward and backward', async () => {
    const x = () => tensor([1, 8, 8, 3], 1) as tf.Tensor4D;
    const down = () => tensor([4, 4, 3, 6], 2, 0.3) as tf.Tensor4D; // pix2pix's 4×4 stride-2 convolution
    const up = () => tensor([4, 4, 3, 6], 3, 0.3) as tf.Tensor4D; // its transpose: [h, w, out, in]
    const target = () => tensor([1, 8, 8, 3], 4) as tf.Tensor4D;

    const forward = (input: tf.Tensor4D, wDown: tf.Tensor4D, wUp: tf.Tensor4D, goal: tf.Tensor4D) => {
      const encoded = tf.conv2d(input, wDown, 2, 'same');
      const normed = new InstanceNorm().apply(encoded) as tf.Tensor4D;
      const activated = tf.leakyRelu(normed, 0.2);
      const decoded = tf.conv2dTranspose(activated, wUp, [1, 8, 8, 3], 2, 'same');
      const output = tf.tanh(decoded);
      const losses = {
        l1: l1Loss(output, goal),
        bce: sigmoidCrossEntropy(encoded, 1),
        mse: discriminatorLoss('lsgan', encoded, decoded).real,
      };
      return { encoded, normed, activated, decoded, output, losses };
    };

    const forwardWorst = await expectParity('forward', () => {
      const { encoded, normed, activated, decoded, output, losses } = forward(x(), down(), up(), target());
      return [encoded, normed, activated, decoded, output, losses.l1, losses.bce, losses.mse];
    }, 1e-5);

    const gradientWorst = await expectParity('gradients', () => {
      const goal = target();
      const total = (input: tf.Tensor, wDown: tf.Tensor, wUp: tf.Tensor) => {
        const { losses } = forward(input as tf.Tensor4D, wDown as tf.Tensor4D, wUp as tf.Tensor4D, goal);
        return tf.addN([losses.l1, losses.bce, losses.mse]) as tf.Scalar;
      };
      return tf.grads(total)([x(), down(), up()]);
    }, 1e-4);
    console.log(`webgpu vs cpu, worst relative difference: forward ${forwardWorst.toExponential(2)}, gradients ${gradientWorst.toExponential(2)}`);
    await tf.setBackend('webgpu');
  }, LONG);

  it('trains the smallest pix2pix on real OpenMoji pairs: loss falls, tensors stay flat', async () => {
    await initBackend({ prefer: 'webgpu' });
    const root = await mkdtemp(join(tmpdir(), 'ganvas-webgpu-'));
    try {
      const size = 16;
      const pairs = 8;
      await buildOpenMojiPairs(join(root, 'train'), { count: pairs, size, start: 100 });
      await buildOpenMojiPairs(join(root, 'held-out'), { count: 4, size, start: 100 + pairs });
      const trainingSet = await openPairedDataset(join(root, 'train'), { size, loadSize: size, flip: false, seed: 1 });
      const heldOutSet = await openPairedDataset(join(root, 'held-out'), { size, loadSize: size, flip: false, seed: 1 });
      const trainPairs = await trainingSet.batchAt(0, pairs);
      const heldOut = await heldOutSet.batchAt(0, 4);
      const steps = 6;
      const config = parseFamilyConfig(pix2pix, {
        size, ngf: 4, ndf: 4, steps, decayFrom: steps, lr: { G: 2e-3, D: 2e-3 }, sampleEvery: steps, checkpointEvery: steps, seed: 3,
      });
      const meanL1 = async (model: GanModel<Pix2PixConfig, PairedBatch>, batch: PairedBatch) => {
        const distance = tf.tidy(() => tf.mean(tf.abs(tf.sub(model.translate(batch.a), batch.b))));
        const value = (await distance.data())[0]!;
        distance.dispose();
        return value;
      };
      const untrained = pix2pixModel.build(config);
      const before = { train: await meanL1(untrained, trainPairs), heldOut: await meanL1(untrained, heldOut) };
      untrained.dispose();

      const tensorsBefore = tf.memory().numTensors;
      const tensorsPerStep: number[] = [];
      const stepEnds: number[] = [];
      const started = performance.now();
      const result = await train({
        family: pix2pix,
        config,
        data: {
          batchAt: (step, batchSize) => trainingSet.batchAt(step, batchSize),
          sampleBatch: (rows) => ({ a: heldOut.a.slice(0, rows), b: heldOut.b.slice(0, rows) }),
        },
        outDir: join(root, 'run'),
        onProgress: (progress) => {
          tensorsPerStep.push(tf.memory().numTensors);
          stepEnds.push(progress.elapsedSeconds);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      expect(result.status).toBe('completed');
      expect(result.samples).toHaveLength(1); // the sample grid read back asynchronously
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(tensorsPerStep).toHaveLength(steps);
      expect(new Set(tensorsPerStep.slice(1)).size).toBe(1);

      const trained = (await loadCheckpoint(join(root, 'run'))).model as GanModel<Pix2PixConfig, PairedBatch>;
      const after = { train: await meanL1(trained, trainPairs), heldOut: await meanL1(trained, heldOut) };
      trained.dispose();
      tf.dispose([trainPairs.a, trainPairs.b, heldOut.a, heldOut.b]);
      console.log(
        `webgpu/SwiftShader pix2pix ${size}px ngf 4, ${steps} steps in ${seconds.toFixed(1)} s: ` +
          `train L1 ${before.train.toFixed(4)} → ${after.train.toFixed(4)}, held-out ${before.heldOut.toFixed(4)} → ${after.heldOut.toFixed(4)}, ` +
          `seconds per step ${stepEnds.map((end, i) => (end - (stepEnds[i - 1] ?? 0)).toFixed(1)).join(',')}, numTensors per step ${tensorsPerStep.join(',')}`,
      );
      expect(after.train).toBeLessThan(before.train);
      expect(after.heldOut).toBeLessThan(before.heldOut);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, LONG);
});

describe('WebGPU in auto mode', () => {
  it('on a Linux machine without GPU device nodes, auto mode does not even load Dawn', () => {
    expect(noHardwareGpuReason('linux', () => [], {})).toMatch(/no GPU device node.*GANVAS_WEBGPU_ADAPTER=any/);
    expect(noHardwareGpuReason('linux', () => ['/dev/dri/renderD128'], {})).toBeNull();
    expect(noHardwareGpuReason('linux', () => [], { VK_ICD_FILENAMES: '/etc/vulkan/icd.d/x.json' })).toBeNull();
    expect(noHardwareGpuReason('darwin', () => [], {})).toBeNull();
  });
});
