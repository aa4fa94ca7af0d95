// Our wasm kernels against tfjs's pure-JS `cpu` backend: same inputs, results
// within float tolerance. Both the kernels alone (runKernel) and the real
// gradient path (tf.grad / variableGrads) are exercised.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, pixelShuffle } from '../../src/main/engine/backend/index.js';
import { unfoldBudget } from '../../src/main/engine/backend/conv2d-backprop-filter.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

/** Deterministic values so both backends see identical inputs. */
function seededValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs `compute` on one backend and returns its outputs as plain arrays. */
async function computeOn(backend: 'cpu' | 'wasm', compute: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(compute);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const arrays = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return arrays;
}

async function wasmAgainstCpu(compute: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const reference = await computeOn('cpu', compute);
  const ours = await computeOn('wasm', compute);
  expect(ours.length).toBe(reference.length);
  reference.forEach((ref, i) => expectClose(ours[i]!, ref));
}

function expectClose(got: Float32Array, ref: Float32Array): void {
  expect(got.length).toBe(ref.length);
  let maxRef = 0;
  let maxError = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
    const error = Math.abs(got[i]! - ref[i]!);
    maxError = Number.isNaN(error) ? Infinity : Math.max(maxError, error);
  }
  expect(maxError).toBeLessThanOrEqual(1e-4 * maxRef + 1e-5);
}

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

// Batch 1 and 3, odd sizes, channels 1..7, strides 1/2 (and mixed), same/valid/explicit.
// Batch·outHeight·outWidth spans both sides of Conv2DBackpropInput's switch
// between wasm's own loop (< 32 positions) and our phase convolution.
const convCases: ConvCase[] = [
  { x: [1, 7, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [3, 9, 11, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' },
  { x: [3, 9, 8, 1], filter: [3, 3, 1, 7], strides: 2, pad: 'same' },
  { x: [1, 5, 5, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'same' },
  { x: [3, 13, 11, 3], filter: [4, 4, 3, 6], strides: 2, pad: 'same' },
  { x: [1, 10, 10, 5], filter: [4, 4, 5, 6], strides: 2, pad: 'valid' },
  { x: [3, 12, 9, 7], filter: [3, 3, 7, 2], strides: 1, pad: 'valid' },
  { x: [1, 11, 9, 7], filter: [4, 4, 7, 2], strides: 2, pad: [[0, 0], [1, 2], [1, 1], [0, 0]] },
  { x: [3, 11, 9, 5], filter: [4, 4, 5, 3], strides: 2, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [3, 7, 5, 4], filter: [7, 7, 4, 2], strides: 1, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
  { x: [1, 8, 8, 2], filter: [3, 3, 2, 2], strides: 1, pad: [[0, 0], [5, 0], [0, 4], [0, 0]] },
  { x: [1, 13, 13, 4], filter: [5, 5, 4, 3], strides: [2, 1], pad: 'same' },
  { x: [3, 8, 8, 6], filter: [1, 1, 6, 3], strides: 1, pad: 'valid' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 2], strides: 3, pad: 'valid' },
];

function describeCase(c: ConvCase): string {
  return `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${JSON.stringify(c.strides)}, pad ${JSON.stringify(c.pad)}`;
}

function outputShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape as Shape4;
}

beforeAll(async () => {
  const report = await initBackend({ prefer: 'wasm' });
  expect(report.active).toBe('wasm');
});

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(convCases)('matches cpu when run as a kernel: %#', async (c) => {
    const dyShape = outputShape(c);
    await wasmAgainstCpu(() => {
      const x = tf.tensor4d(seededValues(sizeOf(c.x), 1), c.x);
      const dy = tf.tensor4d(seededValues(sizeOf(dyShape), 2), dyShape);
      return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter,
      }) as tf.Tensor;
    });
  });

  it.each([
    { x: [3, 9, 11, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' },
    { x: [3, 13, 11, 3], filter: [4, 4, 3, 6], strides: 2, pad: 'same' },
  ] as ConvCase[])('matches cpu when the unfolded input is processed in several slices: %#', async (c) => {
    // Slices of 7 output positions: they end mid-row and mid-image.
    const K = c.filter[0] * c.filter[1] * c.filter[2];
    const saved = unfoldBudget.maxFloats;
    unfoldBudget.maxFloats = 7 * K;
    try {
      await wasmAgainstCpu(() => {
        const x = tf.tensor4d(seededValues(sizeOf(c.x), 3), c.x);
        const dy = tf.tensor4d(seededValues(sizeOf(outputShape(c)), 4), outputShape(c));
        return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter,
        }) as tf.Tensor;
      });
    } finally {
      unfoldBudget.maxFloats = saved;
    }
  });
});

