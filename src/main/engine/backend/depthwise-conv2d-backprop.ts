// The two gradients of depthwiseConv2d (and so of separableConv2d), which
// wasm lacks. None of our GAN families uses depthwise layers; these keep a
// user-defined network with them trainable. Plain loops over the wasm heap:
// correct, and fast enough for the light layers depthwise convs are.
import * as tf from '@tensorflow/tfjs';
import { forwardConvGeometry } from './conv-geometry.js';
import { allocateFloat32, asWasmBackend, heapFloat32 } from './wasm-heap.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** dx[b,ih,iw,c] = Σ_{oh,ow,kh,kw,q} dy[b,oh,ow,c·mult+q] · W[kh,kw,c,q] */
export function depthwiseBackpropInputWasm({ inputs, backend: anyBackend, attrs }: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(anyBackend);
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const inputShape = (attrs ?? {})['inputShape'] as number[];
  const g = forwardConvGeometry('DepthwiseConv2dNativeBackpropInput', inputShape, filter.shape, attrs ?? {}, true);
  const mult = filter.shape[3]!;
  const { batch: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const dx = allocateFloat32(backend, inputShape.slice());
  const { heap, offsets } = heapFloat32(backend, dy, filter, dx);
  const [dyOff, wOff, dxOff] = offsets as [number, number, number];
  heap.fill(0, dxOff, dxOff + B * H * W * C);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = dyOff + ((b * OH + oh) * OW + ow) * C * mult;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * sh - padTop + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * sw - padLeft + kw;
            if (iw < 0 || iw >= W) continue;
            const dxBase = dxOff + ((b * H + ih) * W + iw) * C;
            const wBase = wOff + (kh * FW + kw) * C * mult;
            for (let c = 0; c < C; c++) {
              let sum = 0;
              for (let q = 0; q < mult; q++) sum += heap[dyBase + c * mult + q]! * heap[wBase + c * mult + q]!;
              heap[dxBase + c]! += sum;
            }
          }
        }
      }
    }
  }
  return dx;
}

/** dW[kh,kw,c,q] = Σ_{b,oh,ow} x[b,ih,iw,c] · dy[b,oh,ow,c·mult+q] */
export function depthwiseBackpropFilterWasm({ inputs, backend: anyBackend, attrs }: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(anyBackend);
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const filterShape = (attrs ?? {})['filterShape'] as number[];
  const g = forwardConvGeometry('DepthwiseConv2dNativeBackpropFilter', x.shape, filterShape, attrs ?? {}, true);
  const mult = filterShape[3]!;
  const { batch: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const dW = allocateFloat32(backend, filterShape.slice());
  const { heap, offsets } = heapFloat32(backend, x, dy, dW);
  const [xOff, dyOff, dwOff] = offsets as [number, number, number];
  heap.fill(0, dwOff, dwOff + FH * FW * C * mult);
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = dyOff + ((b * OH + oh) * OW + ow) * C * mult;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * sh - padTop + kh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * sw - padLeft + kw;
            if (iw < 0 || iw >= W) continue;
            const xBase = xOff + ((b * H + ih) * W + iw) * C;
            const wBase = dwOff + (kh * FW + kw) * C * mult;
            for (let c = 0; c < C; c++) {
              const xv = heap[xBase + c]!;
              for (let q = 0; q < mult; q++) heap[wBase + c * mult + q]! += xv * heap[dyBase + c * mult + q]!;
            }
          }
        }
      }
    }
  }
  return dW;
}
