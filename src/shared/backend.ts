/**
 * The tensor backends and what counts as a GPU, defined once and free of
 * tfjs: the engine's ladder (engine/backend/index.ts), the CLI's --backend
 * check, the Redis worker's announcement and the renderer's status bar and
 * Train presets all read them.
 */
import type { BackendInfo } from './contract.js';

/** Fastest first: the order `initBackend` tries them in. */
export const backendLadder = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof backendLadder)[number];

/** The adapter WebGPU runs on; `software` means a CPU implementation (SwiftShader, lavapipe): correct but slow. */
export type GpuAdapter = NonNullable<BackendInfo['adapter']>;

/** "google swiftshader (software)": the adapter in the user's words. */
export function adapterSummary(adapter: GpuAdapter): string {
  const name = [adapter.vendor, adapter.architecture || adapter.device].filter(Boolean).join(' ');
  return `${name} (${adapter.software ? 'software' : 'hardware'})`;
}

/** tfjs-node-gpu, and WebGPU on a hardware adapter; WebGPU on SwiftShader and every other backend compute on the CPU. */
export function isGpuBackend(active: string | undefined, adapter?: { software: boolean }): boolean {
  if (active === 'tensorflow-gpu') return true;
  return active === 'webgpu' && adapter !== undefined && !adapter.software;
}
