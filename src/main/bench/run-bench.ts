/**
 * `ganvas bench`: how fast the engine trains and infers on this machine, per
 * backend, and whether the UI stays responsive while it trains.
 */
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend/index.js';
import { measureImageMemory } from './image-memory.js';
import { measureSvgOverhead } from './svg-overhead.js';
import { measureQueueThroughput } from './queue-throughput.js';
import { measureUpscaleThroughput } from './upscale-throughput.js';
import { measureMatmulPeak } from './matmul-peak.js';
import { measureLine, type LinePlan } from './network-lines.js';
import { measureOnnxLines } from './onnx-lines.js';
import { measureWasmThreads } from './wasm-threads.js';
import { MAX_WASM_THREADS } from '../engine/backend/wasm-threads.js';
import { findPeerScript, measurePeer } from './peer-torch.js';
import { onnxRuntime } from '../engine/onnx/index.js';
import { BenchReport } from './report.js';
import { loadSrganGenerator, patchGanDiscriminator, pix2pixIteration, resnetGenerator, unetGenerator, type BenchSubject } from './subjects.js';
import { measureUiRoundTrips } from './ui-round-trip.js';
import type { RepeatOptions } from './timing.js';

/** webgpu is opt-in (`--backends webgpu`): on a machine without a GPU it needs GANVAS_WEBGPU_ADAPTER=swiftshader and is slow. */
export const benchBackends = ['wasm', 'cpu', 'webgpu'] as const;
export type BenchBackend = (typeof benchBackends)[number];

export interface BenchOptions {
  quick: boolean;
  backends: BenchBackend[];
  /** Subject ids to run (default: all for the mode). */
  networks?: string[];
  sizes?: number[];
  batches?: number[];
  /** Most timed repetitions per pass. */
  reps?: number;
  /** Passes above this many GFLOP are skipped (default 20). */
  maxGflop?: number;
  /** Side of the matmul that measures the peak. */
  matmulSize?: number;
  /** Round trips per method and phase; 0 skips the UI bench. */
  uiCalls?: number;
  uiTrainingSize?: number;
  uiTrainingNgf?: number;
  /** Input sizes (megapixels) of the image-memory lines; empty skips them. */
  imageMegapixels?: number[];
  /** SVGs rendered to measure the isolated renderer's cost per file; 0 skips it. */
  svgFiles?: number;
  /** ONNX Runtime thread counts of the onnx lines (default 1 and every core); empty skips them. */
  onnxThreads?: number[];
  /** wasm thread counts of the wasm-threads lines (default 1 and every core, up to 8); empty skips them. */
  wasmThreads?: number[];
  /** Time the same networks in PyTorch (peer_torch.py) and write our ratios to it. */
  peer?: boolean;
  /** The peer script (default ../shared/bench/peer_torch.py). */
  peerScript?: string;
  /** Images of the timed folder on the Redis queue, with 1 and 2 workers; 0 skips it. */
  queueImages?: number;
  log?: (message: string) => void;
}

/** ENVIRONMENT.md, measured on this machine by an earlier engineer. */
const REFERENCE = {
  source:
    '/work/shared/ENVIRONMENT.md ("Tensor backends"): PyTorch 1.13, CPU, one thread, on this machine; ' +
    'pix2pix U-Net 64×64 ngf 64, batch 1. Compare with pix2pix-iteration-ngf64 (training) and pix2pix-unet-G-ngf64 forward at 64 px, batch 1.',
  lines: [
    { what: 'PyTorch: one full pix2pix G+D iteration, U-Net 64×64 ngf 64, batch 1', ms: 670 },
    { what: 'PyTorch: U-Net forward, 64×64 ngf 64, batch 1', ms: 80 },
    { what: 'tfjs wasm (ours, earlier): U-Net 64×64 ngf 32 G training step, batch 1', ms: 750 },
    { what: 'tfjs cpu: U-Net 64×64 ngf 32 G training step, batch 1', ms: 67_000 },
  ],
};

/** The cpu backend is pure JavaScript: ~100× slower to train than wasm, so it runs only the smallest lines. */
const CPU_TRAINING_NOTE =
  'the cpu backend is pure JavaScript, about 100× slower to train than wasm (ENVIRONMENT.md: ~67 s per U-Net ngf 32 training step at 64 px); ' +
  'only forward passes of the smallest configurations run on it';