describe('Conv2DBackpropInput on wasm', () => {
  it.each(convCases)('matches cpu when run as a kernel: %#', async (c) => {
    const dyShape = outputShape(c);
    await wasmAgainstCpu(() => {
      const dy = tf.tensor4d(seededValues(sizeOf(dyShape), 5), dyShape);
      const filter = tf.tensor4d(seededValues(sizeOf(c.filter), 6), c.filter);
      return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, {
        strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
      }) as tf.Tensor;
    });
  });
});

describe('gradients of conv2d and conv2dTranspose on wasm', () => {
  it.each(convCases)('tf.grads of conv2d match cpu: %#', async (c) => {
    await wasmAgainstCpu(() => {
      const x = tf.tensor4d(seededValues(sizeOf(c.x), 7), c.x);
      const filter = tf.tensor4d(seededValues(sizeOf(c.filter), 8), c.filter);
      // Squared so dy is not constant and the gradient depends on the forward values.
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).square().sum();
      return tf.grads(loss)([x, filter]);
    });
  });

  const transposeCases: { input: Shape4; filter: Shape4; output: Shape4; pad: 'same' | 'valid' }[] = [
    { input: [1, 4, 4, 6], filter: [4, 4, 3, 6], output: [1, 8, 8, 3], pad: 'same' },
    { input: [3, 5, 7, 5], filter: [4, 4, 2, 5], output: [3, 10, 14, 2], pad: 'same' },
    { input: [3, 6, 5, 4], filter: [3, 3, 7, 4], output: [3, 13, 11, 7], pad: 'valid' },
    { input: [1, 16, 16, 3], filter: [4, 4, 1, 3], output: [1, 32, 32, 1], pad: 'same' },
  ];
  it.each(transposeCases)('conv2dTranspose (stride 2) forward and gradients match cpu: %#', async (c) => {
    await wasmAgainstCpu(() => {
      const x = tf.tensor4d(seededValues(sizeOf(c.input), 9), c.input);
      const filter = tf.tensor4d(seededValues(sizeOf(c.filter), 10), c.filter);
      const up = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.output, 2, c.pad);
      const forward = up(x, filter);
      const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => up(a, b).square().sum())([x, filter]);
      return [forward, dx!, dFilter!];
    });
  });
});

