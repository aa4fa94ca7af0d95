// `ganvas bench` (`npm run bench`): speed of the engine's networks per
// backend, achieved GFLOP/s against the machine's matmul peak, tensor leaks,
// and API round trips while a model trains. Prints the JSON report and
// writes it to bench-results/bench-<timestamp>.json (or --out).
// Exit codes: 0 done, 1 a measurement failed (see the JSON), 2 usage error.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const benchHelp = `Usage: ganvas bench [--quick] [--backends wasm,cpu] [--out FILE]

Times forward passes and training steps of the canonical GAN networks
(pix2pix U-Net and PatchGAN, CycleGAN ResNet-9, SRGAN SRResNet when present),
a full pix2pix iteration, the machine's matmul peak, API round trips
while a model trains, peak memory of translate and upscale against image
size (4–256 MP), and what rendering SVGs in their own process costs per file.
A full run takes several minutes.

Options:
  --quick            fewer networks, sizes and repetitions (for CI and smoke tests)
  --backends LIST    comma-separated: wasm, cpu, webgpu (default wasm,cpu; cpu runs only
                     the smallest forward passes: it is ~100× slower to train;
                     webgpu takes a hardware GPU, or SwiftShader with
                     GANVAS_WEBGPU_ADAPTER=swiftshader: then use --quick --sizes 32)
  --out FILE         where to write the JSON (default bench-results/bench-<timestamp>.json)
  --networks LIST    only these network ids (e.g. pix2pix-unet-G-ngf32,pix2pix-patchgan-D-ndf64)
  --sizes LIST       image sides in px (default 64,128; quick 64)
  --batches LIST     batch sizes (default 1,4; quick 1)
  --reps N           most timed repetitions per measurement (default 7; quick 3)
  --max-gflop N      skip passes above N GFLOP (default 20)
  --matmul N         side of the square matmul that measures the peak (default 1024)
  --ui-calls N       API round trips per method and phase (default 100; quick 20; 0 skips)
  --ui-train-size N  image side of the training job during the round trips (default 64)
  --ui-train-ngf N   its U-Net width (default 32)
  --image-memory L   megapixels of the peak-memory lines (default 4,16,64,256;
                     quick 1), or off
  --svg-files N      SVGs for the renderer's cost per file (default 50; quick 10; 0 skips)
  --onnx-threads L   ONNX Runtime thread counts of the onnx lines (default 1 and
                     every core), or off
  --wasm-threads L   thread counts of the wasm backend's threads lines (default 1 and
                     every core, at most 8), each in its own process, or off
  --peer             also time the same networks in PyTorch (../shared/bench/peer_torch.py,
                     /usr/bin/python3 with python3-torch) and write our ratios to it
  --peer-script FILE the peer script, where it is not at ../shared/bench/
  --queue-images N   images per folder on the Redis queue, timed with 1 and 2 workers
                     (default 60; quick 20; 0 skips; needs redis-server or REDIS_URL)
  --quiet            no progress lines on stderr
  -h, --help         show this help
`;

import { UsageError } from './usage.js';

function list(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${name} needs at least one value`);
  return items;
}

