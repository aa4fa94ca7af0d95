// Picks the fastest tfjs backend that loads on this machine:
// tfjs-node-gpu (CUDA) → webgpu (Dawn: any hardware GPU) → tfjs-node
// (libtensorflow) → wasm → cpu.
//
// Convention for the whole engine: import `* as tf from '@tensorflow/tfjs'`.
// This module sets the backend on that same instance. The native packages
// are optional (their install downloads libtensorflow, which fails offline),
// so they are only ever loaded with a dynamic import().
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { registerComparisonGradients } from './comparison-gradients.js';
import { registerWasmTrainingKernels } from './wasm-training-kernels.js';
import { backendLadder, type BackendChoice, type GpuAdapter } from '../../../shared/backend.js';
import { startWebGpu, WebGpuUnavailable } from './webgpu.js';
import { MAX_WASM_THREADS, registerThreadedWasm, WasmThreadsUnavailable } from './wasm-threads.js';

export { pixelShuffle } from './pixel-shuffle.js';
export { registerWasmTrainingKernels } from './wasm-training-kernels.js';
export { registerComparisonGradients } from './comparison-gradients.js';

export type { BackendChoice, GpuAdapter } from '../../../shared/backend.js';

export interface BackendReport {
  /** the choice that is running: 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu' */
  active: string;
  tried: { name: string; ok: boolean; reason?: string }[];
  threads: number;
  simd: boolean;
  tfjsVersion: string;
  /** our own kernels registered for the active backend */
  kernelsRegistered: string[];
  /** The GPU adapter, when the active backend is webgpu. */
  adapter?: GpuAdapter;
  /** Why fewer threads run than were asked for (wasm). */
  threadsNote?: string;
}

export interface BackendOptions {
  /** Forces one backend (overrides GANVAS_BACKEND). Fails if it cannot start. */
  prefer?: BackendChoice;
  /** Threads, where the backend can use them (wasm: see wasmThreadsWanted). */
  threads?: number;
}

const LADDER: readonly BackendChoice[] = backendLadder;

const requireFromHere = createRequire(import.meta.url);

interface Started {
  threads: number;
  simd: boolean;
  kernelsRegistered: string[];
  adapter?: GpuAdapter;
  threadsNote?: string;
}

class BackendUnavailable extends Error {}

let current: { forced: BackendChoice | null; report: BackendReport } | null = null;
let pending: Promise<BackendReport> | null = null;

function resolves(pkg: string): boolean {
  try {
    requireFromHere.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

async function activate(tfBackendName: string): Promise<void> {
  const ok = await tf.setBackend(tfBackendName);
  if (!ok || tf.getBackend() !== tfBackendName) {
    throw new BackendUnavailable(`tfjs could not initialise the '${tfBackendName}' backend`);
  }
  await tf.ready();
}

async function startNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', threads: number | undefined): Promise<Started> {
  if (!resolves(pkg)) throw new BackendUnavailable(`${pkg} is not installed`);
  // libtensorflow reads its thread pool size from the environment when it loads.
  if (threads !== undefined) process.env['TF_NUM_INTRAOP_THREADS'] ??= String(threads);
  const specifier: string = pkg; // a variable keeps bundlers from inlining an optional package
  await import(specifier);
  if (!tf.findBackend('tensorflow')) {
    throw new BackendUnavailable(
      `${pkg} loaded but registered no 'tensorflow' backend on our @tensorflow/tfjs ${tf.version.tfjs} ` +
        '(it probably brought its own copy of @tensorflow/tfjs-core; install matching versions)',
    );
  }
  await activate('tensorflow');
  return { threads: threads ?? os.availableParallelism(), simd: false, kernelsRegistered: [] };
}

let wasmPathsSet = false;

async function startWasm(threads: number | undefined): Promise<Started> {
  if (!resolves('@tensorflow/tfjs-backend-wasm')) throw new BackendUnavailable('@tensorflow/tfjs-backend-wasm is not installed');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    // Under Node the .wasm binaries are read from disk next to the package's
    // entry file (dist/); tfjs picks the SIMD build itself when SIMD works.
    const distDir = path.dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
    wasm.setWasmPaths(distDir);
    wasmPathsSet = true;
  }
  // Threads: tfjs's own loader runs one thread under Node; more come from
  // the threaded build started by our loader (wasm-threads.ts). If that
  // cannot start, the single-threaded build runs and the report says why.
  const wanted = wasmThreadsWanted(threads);
  let threadsNote: string | undefined;
  let threaded = 1;
  if (wanted > 1) {
    try {
      threaded = await registerThreadedWasm(wanted);
    } catch (error) {
      if (!(error instanceof WasmThreadsUnavailable)) throw error;
      threadsNote = `${error.message}; running on one thread`;
    }
  }
  const kernelsRegistered = registerWasmTrainingKernels();
  await activate('wasm');
  const simd = threaded > 1 || Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { threads: Math.max(1, wasm.getThreadsCount()), simd, kernelsRegistered, ...(threadsNote ? { threadsNote } : {}) };
}

