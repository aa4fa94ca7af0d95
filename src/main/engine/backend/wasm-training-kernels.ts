// The kernels a GAN training step needs that tfjs-backend-wasm 4.22 lacks or
// runs slowly. Found by running the backward pass of every layer our
// networks use on wasm (conv2d stride 1/2 with same/valid/explicit padding,
// conv2dTranspose, batch/instance norm, (leaky) ReLU, tanh, sigmoid, dropout,
// mirrorPad, concat/slice, tile, resize, pixel shuffle, L1/L2/BCE losses,
// Adam): only Conv2DBackpropFilter is missing there. Conv2DBackpropInput
// exists but is slow. Beyond our layers, a sweep of ~60 ops found three more
// gradients missing on wasm only: UnsortedSegmentSum (tf.gather) and both
// depthwise-conv gradients (depthwiseConv2d, separableConv2d).
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { makeConv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum.js';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise-conv2d-backprop.js';

let trainingKernels: tf.KernelConfig[] | null = null;

function ourKernels(): tf.KernelConfig[] {
  trainingKernels ??= [
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm },
    {
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      // Captured before we replace it: still the fastest for tiny dy.
      kernelFunc: makeConv2DBackpropInputWasm(tf.getKernel('Conv2DBackpropInput', 'wasm')),
    },
    { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm },
    { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInputWasm },
    { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilterWasm },
  ];
  return trainingKernels;
}

/**
 * Registers (or replaces) our wasm kernels. Safe to call repeatedly; returns
 * the kernel names. Works before or after the wasm backend is initialised,
 * but must run after '@tensorflow/tfjs-backend-wasm' has been imported.
 */
export function registerWasmTrainingKernels(): string[] {
  const trainingKernels = ourKernels();
  for (const config of trainingKernels) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return trainingKernels.map((k) => k.kernelName);
}
