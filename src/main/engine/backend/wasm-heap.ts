// Access to the wasm backend's tensors from inside a kernel.
//
// Our wasm kernels are composed from wasm's own kernels (Conv2D, BatchMatMul,
// Add, ...) plus short JavaScript passes that read and write the wasm heap
// directly. Calling the registered kernel functions (not `tf.*` ops) keeps
// the intermediates out of the engine's bookkeeping: we free them ourselves
// with `release`, so `tf.memory().numTensors` only ever sees the output.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;

// The Emscripten module exposes its heap views, but the published typings omit them.
interface EmscriptenHeap {
  HEAPF32: Float32Array;
  HEAPU8: Uint8Array;
}

function heapOf(backend: WasmBackend): EmscriptenHeap {
  return backend.wasm as unknown as EmscriptenHeap;
}

export function asWasmBackend(backend: unknown): WasmBackend {
  const candidate = backend as Partial<WasmBackend> | null;
  if (!candidate || typeof candidate.makeOutput !== 'function' || !candidate.dataIdMap || !candidate.wasm) {
    throw new Error('GANvas wasm training kernel was called on a backend that is not tfjs-backend-wasm.');
  }
  return candidate as WasmBackend;
}

/** Runs another kernel registered for 'wasm' (wasm's own or one of ours). */
export function runWasmKernel(
  kernelName: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`Kernel '${kernelName}' is not registered for backend 'wasm'.`);
  const result = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(result)) {
    throw new Error(`Kernel '${kernelName}' returned several outputs where one was expected.`);
  }
  return result;
}

/** Allocates an uninitialised float32 tensor on the wasm heap. */
export function allocateFloat32(backend: WasmBackend, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function release(backend: WasmBackend, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * The whole wasm heap as float32 plus the float offset of each tensor.
 * Fetch it only after the last allocation of a pass: any `_malloc` may grow
 * the heap, which detaches previously obtained views.
 */
export function heapFloat32(backend: WasmBackend, ...infos: tf.TensorInfo[]): { heap: Float32Array; offsets: number[] } {
  const heap = heapOf(backend).HEAPF32;
  const offsets = infos.map((info) => {
    const data = backend.dataIdMap.get(info.dataId);
    if (!data) throw new Error('Tensor data is missing from the wasm backend (was it disposed?).');
    if (data.dtype !== 'float32' && data.dtype !== 'int32') {
      throw new Error(`Expected a float32 or int32 tensor, got ${data.dtype}.`);
    }
    // memoryOffset is in bytes and malloc aligns to 8 or more.
    return data.memoryOffset >>> 2;
  });
  return { heap, offsets };
}

export function heapInt32(backend: WasmBackend, info: tf.TensorInfo): Int32Array {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data) throw new Error('Tensor data is missing from the wasm backend (was it disposed?).');
  const size = info.shape.reduce((a, b) => a * b, 1);
  if (data.dtype === 'int32') return new Int32Array(heapOf(backend).HEAPU8.buffer, data.memoryOffset, size);
  if (data.dtype === 'float32') return Int32Array.from(new Float32Array(heapOf(backend).HEAPU8.buffer, data.memoryOffset, size));
  throw new Error(`Expected an integer tensor, got ${data.dtype}.`);
}