/**
 * Threads for the wasm backend: the caller's, else GANVAS_THREADS, else 1.
 * At most MAX_WASM_THREADS (the threaded build's pool).
 */
export function wasmThreadsWanted(threads: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  let wanted = threads;
  if (wanted === undefined) {
    const text = env['GANVAS_THREADS'];
    if (text !== undefined && text !== '') {
      const parsed = text === 'all' ? os.availableParallelism() : Number(text);
      if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`GANVAS_THREADS must be a whole number of at least 1 or "all", got "${text}".`);
      wanted = parsed;
    }
  }
  return Math.min(MAX_WASM_THREADS, Math.max(1, wanted ?? 1));
}

async function startWebGpuBackend(): Promise<Started> {
  try {
    const adapter = await startWebGpu();
    return { threads: 0, simd: false, kernelsRegistered: [], adapter };
  } catch (error) {
    if (error instanceof WebGpuUnavailable) throw new BackendUnavailable(error.message);
    throw error;
  }
}

async function startCpu(): Promise<Started> {
  await activate('cpu');
  return { threads: 1, simd: false, kernelsRegistered: [] };
}

function start(choice: BackendChoice, threads: number | undefined): Promise<Started> {
  switch (choice) {
    case 'tensorflow-gpu':
      return startNative('@tensorflow/tfjs-node-gpu', threads);
    case 'webgpu':
      return startWebGpuBackend();
    case 'tensorflow':
      return startNative('@tensorflow/tfjs-node', threads);
    case 'wasm':
      return startWasm(threads);
    case 'cpu':
      return startCpu();
  }
}

function forcedChoice(options: BackendOptions): BackendChoice | null {
  const requested = options.prefer ?? process.env['GANVAS_BACKEND'];
  if (requested === undefined || requested === '') return null;
  if (!(LADDER as readonly string[]).includes(requested)) {
    const source = options.prefer !== undefined ? 'prefer' : 'GANVAS_BACKEND';
    throw new Error(`${source}='${requested}' is not a backend GANvas knows; use one of: ${LADDER.join(', ')}.`);
  }
  return requested as BackendChoice;
}

async function runLadder(forced: BackendChoice | null, threads: number | undefined): Promise<BackendReport> {
  const tried: BackendReport['tried'] = [];
  const candidates = forced ? [forced] : LADDER;
  for (const choice of candidates) {
    try {
      const started = await start(choice, threads);
      tried.push({ name: choice, ok: true });
      return { active: choice, tried, tfjsVersion: tf.version.tfjs, ...started };
    } catch (error) {
      tried.push({ name: choice, ok: false, reason: messageOf(error) });
    }
  }
  if (forced) {
    const reason = tried[0]?.reason ?? 'unknown reason';
    throw new Error(`The '${forced}' backend was requested but could not start: ${reason}.`);
  }
  throw new Error(`No tensor backend could start: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}.`);
}

/**
 * Starts the fastest backend that loads (or the one forced by `prefer` /
 * GANVAS_BACKEND, failing with a clear error if it cannot start). Calling it
 * again returns the same report and re-selects that backend if something
 * switched tf to another one meanwhile.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  const forced = forcedChoice(options);
  while (pending) await pending.catch(() => undefined);
  if (current && (forced === null || forced === current.report.active)) {
    const active = current.report.active.startsWith('tensorflow') ? 'tensorflow' : current.report.active;
    if (tf.getBackend() !== active) await activate(active);
    return current.report;
  }
  // Gradients (not kernels) are shared by every backend: register them whichever starts.
  registerComparisonGradients();
  pending = runLadder(forced, options.threads);
  try {
    const report = await pending;
    current = { forced, report };
    return report;
  } finally {
    pending = null;
  }
}

/** The report of the running backend, for `ganvas backend`. */
export function describeBackend(): BackendReport {
  if (current) return current.report;
  return {
    active: 'none (initBackend has not run)',
    tried: [],
    threads: 0,
    simd: false,
    tfjsVersion: tf.version.tfjs,
    kernelsRegistered: [],
  };
}