async function subjectsFor(options: BenchOptions, log: (message: string) => void): Promise<{ subjects: BenchSubject[]; unavailable: { networks: string[]; reason: string }[] }> {
  const all: BenchSubject[] = [unetGenerator(64), unetGenerator(32), patchGanDiscriminator(), resnetGenerator(), pix2pixIteration(64), pix2pixIteration(32)];
  const unavailable: { networks: string[]; reason: string }[] = [];
  const srgan = await loadSrganGenerator();
  if (typeof srgan === 'string') {
    log(`SRGAN skipped: ${srgan}`);
    unavailable.push({ networks: ['srgan-srresnet-G-x4'], reason: srgan });
  } else {
    all.push(srgan);
  }
  const quickIds = ['pix2pix-unet-G-ngf32', 'pix2pix-patchgan-D-ndf64', 'pix2pix-iteration-ngf32'];
  const wanted = options.networks ?? (options.quick ? quickIds : all.map((s) => s.id));
  const known = new Set([...all.map((s) => s.id), ...unavailable.flatMap((u) => u.networks)]);
  const unknown = wanted.filter((id) => !known.has(id));
  if (unknown.length) throw new Error(`unknown network(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return { subjects: all.filter((s) => wanted.includes(s.id)), unavailable: unavailable.filter((u) => u.networks.some((id) => wanted.includes(id))) };
}

/** The thread counts the bench compares: 1 and every logical core (at most `most`). */
function oneAndEveryCore(most = Infinity): number[] {
  return [...new Set([1, Math.min(most, os.availableParallelism?.() ?? os.cpus().length)])];
}

/** cpu: forward passes of the cheapest lines only. */
function cpuPlans(subjects: BenchSubject[], sizes: number[], batches: number[]): { plans: LinePlan[]; notRun: string[] } {
  const smallest = Math.min(...sizes);
  const cheap = new Set(['pix2pix-unet-G-ngf32', 'pix2pix-patchgan-D-ndf64']);
  const plans: LinePlan[] = [];
  const notRun: string[] = [];
  for (const subject of subjects) {
    if (!cheap.has(subject.id)) {
      notRun.push(subject.id);
      continue;
    }
    plans.push({ backend: 'cpu', subject, size: smallest, batch: 1, forwardOnly: CPU_TRAINING_NOTE });
  }
  if (sizes.length > 1 || batches.length > 1) notRun.push(`(also larger sizes/batches than ${smallest} px, batch 1)`);
  return { plans, notRun };
}

async function measureOnnxSection(
  options: BenchOptions,
  context: {
    subjects: BenchSubject[];
    sizes: number[];
    batches: number[];
    repeat: RepeatOptions;
    maxGflop: number;
    wasmLines: BenchReport['backends'][number]['lines'];
    wasmUpscale: BenchReport['backends'][number]['upscale'];
    log: (message: string) => void;
  },
): Promise<BenchReport['onnx']> {
  const threads = options.onnxThreads ?? oneAndEveryCore();
  if (threads.length === 0) return { skipped: 'not requested (--onnx-threads off)' };
  const ort = onnxRuntime();
  if (!ort) return { skipped: 'onnxruntime-node does not load here' };
  try {
    // The subjects are built with tfjs; wasm when it starts (only weights and shapes matter here).
    if (!options.backends.includes('wasm') || tf.getBackend() !== 'wasm') await initBackend({ prefer: options.backends.includes('wasm') ? 'wasm' : options.backends[0] });
    const lines = await measureOnnxLines({ ...context, threads });
    let upscale: NonNullable<Exclude<BenchReport['onnx'], { skipped: string }>>['upscale'];
    try {
      const wasmLines = context.wasmUpscale && 'lines' in context.wasmUpscale ? context.wasmUpscale.lines : [];
      upscale = [];
      for (const t of threads) {
        context.log(`onnx: upscale throughput, ${t} thread${t === 1 ? '' : 's'}`);
        const measured = await measureUpscaleThroughput({ quick: options.quick, log: context.log, inference: 'onnx', threads: t });
        for (const line of measured.lines) {
          const wasm = wasmLines.find((w) => w.model === line.model);
          upscale.push({ ...line, ...(wasm ? { speedupOverWasm: Math.round((line.megapixelsPerSecond / wasm.megapixelsPerSecond) * 1000) / 1000 } : {}) });
        }
      }
    } catch (error) {
      upscale = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    return { runtime: `onnxruntime-node ${ort.env.versions.common}`, threads, lines, upscale };
  } catch (error) {
    return { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  const sizes = options.sizes ?? (options.quick ? [64] : [64, 128]);
  const batches = options.batches ?? (options.quick ? [1] : [1, 4]);
  const maxReps = options.reps ?? (options.quick ? 3 : 7);
  const repeat: RepeatOptions = { warmup: 1, reps: maxReps, minReps: Math.min(maxReps, 3), budgetMs: options.quick ? 5_000 : 10_000 };
  const maxGflop = options.maxGflop ?? 20;
  const { subjects, unavailable } = await subjectsFor(options, log);

  const backends: BenchReport['backends'] = [];
  for (const backend of options.backends) {
    let report;
    try {
      report = await initBackend({ prefer: backend });
    } catch (error) {
      backends.push({ backend, report: null, lines: [], notRun: [], skipped: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const matmulSize = options.matmulSize ?? 1024;
    log(`${backend}: matmul peak (${matmulSize}×${matmulSize})`);
    const matmulPeak = await measureMatmulPeak(matmulSize, backend === 'cpu' ? 3 : options.quick ? 3 : 7);
    const notRun = [...unavailable];
    let plans: LinePlan[];
    if (backend === 'cpu') {
      const cpu = cpuPlans(subjects, sizes, batches);
      plans = cpu.plans;
      if (cpu.notRun.length) notRun.push({ networks: cpu.notRun, reason: CPU_TRAINING_NOTE });
    } else {
      plans = subjects.flatMap((subject) => sizes.flatMap((size) => batches.map((batch) => ({ backend, subject, size, batch }))));
    }
    const lines = [];
    for (const plan of plans) {
      log(`${backend}: ${plan.subject.id} ${plan.size} px, batch ${plan.batch}`);
      const tensorsBefore = tf.memory().numTensors;
      const line = await measureLine(plan, matmulPeak.gflops, backend === 'cpu' ? { ...repeat, reps: 3, minReps: 2 } : repeat, maxGflop);
      if (line.skipped) log(`  skipped: ${line.skipped}`);
      for (const [name, pass] of [['forward', line.forward], ['training step', line.trainingStep]] as const) {
        if (pass && !('skipped' in pass)) log(`  ${name}: median ${pass.medianMs.toFixed(1)} ms, ${pass.gflops} GFLOP/s, ${pass.tensorsLeakedPerRep} tensors leaked per step`);
      }
      const left = tf.memory().numTensors - tensorsBefore;
      if (left !== 0) log(`  ${left} tensors left behind after the line (subject set-up or disposal leaks)`);
      lines.push(line);
    }
    let upscale: BenchReport['backends'][number]['upscale'];
    if (backend === 'cpu') {
      upscale = { skipped: CPU_TRAINING_NOTE };
    } else if (report.adapter?.software) {
      // Seen on SwiftShader: ESRGAN slim ×2 on one 128 px tile took 44 s.
      upscale = { skipped: `WebGPU runs on a software adapter (${report.adapter.vendor} ${report.adapter.architecture}): upscaling takes minutes there` };
    } else {
      log(`${backend}: upscale throughput`);
      const measured = await measureUpscaleThroughput({ quick: options.quick, log, inference: 'tfjs' });
      upscale = { photo: measured.photo, lines: measured.lines };
    }
    backends.push({ backend, report, matmulPeak, lines, notRun, upscale });
  }

  const onnx = await measureOnnxSection(options, { subjects, sizes, batches, repeat, maxGflop, wasmLines: backends.find((b) => b.backend === 'wasm')?.lines ?? [], wasmUpscale: backends.find((b) => b.backend === 'wasm')?.upscale, log });

  let wasmThreads: BenchReport['wasmThreads'];
  const threadCounts = options.wasmThreads ?? oneAndEveryCore(MAX_WASM_THREADS);
  if (threadCounts.length === 0) {
    wasmThreads = { skipped: 'not requested (--wasm-threads off)' };
  } else if (threadCounts.length === 1 && threadCounts[0] === 1) {
    wasmThreads = { skipped: 'this machine has one core' };
  } else {
    try {
      wasmThreads = await measureWasmThreads({
        threads: threadCounts,
        networks: options.quick ? ['pix2pix-unet-G-ngf32', 'pix2pix-iteration-ngf32'] : ['pix2pix-unet-G-ngf64', 'cyclegan-resnet9-G-ngf64', 'pix2pix-iteration-ngf64'],
        size: sizes[0]!,
        batch: 1,
        reps: maxReps,
        budgetMs: repeat.budgetMs,
        log,
      });
    } catch (error) {
      wasmThreads = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  let peer: BenchReport['peer'];
  if (options.peer) {
    const script = findPeerScript(options.peerScript);
    if (!script) {
      peer = { skipped: `no peer script at ${options.peerScript ?? '../shared/bench/peer_torch.py'} (give --peer-script FILE)` };
    } else {
      const wasmLines = backends.find((b) => b.backend === 'wasm')?.lines ?? [];
      const onnxLines = onnx && 'lines' in onnx ? onnx.lines : [];
      try {
        peer = await measurePeer({
          script,
          size: sizes[0]!,
          threads: oneAndEveryCore(),
          log,
          ours: {
            wasm: (network, pass, size, threads) => {
              const threaded = wasmThreads && 'lines' in wasmThreads ? wasmThreads.lines.find((l) => l.network === network && l.size === size && l.threads === threads)?.[pass] : undefined;
              if (threaded && !('skipped' in threaded)) return threaded.medianMs;
              if (threads > 1 && wasmThreads && 'lines' in wasmThreads) return undefined;
              const measured = wasmLines.find((l) => l.network === network && l.size === size && l.batch === 1)?.[pass];
              return measured && !('skipped' in measured) ? measured.medianMs : undefined;
            },
            onnx: (network, size, threads) => onnxLines.find((l) => l.network === network && l.size === size && l.batch === 1 && l.threads === threads)?.forward?.medianMs,
          },
        });
      } catch (error) {
        peer = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
  }

  let uiRoundTrip: BenchReport['uiRoundTrip'];
  const uiCalls = options.uiCalls ?? (options.quick ? 20 : 100);
  if (uiCalls > 0) {
    const dataDir = await mkdtemp(join(os.tmpdir(), 'ganvas-bench-'));
    try {
      uiRoundTrip = await measureUiRoundTrips({
        dataDir,
        calls: uiCalls,
        intervalMs: 10,
        trainingSize: options.uiTrainingSize ?? 64,
        trainingNgf: options.uiTrainingNgf ?? 32,
        backend: options.backends.includes('wasm') ? 'wasm' : 'cpu',
        log,
      });
    } catch (error) {
      uiRoundTrip = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  } else {
    uiRoundTrip = { skipped: 'not requested (--ui-calls 0)' };
  }

  let imageMemory: BenchReport['imageMemory'];
  const imageMegapixels = options.imageMegapixels ?? (options.quick ? [1] : [4, 16, 64, 256]);
  if (imageMegapixels.length > 0) {
    try {
      imageMemory = { lines: await measureImageMemory({ megapixels: imageMegapixels, modelMegapixels: options.quick ? 0 : 0.25, log }) };
    } catch (error) {
      imageMemory = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  } else {
    imageMemory = { skipped: 'not requested (--image-memory off)' };
  }

  let svgRendering: BenchReport['svgRendering'];
  const svgFiles = options.svgFiles ?? (options.quick ? 10 : 50);
  if (svgFiles > 0) {
    log(`SVG rendering: ${svgFiles} OpenMoji files in this process and through the renderer process`);
    try {
      svgRendering = await measureSvgOverhead({ files: svgFiles, size: 64 });
      log(`  ${svgRendering.inProcess.medianMs} ms in process, ${svgRendering.isolated.medianMs} ms isolated (median per file); first file ${svgRendering.firstFileMs} ms`);
    } catch (error) {
      svgRendering = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  } else {
    svgRendering = { skipped: 'not requested (--svg-files 0)' };
  }

  let queueThroughput: BenchReport['queueThroughput'];
  const queueImages = options.queueImages ?? (options.quick ? 20 : 60);
  if (queueImages > 0) {
    log(`queue throughput: ${queueImages} images on the Redis queue with 1 and 2 ganvas workers`);
    try {
      queueThroughput = await measureQueueThroughput({ images: queueImages, workerCounts: [1, 2], log });
      if ('skipped' in queueThroughput) log(`  skipped: ${queueThroughput.skipped}`);
    } catch (error) {
      queueThroughput = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  } else {
    queueThroughput = { skipped: 'not requested (--queue-images 0)' };
  }

  const cpus = os.cpus();
  const result = {
    tool: 'ganvas bench' as const,
    formatVersion: 1 as const,
    quick: options.quick,
    startedAt,
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    environment: {
      node: process.version,
      tfjs: tf.version.tfjs,
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      platform: `${process.platform}-${process.arch}`,
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
      note: 'times are wall-clock on a possibly shared machine: a load average near or above the core count means other work competed for the CPU',
    },
    method: {
      forward: 'model.apply(input, {training: false}) and reading the output back; input uniform in [-1, 1], batch as stated',
      trainingStep: 'Adam (2e-4, 0.5, 0.999) minimising the mean square of the output: forward + backward + update; pix2pix-iteration lines run the family\'s own trainStep (D then G)',
      limit: `passes above ${maxGflop} GFLOP are skipped (they take minutes per repetition on a CPU)`,
      timing: `1 warm-up, then up to ${maxReps} repetitions (at least ${repeat.minReps}; fewer than the most once ${repeat.budgetMs / 1000} s are spent); median, p10, p90`,
      flops: '2 FLOPs per multiply-add of convolutions, transposed convolutions and dense layers, for the whole batch; training = 3× forward (src/main/bench/flops.ts)',
      gflops: 'FLOPs / median time; fractionOfPeak = that / the same backend\'s n×n matmul GFLOP/s (from its fastest repetition)',
      leaks: 'tf.memory().numTensors after the timed repetitions minus before (after warm-up), per repetition; should be 0',
      onnx:
        'the same subjects (same weights and input) exported by src/main/engine/onnx/ and forwarded by onnxruntime-node (CPU provider, intra-op threads as stated, no spinning), median of repeated session.run calls including the NHWC copies in and out; upscale lines as the wasm ones with ONNX Runtime forwarding the tiles; speedupOverWasm = wasm median / ONNX median on this run',
      wasmThreads:
        'the wasm backend with our loader of tfjs-backend-wasm\'s threaded build (src/main/engine/backend/wasm-threads.ts) at each thread count, each in a fresh process, at the first bench size, batch 1; speedupOverOneThread = the 1-thread median / this median on this run',
      peer: 'with --peer: ../shared/bench/peer_torch.py (PyTorch, Debian python3-torch) at the first bench size, batch 1, at 1 thread and every core; wasmRatio = our wasm median / PyTorch at the same threads (the wasmThreads line at that count; the one-thread line where that section did not run), onnxRatio = ONNX Runtime median / PyTorch at the same threads; above 1 is slower than PyTorch',
      upscale: 'a fixed 128×128 crop of a real photo (mate-backgrounds) upscaled through the same tiled path as the Upscale view; megapixels of output / median seconds',
      uiRoundTrip: 'sequential calls from the main thread with 10 ms pauses: dispatch(app.info), dispatch(gallery.list), POST /api/app.info through the HTTP server; idle, then while a pix2pix training job runs in the job worker',
      imageMemory:
        'peak resident set size (ru_maxrss) of a fresh child process doing one operation on a generated square PNG (gradient + pattern) of the given megapixels: translate = the bundled Doodle model, result resized back and saved as PNG; upscale pipeline = decode, esrgan-slim-x2 tile layout, blending and PNG writing with nearest neighbour in place of the network (its memory depends on the tile, not the image); the real esrgan-slim-x2 on 0.25 MP in full runs',
      queueThroughput:
        'a folder of 64 px emoji PNGs through the bundled Pix2Pix on the Redis queue (a private redis-server), from translate.folder until the studio has every result; each worker is its own process (ganvas worker, concurrency 1) and has loaded the model on a warm-up folder first',
      svgRendering: 'OpenMoji colour SVGs rendered at 64 px: resvg in this process, then through the isolated renderer process (median per file after its first); first = the process start plus its first file',
    },
    backends,
    onnx,
    wasmThreads,
    ...(peer ? { peer } : {}),
    uiRoundTrip,
    imageMemory,
    svgRendering,
    queueThroughput,
    reference: REFERENCE,
  };
  return BenchReport.parse(result);
}
