/**
 * The bench's ONNX Runtime lines: the same networks as the tfjs lines (built
 * by the same subjects, same weights and input), exported with the engine's
 * exporter and forwarded by onnxruntime-node at each requested thread count,
 * next to the wasm median of the same network, size and batch.
 */
import { OnnxNetwork, onnxRuntime, onnxRuntimeProblem } from '../engine/onnx/index.js';
import { round3 } from './matmul-peak.js';
import type { NetworkLine } from './network-lines.js';
import type { BenchSubject } from './subjects.js';
import { summarise, timeRepeated, type RepeatOptions, type TimingSummary } from './timing.js';

export interface OnnxLine {
  network: string;
  size: number;
  batch: number;
  threads: number;
  forward?: TimingSummary & { flops: number; gflops: number };
  /** The wasm forward median of the same network, size and batch, when the bench ran it. */
  wasmMedianMs?: number;
  /** wasm median / ONNX median. */
  speedupOverWasm?: number;
  skipped?: string;
}

export interface OnnxLinesOptions {
  subjects: BenchSubject[];
  sizes: number[];
  batches: number[];
  threads: number[];
  repeat: RepeatOptions;
  maxGflop: number;
  wasmLines: readonly NetworkLine[];
  log: (message: string) => void;
}

function wasmMedian(lines: readonly NetworkLine[], network: string, size: number, batch: number): number | undefined {
  const line = lines.find((l) => l.network === network && l.size === size && l.batch === batch);
  return line?.forward && !('skipped' in line.forward) ? line.forward.medianMs : undefined;
}

export async function measureOnnxLines(options: OnnxLinesOptions): Promise<OnnxLine[]> {
  const lines: OnnxLine[] = [];
  if (!onnxRuntime()) throw new Error(onnxRuntimeProblem());
  for (const subject of options.subjects) {
    for (const size of options.sizes) {
      for (const batch of options.batches) {
        const base = { network: subject.id, size, batch };
        if (subject.unsupported?.(size)) continue;
        const prepared = await subject.prepare(size, batch);
        try {
          if (!prepared.network) continue; // composite subjects (a whole training iteration) have no single network
          const gflop = prepared.flops.forward / 1e9;
          if (gflop > options.maxGflop) {
            for (const threads of options.threads) lines.push({ ...base, threads, skipped: `${gflop.toFixed(1)} GFLOP per pass is above the bench's limit of ${options.maxGflop}` });
            continue;
          }
          const { model, input } = prepared.network;
          const data = (await input.data()) as Float32Array;
          const shape = input.shape;
          for (const threads of options.threads) {
            options.log(`onnx: ${subject.id} ${size} px, batch ${batch}, ${threads} thread${threads === 1 ? '' : 's'}`);
            let network: OnnxNetwork | null = null;
            try {
              network = await OnnxNetwork.fromLayersModel(model, { threads });
              const run = network;
              const { samplesMs } = await timeRepeated(async () => {
                await run.run(data, shape);
              }, options.repeat);
              const timing = summarise(samplesMs);
              const wasm = wasmMedian(options.wasmLines, subject.id, size, batch);
              const line: OnnxLine = {
                ...base,
                threads,
                forward: { ...timing, flops: prepared.flops.forward, gflops: round3(prepared.flops.forward / (timing.medianMs * 1e6)) },
                ...(wasm !== undefined ? { wasmMedianMs: wasm, speedupOverWasm: round3(wasm / timing.medianMs) } : {}),
              };
              options.log(`  forward: median ${timing.medianMs.toFixed(1)} ms${line.speedupOverWasm ? `, ${line.speedupOverWasm}× wasm` : ''}`);
              lines.push(line);
            } catch (error) {
              lines.push({ ...base, threads, skipped: `failed: ${error instanceof Error ? error.message : String(error)}` });
            } finally {
              await network?.release();
            }
          }
        } finally {
          prepared.dispose();
        }
      }
    }
  }
  return lines;
}