describe('depthwise convolution gradients on wasm', () => {
  const cases: { x: Shape4; filter: Shape4; strides: number; pad: Pad }[] = [
    { x: [1, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
    { x: [3, 9, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'same' },
    { x: [1, 10, 9, 4], filter: [4, 4, 4, 2], strides: 2, pad: 'valid' },
    { x: [3, 8, 7, 5], filter: [3, 3, 5, 1], strides: 1, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  ];
  it.each(cases)('tf.grads of depthwiseConv2d match cpu: %#', async (c) => {
    await wasmAgainstCpu(() => {
      const x = tf.tensor4d(seededValues(sizeOf(c.x), 22), c.x);
      const filter = tf.tensor4d(seededValues(sizeOf(c.filter), 23), c.filter);
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).square().sum();
      return tf.grads(loss)([x, filter]);
    });
  });
});

describe('UnsortedSegmentSum on wasm', () => {
  it('matches cpu as a kernel, ignoring out-of-range ids', async () => {
    await wasmAgainstCpu(() => {
      const x = tf.tensor2d(seededValues(7 * 5, 11), [7, 5]);
      const ids = tf.tensor1d([0, 2, 2, 3, 0, 4, 1], 'int32');
      return tf.engine().runKernel('UnsortedSegmentSum', { x, segmentIds: ids }, { numSegments: 4 }) as tf.Tensor;
    });
  });

  it('gives tf.gather a gradient that matches cpu', async () => {
    await wasmAgainstCpu(() => {
      const table = tf.tensor2d(seededValues(6 * 4, 12), [6, 4]);
      const weights = tf.tensor2d(seededValues(5 * 4, 13), [5, 4]);
      const indices = tf.tensor1d([5, 0, 5, 2, 2], 'int32');
      return tf.grad((t: tf.Tensor) => tf.gather(t, indices).mul(weights).sum())(table);
    });
  });
});

describe('pixelShuffle', () => {
  it('equals depthToSpace on the forward pass', async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      const x = tf.tensor4d(seededValues(3 * 4 * 5 * 12, 14), [3, 4, 5, 12]);
      expectClose(pixelShuffle(x, 2).dataSync() as Float32Array, tf.depthToSpace(x, 2).dataSync() as Float32Array);
      const y = tf.tensor4d(seededValues(2 * 2 * 3 * 18, 15), [2, 2, 3, 18]);
      expect(pixelShuffle(y, 3).shape).toEqual([2, 6, 9, 2]);
      expectClose(pixelShuffle(y, 3).dataSync() as Float32Array, tf.depthToSpace(y, 3).dataSync() as Float32Array);
    });
  });

  it('is differentiable and its gradient matches cpu (the inverse shuffle)', async () => {
    await wasmAgainstCpu(() => {
      const x = tf.tensor4d(seededValues(2 * 3 * 3 * 8, 16), [2, 3, 3, 8]);
      const w = tf.tensor4d(seededValues(2 * 6 * 6 * 2, 17), [2, 6, 6, 2]);
      return tf.grad((v: tf.Tensor) => pixelShuffle(v as tf.Tensor4D, 2).mul(w).sum())(x);
    });
  });

  it('rejects a channel count that is not a multiple of r²', () => {
    const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
    expect(() => pixelShuffle(x, 2)).toThrow(/6 channels.*multiple of 4/);
    x.dispose();
  });
});

describe('unsupported convolutions fail clearly on wasm', () => {
  it('rejects NCHW for both gradient kernels', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 8, 8, 2]);
    const dy = tf.zeros([1, 8, 8, 3]);
    const smallDy = tf.zeros([1, 2, 2, 3]);
    const filter = tf.zeros([3, 3, 2, 3]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3],
    })).toThrow(/Conv2DBackpropFilter.*NHWC/);
    for (const d of [dy, smallDy]) {
      expect(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: d, filter }, {
        strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: [1, 8, 8, 2],
      })).toThrow(/Conv2DBackpropInput.*NHWC/);
    }
    tf.dispose([x, dy, smallDy, filter]);
  });

  it('rejects dilations above 1', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 8, 8, 2]);
    const dy = tf.zeros([1, 8, 8, 3]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3], dilations: 2,
    })).toThrow(/dilation 1/);
    tf.dispose([x, dy]);
  });
});

describe('memory', () => {
  it('keeps tensors and wasm buffers flat across repeated gradient calls', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor4d(seededValues(3 * 13 * 11 * 3, 18), [3, 13, 11, 3]);
    const filter = tf.tensor4d(seededValues(4 * 4 * 3 * 6, 19), [4, 4, 3, 6]);
    const small = tf.tensor4d(seededValues(1 * 3 * 3 * 6, 20), [1, 3, 3, 6]);
    const upFilter = tf.tensor4d(seededValues(4 * 4 * 2 * 6, 21), [4, 4, 2, 6]);
    const step = (): void => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same').square().sum())([x, filter]);
      const up = tf.tidy(() => tf.conv2dTranspose(small, upFilter, [1, 6, 6, 2], 2, 'same'));
      tf.dispose([...grads, up]);
    };
    step();
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    for (let i = 0; i < 4; i++) step();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    // Our intermediates bypass the engine, so check the backend's own count too.
    expect(backend.numDataIds()).toBe(buffersBefore);
    tf.dispose([x, filter, small, upFilter]);
  });
});

