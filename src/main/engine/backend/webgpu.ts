// The WebGPU rung of the backend ladder: tfjs-backend-webgpu on Dawn's Node
// binding (the `webgpu` package), so training runs on any GPU Dawn drives
// (Vulkan, Metal, D3D12) and not only on NVIDIA + CUDA.
//
// tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when its
// module is evaluated, and it asks navigator.gpu for an adapter on its own.
// So we load Dawn first, choose the adapter ourselves (a software one such as
// SwiftShader is far too slow for real work and is only taken when asked
// for), and hand that adapter to tfjs through a navigator.gpu of our own.
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { adapterSummary, type GpuAdapter } from '../../../shared/backend.js';
import { ensureRuntimeDir, useSwiftShader } from './vulkan-environment.js';

/** Which adapters the WebGPU backend may take (GANVAS_WEBGPU_ADAPTER). */
export type WebGpuAdapterPolicy = 'hardware' | 'any' | 'swiftshader';
const POLICIES: readonly WebGpuAdapterPolicy[] = ['hardware', 'any', 'swiftshader'];


/** WebGPU cannot start here; the message says why, for the ladder's report. */
export class WebGpuUnavailable extends Error {}

const requireFromHere = createRequire(import.meta.url);

// Minimal shapes of what we use from Dawn, so this file needs no DOM typings.
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
  wgslLanguageFeatures?: unknown;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

let dawn: { gpu: GpuLike } | null = null;
let started: GpuAdapter | null = null;

export function adapterPolicy(env: NodeJS.ProcessEnv = process.env): WebGpuAdapterPolicy {
  const value = env['GANVAS_WEBGPU_ADAPTER'];
  if (value === undefined || value === '') return 'hardware';
  if (!(POLICIES as readonly string[]).includes(value)) {
    throw new WebGpuUnavailable(`GANVAS_WEBGPU_ADAPTER='${value}' is not one of: ${POLICIES.join(', ')}`);
  }
  return value as WebGpuAdapterPolicy;
}

function describeAdapter(adapter: AdapterLike): GpuAdapter {
  const info = adapter.info ?? {};
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  const software = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe/i.test(text);
  return {
    vendor: info.vendor || 'unknown vendor',
    architecture: info.architecture || '',
    device: info.device || '',
    description: info.description || '',
    software,
  };
}

async function loadDawn(): Promise<{ gpu: GpuLike }> {
  if (dawn) return dawn;
  try {
    requireFromHere.resolve('webgpu');
  } catch {
    throw new WebGpuUnavailable('the webgpu package (Dawn) is not installed');
  }
  ensureRuntimeDir();
  const specifier: string = 'webgpu'; // a variable keeps bundlers from inlining a native package
  let module: DawnModule;
  try {
    module = (await import(specifier)) as DawnModule;
  } catch (error) {
    throw new WebGpuUnavailable(`Dawn (the webgpu package) did not load on ${process.platform}-${process.arch}: ${(error as Error).message}`);
  }
  // tfjs-backend-webgpu uses GPUBufferUsage, GPUMapMode, GPUShaderStage… as globals, as in a browser.
  for (const [name, value] of Object.entries(module.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  dawn = { gpu: module.create([]) };
  return dawn;
}

async function chooseAdapter(gpu: GpuLike, policy: WebGpuAdapterPolicy): Promise<{ adapter: AdapterLike; report: GpuAdapter }> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const hint = policy === 'swiftshader' ? '' : ' (GANVAS_WEBGPU_ADAPTER=swiftshader uses the CPU, for testing)';
    throw new WebGpuUnavailable(`Dawn found no WebGPU adapter: no Vulkan, Metal or D3D12 driver it accepts${hint}`);
  }
  const report = describeAdapter(adapter);
  if (policy === 'hardware' && report.software) {
    throw new WebGpuUnavailable(
      `the only WebGPU adapter is ${adapterSummary(report)}, a CPU fallback far slower than wasm for real work; ` +
        'GANVAS_BACKEND=webgpu with GANVAS_WEBGPU_ADAPTER=any uses it anyway',
    );
  }
  if (policy === 'swiftshader' && !/swiftshader/i.test(`${report.architecture} ${report.description}`)) {
    throw new WebGpuUnavailable(`SwiftShader was requested but Dawn offered ${adapterSummary(report)}`);
  }
  return { adapter, report };
}

