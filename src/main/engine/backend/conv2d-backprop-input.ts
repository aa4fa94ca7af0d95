// A faster Conv2DBackpropInput for the wasm backend. It is both the input
// gradient of every conv2d and the forward pass of conv2dTranspose; wasm's
// own version is a plain scalar loop, 8–20× slower than its forward Conv2D.
//
// The transposed convolution is split by output phase (the "sub-pixel"
// decomposition): for stride s, output row ih with ih + padTop = s·a + ρ only
// meets filter taps kh ≡ ρ (mod s), so
//   dx[ih] = Σ_j dy[a − j] · W[ρ + s·j],
// a stride-1 correlation of dy with the flipped sub-kernel W[ρ + s·j]. All
// s_h·s_w phases are stacked as output channels of ONE stride-1 wasm Conv2D
// (XNNPACK), then a JavaScript pass interleaves the phases back into space
// (what DepthToSpace does) and crops the padding. For stride 1 and the usual
// "same" padding that pass disappears: dx is the convolution's output.
import * as tf from '@tensorflow/tfjs';
import { forwardConvGeometry, type ConvGeometry } from './conv-geometry.js';
import { allocateFloat32, asWasmBackend, heapFloat32, release, runWasmKernel, type WasmBackend } from './wasm-heap.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * Below this many dy positions (batch·outHeight·outWidth) wasm's own loop is
 * faster: the stride-1 convolution must re-arrange the filter and XNNPACK
 * packs it on every call, which costs ~20 ns per filter weight, while the
 * plain loop costs ~0.7 ns per multiply-add. Measured break-even ≈ 25 on the
 * 4×4 stride-2 layers of a 64 px U-Net (M = 4: 6 ms vs 52 ms; M = 64: 11 ms vs 5 ms).
 */
const MIN_POSITIONS_FOR_PHASE_CONV = 32;

interface AxisPlan {
  /** taps per phase: ceil(filter / stride) */
  taps: number;
  padBefore: number;
  padAfter: number;
  /** rows (or columns) the stride-1 convolution produces */
  length: number;
  /** phase-interleaved position of input row 0 */
  cropStart: number;
}

/**
 * For one spatial axis: in = input size of the forward conv (= dx size),
 * out = its output size (= dy size).
 */
function planAxis(filter: number, stride: number, padBefore: number, inSize: number, outSize: number): AxisPlan {
  const taps = Math.ceil(filter / stride);
  // First phase block we need; not more than taps − 1 so the padding stays ≥ 0.
  const firstBlock = Math.min(Math.floor(padBefore / stride), taps - 1);
  const blocksNeeded = Math.ceil((inSize + padBefore) / stride) - firstBlock;
  const convPadBefore = taps - 1 - firstBlock;
  const producedWithoutPadAfter = outSize + convPadBefore - taps + 1;
  const convPadAfter = Math.max(0, blocksNeeded - producedWithoutPadAfter);
  return {
    taps,
    padBefore: convPadBefore,
    padAfter: convPadAfter,
    length: producedWithoutPadAfter + convPadAfter,
    cropStart: padBefore - stride * firstBlock,
  };
}

/** Filter of the stride-1 conv: [tapsH, tapsW, outChannels, sh·sw·inChannels], flipped. */
function writePhaseFilter(
  g: ConvGeometry,
  rows: AxisPlan,
  cols: AxisPlan,
  heap: Float32Array,
  wOffset: number,
  outOffset: number,
): void {
  const { filterHeight: FH, filterWidth: FW, inChannels: CI, outChannels: CO, strideHeight: sh, strideWidth: sw } = g;
  // Written in destination order (sequential stores, strided loads): much
  // faster than scattering for the large filters of deep layers.
  let d = outOffset;
  for (let i = 0; i < rows.taps; i++) {
    for (let j = 0; j < cols.taps; j++) {
      for (let co = 0; co < CO; co++) {
        for (let rh = 0; rh < sh; rh++) {
          const kh = rh + sh * (rows.taps - 1 - i);
          for (let rw = 0; rw < sw; rw++) {
            const kw = rw + sw * (cols.taps - 1 - j);
            if (kh >= FH || kw >= FW) {
              heap.fill(0, d, d + CI);
              d += CI;
              continue;
            }
            // W[kh, kw, ci, co] → Wc[i, j, co, (rh·sw + rw)·CI + ci]
            let s = wOffset + (kh * FW + kw) * CI * CO + co;
            for (let ci = 0; ci < CI; ci++, s += CO) heap[d++] = heap[s]!;
          }
        }
      }
    }
  }
}

/**
 * Our Conv2DBackpropInput, keeping wasm's own kernel (if given) for the
 * small-dy case where it is faster. The replaced kernel's setup (binding its
 * C function) never ran if we registered before the backend started, so it
 * is run here once per backend instance.
 */
