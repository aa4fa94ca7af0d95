// UnsortedSegmentSum for the wasm backend: the gradient of tf.gather (e.g. an
// embedding or a per-domain lookup) needs it and wasm has none.
import * as tf from '@tensorflow/tfjs';
import { allocateFloat32, asWasmBackend, heapFloat32, heapInt32 } from './wasm-heap.js';

export function unsortedSegmentSumWasm({ inputs, backend: anyBackend, attrs }: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = asWasmBackend(anyBackend);
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = Number((attrs ?? {})['numSegments']);
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on wasm supports float32 values, got ${x.dtype}.`);
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum on wasm: numSegments must be a non-negative integer, got ${String(numSegments)}.`);
  }
  const ids = heapInt32(backend, segmentIds).slice(); // copy: the allocation below may move the heap
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const out = allocateFloat32(backend, [numSegments, ...innerShape]);
  const { heap, offsets } = heapFloat32(backend, x, out);
  const [xOff, outOff] = offsets as [number, number];
  heap.fill(0, outOff, outOff + numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    // Like TensorFlow: ids outside [0, numSegments) contribute nothing.
    if (segment < 0 || segment >= numSegments) continue;
    const src = xOff + i * inner;
    const dst = outOff + segment * inner;
    for (let k = 0; k < inner; k++) heap[dst + k]! += heap[src + k]!;
  }
  return out;
}
