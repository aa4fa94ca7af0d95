/**
 * The shape of `ganvas bench` output, checked before it is written, so the
 * JSON a CI job or a person compares across runs always has these fields.
 */
import { z } from 'zod';

const positive = z.number().finite().positive();

export const TimingSummary = z.object({
  reps: z.number().int().positive(),
  medianMs: positive,
  p10Ms: positive,
  p90Ms: positive,
  minMs: positive,
  maxMs: positive,
});

export const MeasuredPass = TimingSummary.extend({
  flops: z.number().finite().nonnegative(),
  gflops: z.number().finite().nonnegative(),
  fractionOfPeak: z.number().finite().nonnegative(),
  tensorsLeakedPerRep: z.number().finite(),
});

const Skipped = z.object({ skipped: z.string().min(1) });

export const NetworkLine = z.object({
  backend: z.string(),
  network: z.string(),
  size: z.number().int().positive(),
  batch: z.number().int().positive(),
  params: z.number().int().positive().optional(),
  forward: z.union([MeasuredPass, Skipped]).optional(),
  trainingStep: z.union([MeasuredPass, Skipped]).optional(),
  skipped: z.string().optional(),
});

const RoundTripStats = z.object({ calls: z.number().int().positive(), p50Ms: positive, p99Ms: positive, maxMs: positive });
const RoundTripPhase = z.object({ 'app.info': RoundTripStats, 'gallery.list': RoundTripStats, 'http app.info': RoundTripStats });

const UpscaleLine = z.object({
  model: z.string(),
  variant: z.string(),
  scale: z.number().int(),
  inputPixels: z.object({ width: z.number().int(), height: z.number().int() }),
  outputMegapixels: positive,
  tiles: z.number().int().positive(),
  timing: TimingSummary,
  megapixelsPerSecond: positive,
  runtime: z.string().optional(),
  threads: z.number().int().positive().optional(),
});

/** The same networks and upscalers forwarded by ONNX Runtime at given thread counts. */
export const OnnxSection = z.union([
  z.object({
    runtime: z.string(),
    threads: z.array(z.number().int().positive()),
    lines: z.array(
      z.object({
        network: z.string(),
        size: z.number().int().positive(),
        batch: z.number().int().positive(),
        threads: z.number().int().positive(),
        forward: TimingSummary.extend({ flops: z.number().nonnegative(), gflops: z.number().nonnegative() }).optional(),
        wasmMedianMs: positive.optional(),
        speedupOverWasm: positive.optional(),
        skipped: z.string().optional(),
      }),
    ),
    upscale: z.union([z.array(UpscaleLine.extend({ speedupOverWasm: positive.optional() })), Skipped]),
  }),
  Skipped,
]);

/** PyTorch on the same networks (../shared/bench/peer_torch.py) and our times over its. */
export const PeerSection = z.union([
  z.object({
    script: z.string(),
    python: z.string(),
    size: z.number().int().positive(),
    threads: z.array(z.number().int().positive()),
    lines: z.array(
      z.object({
        network: z.string(),
        pass: z.enum(['forward', 'trainingStep']),
        size: z.number().int().positive(),
        threads: z.number().int().positive(),
        torchMs: positive,
        wasmMs: positive.optional(),
        wasmRatio: positive.optional(),
        onnxMs: positive.optional(),
        onnxRatio: positive.optional(),
      }),
    ),
  }),
  Skipped,
]);

/** The wasm backend at 1 thread and at every core (the threaded build), each in its own process. */
export const WasmThreadsSection = z.union([
  z.object({
    requested: z.array(z.number().int().positive()),
    runs: z.array(z.object({ threads: z.number().int().positive(), matmulGflops: positive, threadsNote: z.string().optional() })),
    lines: z.array(
      NetworkLine.extend({
        threads: z.number().int().positive(),
        forwardSpeedupOverOneThread: positive.optional(),
        trainingSpeedupOverOneThread: positive.optional(),
      }),
    ),
  }),
  Skipped,
]);

export const BackendSection = z.object({
  backend: z.string(),
  report: z.unknown(),
  matmulPeak: z.object({ n: z.number().int().positive(), timing: TimingSummary, gflops: positive }).optional(),
  lines: z.array(NetworkLine),
  /** Configurations not run on this backend, and why. */
  notRun: z.array(z.object({ networks: z.array(z.string()), reason: z.string() })),
  skipped: z.string().optional(),
  /** Super-resolution throughput: megapixels of output per second per upscale model. */
  upscale: z
    .union([
      z.object({
        photo: z.string(),
        lines: z.array(UpscaleLine),
      }),
      Skipped,
    ])
    .optional(),
});

export const BenchReport = z.object({
  tool: z.literal('ganvas bench'),
  formatVersion: z.literal(1),
  quick: z.boolean(),
  startedAt: z.string(),
  durationSeconds: z.number().nonnegative(),
  environment: z.object({
    node: z.string(),
    tfjs: z.string(),
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    totalMemoryGiB: z.number().positive(),
    platform: z.string(),
    loadAverage: z.object({ atStart: z.array(z.number()), atEnd: z.array(z.number()) }),
    note: z.string(),
  }),
  method: z.record(z.string(), z.string()),
  backends: z.array(BackendSection),
  onnx: OnnxSection.optional(),
  wasmThreads: WasmThreadsSection.optional(),
  peer: PeerSection.optional(),
  uiRoundTrip: z
    .union([
      z.object({
        studio: z.string(),
        galleryItems: z.number().int(),
        training: z.object({
          kind: z.string(),
          size: z.number().int(),
          ngf: z.number().int(),
          backend: z.string(),
          stepsDuringMeasurement: z.number().int().nonnegative(),
          msPerStep: z.number().nullable(),
        }),
        idle: RoundTripPhase,
        duringTraining: RoundTripPhase,
      }),
      Skipped,
    ]),
  /** Peak RSS of one operation in its own process, against the input's size. */
  imageMemory: z
    .union([
      z.object({
        lines: z.array(
          z.object({
            operation: z.string(),
            megapixels: positive,
            width: z.number().int().positive(),
            height: z.number().int().positive(),
            peakRssMB: positive,
            seconds: z.number().nonnegative(),
            outputMB: z.number().nonnegative(),
          }),
        ),
      }),
      Skipped,
    ])
    .optional(),
  /** The isolated SVG renderer's cost per file, against resvg in the same process. */
  svgRendering: z
    .union([
      z.object({
        files: z.number().int().positive(),
        size: z.number().int().positive(),
        inProcess: TimingSummary,
        isolated: TimingSummary,
        overheadMs: z.number().finite(),
        firstFileMs: z.number().nonnegative(),
      }),
      Skipped,
    ])
    .optional(),
  /** Images per second of a folder job on the Redis queue, by number of worker processes. */
  queueThroughput: z
    .union([
      z.object({
        model: z.string(),
        lines: z.array(
          z.object({
            workers: z.number().int().positive(),
            images: z.number().int().positive(),
            seconds: positive,
            imagesPerSecond: positive,
            workerStartSeconds: z.number().nonnegative(),
          }),
        ),
      }),
      Skipped,
    ])
    .optional(),
  reference: z.object({ source: z.string(), lines: z.array(z.object({ what: z.string(), ms: positive })) }),
});
export type BenchReport = z.infer<typeof BenchReport>;