export function makeConv2DBackpropInputWasm(wasmOwn: tf.KernelConfig | undefined): tf.KernelFunc {
  const setUp = new WeakSet<object>();
  return (args: KernelArgs) => {
    const backend = asWasmBackend(args.backend);
    const dy = args.inputs['dy'] as tf.TensorInfo;
    const positions = dy.shape.slice(0, 3).reduce((a, b) => a * b, 1);
    if (wasmOwn && positions < MIN_POSITIONS_FOR_PHASE_CONV) {
      const format = args.attrs?.['dataFormat'] ?? 'NHWC';
      if (format !== 'NHWC') throw new Error(`Conv2DBackpropInput on wasm supports only the NHWC (channels-last) layout; got dataFormat '${String(format)}'.`);
      if (!setUp.has(backend)) {
        wasmOwn.setupFunc?.(backend);
        setUp.add(backend);
      }
      return wasmOwn.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
    }
    return conv2DBackpropInputWasm(args);
  };
}

export function conv2DBackpropInputWasm({ inputs, backend: anyBackend, attrs }: KernelArgs): tf.TensorInfo {
  const backend = asWasmBackend(anyBackend);
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs ?? {};
  const inputShape = a['inputShape'] as number[];
  const g = forwardConvGeometry('Conv2DBackpropInput', inputShape, filter.shape, a);
  if (dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(
      `Conv2DBackpropInput on wasm: dy shape ${JSON.stringify(dy.shape)} does not match the convolution's output ` +
        `[${g.batch},${g.outHeight},${g.outWidth},${g.outChannels}].`,
    );
  }
  const rows = planAxis(g.filterHeight, g.strideHeight, g.padTop, g.inHeight, g.outHeight);
  const cols = planAxis(g.filterWidth, g.strideWidth, g.padLeft, g.inWidth, g.outWidth);
  const phases = g.strideHeight * g.strideWidth;
  const phaseChannels = phases * g.inChannels;

  const phaseFilter = allocateFloat32(backend, [rows.taps, cols.taps, g.outChannels, phaseChannels]);
  {
    const { heap, offsets } = heapFloat32(backend, filter, phaseFilter);
    writePhaseFilter(g, rows, cols, heap, offsets[0]!, offsets[1]!);
  }
  let phaseOutput: tf.TensorInfo;
  try {
    phaseOutput = runWasmKernel('Conv2D', backend, { x: dy, filter: phaseFilter }, {
      strides: 1,
      pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
      dilations: 1,
      dataFormat: 'NHWC',
    });
  } finally {
    release(backend, phaseFilter);
  }

  const exact = phases === 1 && rows.cropStart === 0 && cols.cropStart === 0 &&
    rows.length === g.inHeight && cols.length === g.inWidth;
  if (exact) return { dataId: phaseOutput.dataId, shape: inputShape.slice(), dtype: 'float32' };

  const dx = allocateFloat32(backend, inputShape.slice());
  try {
    const { heap, offsets } = heapFloat32(backend, phaseOutput, dx);
    interleavePhases(g, rows, cols, heap, offsets[0]!, offsets[1]!);
  } finally {
    release(backend, phaseOutput);
  }
  return dx;
}

/** dx[b, ih, iw, :] = phaseOutput[b, r, c, (ρh·sw + ρw)·CI : +CI] with ih + cropH = sh·r + ρh. */
function interleavePhases(g: ConvGeometry, rows: AxisPlan, cols: AxisPlan, heap: Float32Array, srcOffset: number, dxOffset: number): void {
  const { batch: B, inHeight: H, inWidth: W, inChannels: CI, strideHeight: sh, strideWidth: sw } = g;
  const phaseChannels = sh * sw * CI;
  const srcRowLength = cols.length * phaseChannels;
  // Per output column: where its channels start inside a source row.
  const colSource = new Int32Array(W);
  for (let iw = 0; iw < W; iw++) {
    const t = iw + cols.cropStart;
    colSource[iw] = Math.floor(t / sw) * phaseChannels + (t % sw) * CI;
  }
  let out = dxOffset;
  for (let b = 0; b < B; b++) {
    for (let ih = 0; ih < H; ih++) {
      const t = ih + rows.cropStart;
      const rowBase = srcOffset + (b * rows.length + Math.floor(t / sh)) * srcRowLength + (t % sh) * sw * CI;
      for (let iw = 0; iw < W; iw++) {
        const src = rowBase + colSource[iw]!;
        if (CI >= 16) {
          heap.copyWithin(out, src, src + CI);
        } else {
          for (let c = 0; c < CI; c++) heap[out + c] = heap[src + c]!;
        }
        out += CI;
      }
    }
  }
}
