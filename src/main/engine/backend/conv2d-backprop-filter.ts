// Conv2DBackpropFilter for the wasm backend, which has none: without it no
// conv net can train on wasm ("Kernel 'Conv2DBackpropFilter' not registered").
//
// dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh − padTop + kh, ow·sw − padLeft + kw, ci] · dy[b,oh,ow,co]
// which is one matrix product colᵀ · dy once x is unfolded (im2col) into
// colᵀ[k = (kh,kw,ci), m = (b,oh,ow)]. The unfolding is a JavaScript pass over
// the wasm heap; the product is wasm's own (SIMD) BatchMatMul. Unfolding
// straight into the transposed layout measured faster than unfolding
// [m, k] and asking BatchMatMul (or Transpose) to transpose.
import * as tf from '@tensorflow/tfjs';
import { forwardConvGeometry, type ConvGeometry } from './conv-geometry.js';
import { allocateFloat32, asWasmBackend, heapFloat32, release, runWasmKernel, type WasmBackend } from './wasm-heap.js';

/**
 * Bounds the unfolded matrix (default 2^24 floats = 64 MiB) so large images
 * are processed in slices of output rows instead of one huge allocation.
 * Mutable so tests can force slicing at small sizes.
 */
export const unfoldBudget = { maxFloats: 1 << 24 };

/** Writes colT[k, m - mStart] (k = (kh,kw,ci)) for output rows m in [mStart, mEnd). */
function unfoldInputTransposed(g: ConvGeometry, heap: Float32Array, xOffset: number, colOffset: number, mStart: number, mEnd: number): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw, padTop, padLeft } = g;
  const rows = mEnd - mStart;
  // Per m: top-left input position (or -1 for a row outside the image), computed once.
  const mIh = new Int32Array(rows);
  const mIw = new Int32Array(rows);
  const mBase = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const m = mStart + r;
    const ow = m % OW;
    const t = (m - ow) / OW;
    const oh = t % OH;
    const b = (t - oh) / OH;
    mIh[r] = oh * sh - padTop;
    mIw[r] = ow * sw - padLeft;
    mBase[r] = xOffset + b * H * W * C;
  }
  let out = colOffset;
  for (let kh = 0; kh < FH; kh++) {
    for (let kw = 0; kw < FW; kw++) {
      for (let c = 0; c < C; c++) {
        for (let r = 0; r < rows; r++, out++) {
          const ih = mIh[r]! + kh;
          const iw = mIw[r]! + kw;
          heap[out] = ih < 0 || ih >= H || iw < 0 || iw >= W ? 0 : heap[mBase[r]! + (ih * W + iw) * C + c]!;
        }
      }
    }
  }
}

export function conv2DBackpropFilterWasm({ inputs, backend: anyBackend, attrs }: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = asWasmBackend(anyBackend);
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs ?? {};
  const filterShape = a['filterShape'] as number[];
  const g = forwardConvGeometry('Conv2DBackpropFilter', x.shape, filterShape, a);
  if (dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(
      `Conv2DBackpropFilter on wasm: dy shape ${JSON.stringify(dy.shape)} does not match the convolution's output ` +
        `[${g.batch},${g.outHeight},${g.outWidth},${g.outChannels}].`,
    );
  }
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const M = g.batch * g.outHeight * g.outWidth;
  const CO = g.outChannels;
  const rowsPerSlice = Math.max(1, Math.min(M, Math.floor(unfoldBudget.maxFloats / K)));

  let sum: tf.TensorInfo | null = null;
  for (let mStart = 0; mStart < M; mStart += rowsPerSlice) {
    const mEnd = Math.min(M, mStart + rowsPerSlice);
    const rows = mEnd - mStart;
    const part = filterGradientOfRows(backend, g, x, dy, mStart, rows, K, CO, M);
    if (sum === null) {
      sum = part;
    } else {
      const next = runWasmKernel('Add', backend, { a: sum, b: part });
      release(backend, sum, part);
      sum = next;
    }
  }
  if (sum === null) throw new Error('Conv2DBackpropFilter on wasm: empty input.');
  return { dataId: sum.dataId, shape: filterShape.slice(), dtype: 'float32' };
}

function filterGradientOfRows(
  backend: WasmBackend,
  g: ConvGeometry,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  mStart: number,
  rows: number,
  K: number,
  CO: number,
  M: number,
): tf.TensorInfo {
  const colT = allocateFloat32(backend, [1, K, rows]);
  let dyRows: tf.TensorInfo;
  let ownsDyRows = false;
  if (rows === M) {
    // Same buffer, matrix view: BatchMatMul reshapes (incRef/decRef) on its own.
    dyRows = { dataId: dy.dataId, shape: [1, M, CO], dtype: 'float32' };
  } else {
    dyRows = allocateFloat32(backend, [1, rows, CO]);
    ownsDyRows = true;
  }
  const { heap, offsets } = heapFloat32(backend, x, colT, dy, dyRows);
  const [xOff, colOff, dyOff, dyRowsOff] = offsets as [number, number, number, number];
  unfoldInputTransposed(g, heap, xOff, colOff, mStart, mStart + rows);
  if (ownsDyRows) heap.copyWithin(dyRowsOff, dyOff + mStart * CO, dyOff + (mStart + rows) * CO);
  try {
    // No transposes: wasm's BatchMatMul is many times slower with transposeA/B.
    return runWasmKernel('BatchMatMul', backend, { a: colT, b: dyRows }, { transposeA: false, transposeB: false });
  } finally {
    release(backend, colT);
    if (ownsDyRows) release(backend, dyRows);
  }
}