function wholeNumber(value: string, name: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function numbers(value: string | undefined, name: string, min: number): number[] | undefined {
  return list(value, name)?.map((item) => wholeNumber(item, name, min));
}

function megapixelList(value: string): number[] {
  return list(value, '--image-memory')!.map((item) => {
    const n = Number(item);
    if (!Number.isFinite(n) || n <= 0 || n > 1000) throw new UsageError(`--image-memory wants megapixels from 0 to 1000 (or off), got "${item}"`);
    return n;
  });
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

export async function benchCommand(args: string[]): Promise<number> {
  const { benchBackends, runBench } = await import('../bench/run-bench.js');
  let options;
  let out: string;
  let quiet: boolean;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        backends: { type: 'string' },
        out: { type: 'string' },
        networks: { type: 'string' },
        sizes: { type: 'string' },
        batches: { type: 'string' },
        reps: { type: 'string' },
        matmul: { type: 'string' },
        'max-gflop': { type: 'string' },
        'ui-calls': { type: 'string' },
        'ui-train-size': { type: 'string' },
        'ui-train-ngf': { type: 'string' },
        'image-memory': { type: 'string' },
        'svg-files': { type: 'string' },
        'onnx-threads': { type: 'string' },
        'wasm-threads': { type: 'string' },
        peer: { type: 'boolean' },
        'peer-script': { type: 'string' },
        'queue-images': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(benchHelp);
      return 0;
    }
    const backends = list(values.backends, '--backends') ?? ['wasm', 'cpu'];
    const wrong = backends.filter((b) => !(benchBackends as readonly string[]).includes(b));
    if (wrong.length) throw new UsageError(`--backends: unknown ${wrong.join(', ')}; use ${benchBackends.join(', ')}`);
    quiet = values.quiet ?? false;
    options = {
      quick: values.quick ?? false,
      backends: backends as (typeof benchBackends)[number][],
      networks: list(values.networks, '--networks'),
      sizes: numbers(values.sizes, '--sizes', 8),
      batches: numbers(values.batches, '--batches', 1),
      reps: values.reps === undefined ? undefined : wholeNumber(values.reps, '--reps', 1),
      maxGflop: values['max-gflop'] === undefined ? undefined : wholeNumber(values['max-gflop'], '--max-gflop', 1),
      matmulSize: values.matmul === undefined ? undefined : wholeNumber(values.matmul, '--matmul', 8),
      uiCalls: values['ui-calls'] === undefined ? undefined : wholeNumber(values['ui-calls'], '--ui-calls', 0),
      uiTrainingSize: values['ui-train-size'] === undefined ? undefined : wholeNumber(values['ui-train-size'], '--ui-train-size', 8),
      uiTrainingNgf: values['ui-train-ngf'] === undefined ? undefined : wholeNumber(values['ui-train-ngf'], '--ui-train-ngf', 1),
      imageMegapixels: values['image-memory'] === undefined ? undefined : values['image-memory'] === 'off' ? [] : megapixelList(values['image-memory']),
      svgFiles: values['svg-files'] === undefined ? undefined : wholeNumber(values['svg-files'], '--svg-files', 0),
      // `npm run bench --peer` hands --peer to npm, which passes it on as npm_config_peer.
      peer: values.peer ?? process.env['npm_config_peer'] === 'true',
      ...(values['peer-script'] !== undefined ? { peerScript: path.resolve(values['peer-script']) } : {}),
      wasmThreads: values['wasm-threads'] === undefined ? undefined : values['wasm-threads'] === 'off' ? [] : numbers(values['wasm-threads'], '--wasm-threads', 1),
      onnxThreads: values['onnx-threads'] === undefined ? undefined : values['onnx-threads'] === 'off' ? [] : numbers(values['onnx-threads'], '--onnx-threads', 1),
      queueImages: values['queue-images'] === undefined ? undefined : wholeNumber(values['queue-images'], '--queue-images', 0),
      log: (message: string) => {
        if (!quiet) process.stderr.write(`[bench] ${message}\n`);
      },
    };
    out = path.resolve(values.out ?? path.join('bench-results', `bench-${timestamp(new Date())}.json`));
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`ganvas bench: ${error.message}\n\n${benchHelp}`);
      return 2;
    }
    throw error;
  }

  let report;
  try {
    report = await runBench(options);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('unknown network')) {
      process.stderr.write(`ganvas bench: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const json = JSON.stringify(report, null, 2);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, json + '\n');
  process.stdout.write(json + '\n');
  if (!quiet) process.stderr.write(`[bench] written to ${out}\n`);
  const failed =
    report.backends.some((b) => b.lines.some((line) => line.skipped?.startsWith('failed'))) ||
    ('skipped' in report.uiRoundTrip && report.uiRoundTrip.skipped.startsWith('failed')) ||
    (report.peer !== undefined && 'skipped' in report.peer && report.peer.skipped.startsWith('failed')) ||
    (report.onnx !== undefined && ('skipped' in report.onnx ? report.onnx.skipped.startsWith('failed') : report.onnx.lines.some((line) => line.skipped?.startsWith('failed')) || ('skipped' in report.onnx.upscale && report.onnx.upscale.skipped.startsWith('failed')))) ||
    [report.imageMemory, report.svgRendering].some((section) => section !== undefined && 'skipped' in section && section.skipped.startsWith('failed'));
  return failed ? 1 : 0;
}
