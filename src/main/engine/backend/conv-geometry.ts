// Shape/padding arithmetic shared by the convolution gradient kernels.
import * as tf from '@tensorflow/tfjs';

export type Shape4 = [number, number, number, number];
export type ConvPad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

interface ConvAttrs {
  strides?: unknown;
  pad?: unknown;
  dataFormat?: unknown;
  dimRoundingMode?: unknown;
  dilations?: unknown;
}

function asShape4(shape: unknown, what: string, kernelName: string): Shape4 {
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${kernelName} on wasm: ${what} must be a rank-4 shape, got ${JSON.stringify(shape)}.`);
  }
  return shape as Shape4;
}

/**
 * Geometry of the forward convolution whose gradient a kernel computes.
 * Only what our networks use is supported: NHWC and dilation 1; anything
 * else fails loudly instead of returning a wrong gradient.
 */
export function forwardConvGeometry(
  kernelName: string,
  inputShape: unknown,
  filterShape: unknown,
  attrs: ConvAttrs,
  depthwise = false,
): ConvGeometry {
  const format = attrs.dataFormat ?? 'NHWC';
  if (format !== 'NHWC' && format !== 'channelsLast') {
    throw new Error(`${kernelName} on wasm supports only the NHWC (channels-last) layout; got dataFormat '${String(format)}'.`);
  }
  const dilations = attrs.dilations ?? 1;
  const dilationList = Array.isArray(dilations) ? dilations : [dilations, dilations];
  if (dilationList.some((d) => d !== 1)) {
    throw new Error(`${kernelName} on wasm supports only dilation 1; got dilations ${JSON.stringify(dilations)}.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    asShape4(inputShape, 'input shape', kernelName),
    asShape4(filterShape, 'filter shape', kernelName),
    attrs.strides as number | [number, number],
    1,
    attrs.pad as ConvPad,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
