// tfjs-backend-wasm's multi-threaded build, started under Node, so one wasm
// training step (or inference) uses more than one core.
//
// tfjs 4.22 cannot do this by itself, for three reasons, each checked here:
// 1. under Node it reports no multithread support and loads the
//    single-threaded binary;
// 2. forced, its loader gives Emscripten's pthread workers a blob: URL for
//    their script, which worker_threads cannot load;
// 3. the binary caps its thread pool at half the logical CPUs, read once
//    when the module starts (tfjs-backend-wasm src/cc/backend.cc:
//    `num_cores = emscripten_num_logical_cores() / 2`, because "many x86-64
//    processors have 2 threads per core"), so a 2-CPU machine gets 1.
// So we run the package's own Emscripten factory (wasm-out/) with real files
// for the worker and the main script, let the module count twice the threads
// asked for while it starts (that count only sets the cap), and hand the
// module to tfjs's own BackendWasm class under the name 'wasm': every wasm
// kernel, tfjs's and ours, runs on it unchanged. The pool has at most 8
// threads (the build pre-creates 8 workers).
import * as tf from '@tensorflow/tfjs';
import * as wasmPackage from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const requireFromHere = createRequire(import.meta.url);

/** The most threads the threaded build's pool can have (cc/BUILD pre-creates 8 workers). */
export const MAX_WASM_THREADS = 8;

/** Why the threaded build could not start; the caller falls back to one thread. */
export class WasmThreadsUnavailable extends Error {}

interface EmscriptenModule {
  cwrap: (name: string, returns: string | null, args: string[]) => (...args: number[]) => number;
  wasmMemory: WebAssembly.Memory;
  PThread?: { unusedWorkers: unknown[]; runningWorkers: unknown[] };
  tfjs?: Record<string, unknown>;
  [key: string]: unknown;
}
type Factory = (args: Record<string, unknown>) => Promise<EmscriptenModule>;

function packageDir(): string {
  return path.dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/**
 * The pthread worker's script, written once per content to the temporary
 * folder (tfjs keeps it as a string and hands it over as a blob).
 */
function workerScript(dir: string): string {
  const { wasmWorkerContents } = requireFromHere(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The string is the body of a template literal: its line breaks inside
  // string literals must go back to escapes (tfjs does the same before making its blob).
  const text = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `ganvas-tfjs-wasm-pthread-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  }
  return file;
}

/**
 * Emscripten refreshes its heap views only inside its own code; a view read
 * from JavaScript (ours or BackendWasm's) after the shared memory grew
 * elsewhere would be short. These getters always answer with a view of the
 * current buffer.
 */
function keepHeapViewsCurrent(module: EmscriptenModule): void {
  const memory = module.wasmMemory;
  const views = {
    HEAP8: Int8Array,
    HEAPU8: Uint8Array,
    HEAP16: Int16Array,
    HEAPU16: Uint16Array,
    HEAP32: Int32Array,
    HEAPU32: Uint32Array,
    HEAPF32: Float32Array,
    HEAPF64: Float64Array,
  } as const;
  for (const [name, View] of Object.entries(views)) {
    let view = new View(memory.buffer);
    Object.defineProperty(module, name, {
      configurable: true,
      enumerable: true,
      get() {
        if (view.buffer !== memory.buffer) view = new View(memory.buffer);
        return view;
      },
      // Emscripten assigns its own fresh views here; ours follow the memory anyway.
      set() {},
    });
  }
}

/** Runs `start` while os.cpus() lists at least `count` entries (the module reads it once as it starts). */
async function withLogicalCpus<T>(count: number, start: () => Promise<T>): Promise<T> {
  const real = os.cpus;
  const cpus = real.call(os);
  if (cpus.length >= count || cpus.length === 0) return start();
  const padded = Array.from({ length: count }, (_, i) => cpus[i % cpus.length]!);
  os.cpus = () => padded;
  try {
    return await start();
  } finally {
    os.cpus = real;
  }
}

let started: { threads: number } | null = null;

/**
 * Starts the threaded wasm build with `threads` threads (2 to 8) and
 * registers it as tfjs's 'wasm' backend, replacing the single-threaded
 * factory; call before the 'wasm' backend is first selected. Returns the
 * threads the pool really has.
 */
export async function registerThreadedWasm(threads: number): Promise<number> {
  if (started) return started.threads;
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new WasmThreadsUnavailable(`wasm threads must be a whole number from 2 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  if (typeof SharedArrayBuffer !== 'function') throw new WasmThreadsUnavailable('this runtime has no SharedArrayBuffer');
  // (tf.findBackend would start the registered single-threaded factory.)
  const engine = tf.engine() as unknown as { registry: Record<string, unknown> };
  if (engine.registry['wasm']) throw new WasmThreadsUnavailable('the single-threaded wasm backend has already started');
  const dir = packageDir();
  const factory = requireFromHere(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js')) as Factory;
  const worker = workerScript(dir);
  let module: EmscriptenModule;
  try {
    module = await withLogicalCpus(2 * threads, () =>
      factory({
        locateFile: (name: string, prefix: string) => {
          if (name.endsWith('.worker.js')) return worker;
          if (name.endsWith('.wasm')) return path.join(dir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
          return prefix + name;
        },
        // What each pthread worker evaluates to get the module's code.
        mainScriptUrlOrBlob: path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js'),
      }),
    );
  } catch (error) {
    throw new WasmThreadsUnavailable(`the threaded wasm build did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  keepHeapViewsCurrent(module);
  // The same entry points tfjs's own loader wraps (tfjs-backend-wasm backend_wasm.ts).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  wasmPackage.setThreadsCount(threads);
  const backend = new wasmPackage.BackendWasm(module as unknown as ConstructorParameters<typeof wasmPackage.BackendWasm>[0]);
  const got = wasmPackage.getThreadsCount();
  // The pool's threads wait inside wasm for work and are ref'd while they
  // run, which would keep Node alive after the last task: let it exit.
  for (const worker of (module.PThread?.runningWorkers ?? []) as { unref?: () => void }[]) worker.unref?.();
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => backend, 2);
  started = { threads: got };
  return got;
}