describe('a GAN-style training step on wasm', () => {
  // Every layer our generators/discriminators use, in one small network.
  interface Net { c1: tf.Variable; c2: tf.Variable; c3: tf.Variable; up: tf.Variable; sub: tf.Variable; out: tf.Variable; gamma: tf.Variable; beta: tf.Variable }

  function makeNet(): Net {
    const v = (shape: number[], seed: number, scale = 0.3) => tf.variable(tf.tensor(seededValues(sizeOf(shape), seed)).mul(scale).reshape(shape));
    return {
      c1: v([3, 3, 2, 4], 31),
      c2: v([4, 4, 4, 8], 32),
      c3: v([3, 3, 8, 8], 33),
      up: v([4, 4, 4, 8], 34),
      sub: v([3, 3, 8, 8], 35),
      out: v([1, 1, 6, 2], 36),
      gamma: tf.variable(tf.ones([8])),
      beta: tf.variable(tf.zeros([8])),
    };
  }

  function generator(n: Net, x: tf.Tensor4D): tf.Tensor4D {
    const b = x.shape[0];
    const padded = tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect');
    let h = tf.leakyRelu(tf.conv2d(padded, n.c1 as tf.Tensor4D, 1, 'valid'), 0.2); // [b,16,16,4]
    const skip = h;
    h = tf.conv2d(h, n.c2 as tf.Tensor4D, 2, [[0, 0], [1, 2], [1, 2], [0, 0]]); // [b,8,8,8]
    const stats = tf.moments(h, [0, 1, 2]); // batch norm
    h = tf.relu(tf.batchNorm(h, stats.mean, stats.variance, n.beta, n.gamma, 1e-5)) as tf.Tensor4D;
    h = tf.dropout(h, 0.1, undefined, 7) as tf.Tensor4D;
    const inst = tf.moments(tf.conv2d(h, n.c3 as tf.Tensor4D, 1, 'same'), [1, 2], true); // instance norm
    h = tf.conv2d(h, n.c3 as tf.Tensor4D, 1, 'same').sub(inst.mean).div(inst.variance.add(1e-5).sqrt());
    const viaTranspose = tf.relu(tf.conv2dTranspose(h, n.up as tf.Tensor4D, [b, 16, 16, 4], 2, 'same'));
    const viaShuffle = pixelShuffle(tf.conv2d(h, n.sub as tf.Tensor4D, 1, 'same'), 2); // [b,16,16,2]
    const joined = tf.concat([viaTranspose.slice([0, 0, 0, 0], [b, 16, 16, 2]), viaShuffle, skip.slice([0, 0, 0, 2], [b, 16, 16, 2])], 3);
    return tf.tanh(tf.conv2d(joined, n.out as tf.Tensor4D, 1, 'valid'));
  }

  function loss(n: Net, x: tf.Tensor4D, target: tf.Tensor4D): tf.Scalar {
    const y = generator(n, x);
    const l1 = tf.abs(y.sub(target)).mean();
    const l2 = tf.square(y.sub(target)).mean();
    const realness = tf.sigmoid(y.mean([1, 2, 3])).mean(); // stands in for a discriminator's output
    return l1.add(l2).add(realness.mul(0.01)) as tf.Scalar;
  }

  const input = () => tf.tensor4d(seededValues(3 * 16 * 16 * 2, 40), [3, 16, 16, 2]);
  const target = (x: tf.Tensor4D) => tf.tanh(x.reverse(2).mul(1.5)) as tf.Tensor4D;

  it('computes the same gradients on wasm as on cpu', async () => {
    await wasmAgainstCpu(() => {
      const n = makeNet();
      const x = input();
      const { grads } = tf.variableGrads(() => loss(n, x, target(x)), Object.values(n));
      const list = Object.values(n).map((v) => grads[v.name]!);
      tf.dispose(Object.values(n));
      return list;
    });
  });

  it('learns with Adam (loss drops) with tensors and wasm buffers flat across steps', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const n = makeNet();
    const x = input();
    const y = target(x);
    const optimizer = tf.train.adam(0.01);
    const step = (): number => {
      const value = optimizer.minimize(() => loss(n, x, y), true, Object.values(n))!;
      const result = value.dataSync()[0]!;
      value.dispose();
      return result;
    };
    const first = step();
    step();
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    let last = first;
    for (let i = 0; i < 40; i++) last = step();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(buffersBefore);
    expect(last).toBeLessThan(first * 0.6);
    optimizer.dispose();
    tf.dispose([...Object.values(n), x, y]);
  });
});