/** tfjs asks navigator.gpu for its adapter: give it the one we chose, then Dawn's own choice on any later request. */
function installNavigatorGpu(gpu: GpuLike, chosen: AdapterLike): void {
  let first: AdapterLike | null = chosen;
  const ours = {
    requestAdapter: async (options?: Parameters<GpuLike['requestAdapter']>[0]) => {
      const adapter = first;
      first = null;
      return adapter ?? gpu.requestAdapter(options);
    },
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const existing = (globalThis as { navigator?: object }).navigator;
  if (existing) {
    // Node 21+ has a navigator of its own, without gpu.
    Object.defineProperty(existing, 'gpu', { value: ours, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: ours }, configurable: true, writable: true });
  }
}

/**
 * Why a hardware adapter cannot exist here, without loading Dawn, or null
 * when one may. On Linux every GPU driver Dawn can use (Vulkan on Mesa,
 * NVIDIA or AMD) opens a device node, /dev/dri/renderD* or /dev/nvidia*; a
 * machine with neither is CPU-only, and loading Dawn there costs about 0.9 s
 * per process and prints a native warning to stderr for nothing. A
 * VK_ICD_FILENAMES the user set points Vulkan somewhere on purpose: then Dawn
 * is asked. Other platforms are always asked.
 */
export function noHardwareGpuReason(
  platform: NodeJS.Platform = process.platform,
  deviceNodes: () => readonly string[] = linuxGpuDeviceNodes,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  // /dev is looked at only on Linux, and only when the user has not pointed Vulkan anywhere.
  if (platform !== 'linux' || env['VK_ICD_FILENAMES'] || deviceNodes().length > 0) return null;
  return 'no GPU device node (/dev/dri/renderD*, /dev/nvidia*): this machine has no GPU Dawn could use; GANVAS_WEBGPU_ADAPTER=any or swiftshader tries a software adapter';
}

function linuxGpuDeviceNodes(): string[] {
  // Only /dev/dri and the NVIDIA nodes by name: nothing else of /dev is listed or opened.
  let nodes: string[] = [];
  try {
    nodes = readdirSync('/dev/dri').filter((name) => /^renderD\d+$/.test(name)).map((name) => `/dev/dri/${name}`);
  } catch {
    // no /dev/dri: no DRM GPU
  }
  for (let i = 0; i < 8 && nodes.length === 0; i++) if (existsSync(`/dev/nvidia${i}`)) nodes.push(`/dev/nvidia${i}`);
  return nodes;
}

/**
 * Starts tfjs on WebGPU with an adapter GANVAS_WEBGPU_ADAPTER allows
 * (hardware only, unless told otherwise). Throws WebGpuUnavailable with the
 * reason otherwise. Started once per process; later calls reuse it.
 */
export async function startWebGpu(): Promise<GpuAdapter> {
  if (started && tf.findBackend('webgpu')) {
    await tf.setBackend('webgpu');
    return started;
  }
  const policy = adapterPolicy();
  const noHardware = policy === 'hardware' ? noHardwareGpuReason() : null;
  if (noHardware) throw new WebGpuUnavailable(noHardware);
  if (policy === 'swiftshader') {
    try {
      useSwiftShader(dawn !== null);
    } catch (error) {
      throw new WebGpuUnavailable((error as Error).message);
    }
  }
  const { gpu } = await loadDawn();
  const { adapter, report } = await chooseAdapter(gpu, policy);
  installNavigatorGpu(gpu, adapter);
  await import('@tensorflow/tfjs-backend-webgpu');
  let ok: boolean;
  try {
    ok = await tf.setBackend('webgpu');
  } catch (error) {
    // Thrown when the module was evaluated earlier, before navigator.gpu existed.
    throw new WebGpuUnavailable(`tfjs-backend-webgpu did not register: ${(error as Error).message}`);
  }
  if (!ok || tf.getBackend() !== 'webgpu') throw new WebGpuUnavailable(`tfjs could not initialise WebGPU on ${adapterSummary(report)}`);
  await tf.ready();
  started = report;
  return report;
}
