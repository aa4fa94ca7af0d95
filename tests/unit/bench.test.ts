import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchCommand } from '../../src/main/cli/bench.js';
import { BenchReport } from '../../src/main/bench/report.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('ganvas bench --quick', () => {
  it('writes a report with finite, positive numbers and no leaked tensors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ganvas-bench-test-'));
    dirs.push(dir);
    const out = join(dir, 'report.json');
    const code = await benchCommand([
      '--quick', '--quiet',
      '--backends', 'wasm,cpu',
      '--networks', 'pix2pix-patchgan-D-ndf64,pix2pix-iteration-ngf32',
      '--sizes', '16', '--reps', '2', '--matmul', '128',
      '--ui-calls', '4', '--ui-train-size', '16', '--ui-train-ngf', '4',
      '--onnx-threads', '1,2', '--wasm-threads', '1,2',
      '--queue-images', '0', // measured in bench-queue.test.ts
      '--out', out,
    ]);
    expect(code).toBe(0);
    const report = BenchReport.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(report.quick).toBe(true);
    expect(report.environment.cores).toBeGreaterThan(0);
    expect(report.environment.loadAverage.atStart).toHaveLength(3);
    expect(report.reference.lines.find((l) => l.ms === 670)).toBeDefined();

    const wasm = report.backends.find((b) => b.backend === 'wasm')!;
    expect(wasm.skipped).toBeUndefined();
    expect(wasm.matmulPeak!.gflops).toBeGreaterThan(0);
    expect(wasm.lines.map((l) => l.network)).toEqual(['pix2pix-patchgan-D-ndf64', 'pix2pix-iteration-ngf32']);
    for (const line of wasm.lines) {
      expect(line.skipped).toBeUndefined();
      const passes = [line.forward, line.trainingStep].filter((p) => p !== undefined);
      for (const pass of passes) {
        if ('skipped' in pass) throw new Error(`${line.network}: ${pass.skipped}`);
        expect(pass.reps).toBe(2);
        expect(pass.flops).toBeGreaterThan(0);
        expect(pass.gflops).toBeGreaterThan(0);
        expect(pass.p10Ms).toBeLessThanOrEqual(pass.medianMs);
        expect(pass.medianMs).toBeLessThanOrEqual(pass.p90Ms);
        expect(pass.tensorsLeakedPerRep).toBe(0);
      }
    }
    const discriminator = wasm.lines[0]!;
    if (!discriminator.forward || 'skipped' in discriminator.forward || !discriminator.trainingStep || 'skipped' in discriminator.trainingStep) {
      throw new Error('the discriminator line should have both passes');
    }
    expect(discriminator.trainingStep.flops).toBe(3 * discriminator.forward.flops);

    // cpu: only the cheapest forward pass, and the report says why the rest did not run.
    const cpu = report.backends.find((b) => b.backend === 'cpu')!;
    expect(cpu.lines.map((l) => l.network)).toEqual(['pix2pix-patchgan-D-ndf64']);
    expect(cpu.lines[0]!.trainingStep).toMatchObject({ skipped: expect.stringMatching(/100× slower/) });
    expect(cpu.notRun[0]!.networks).toContain('pix2pix-iteration-ngf32');

    // ONNX Runtime lines: the same networks at 1 and 2 threads, beside the wasm median of this run.
    if (!report.onnx || 'skipped' in report.onnx) throw new Error(`onnx: ${report.onnx && 'skipped' in report.onnx ? report.onnx.skipped : 'missing'}`);
    expect(report.onnx.threads).toEqual([1, 2]);
    const onnxD = report.onnx.lines.filter((l) => l.network === 'pix2pix-patchgan-D-ndf64');
    expect(onnxD.map((l) => l.threads)).toEqual([1, 2]);
    for (const line of onnxD) {
      expect(line.skipped).toBeUndefined();
      expect(line.forward!.medianMs).toBeGreaterThan(0);
      expect(line.wasmMedianMs).toBe((discriminator.forward as { medianMs: number }).medianMs);
      expect(line.speedupOverWasm).toBeCloseTo(line.wasmMedianMs! / line.forward!.medianMs, 2);
    }
    // The iteration is two networks and an optimizer: no single graph to export.
    expect(report.onnx.lines.some((l) => l.network === 'pix2pix-iteration-ngf32')).toBe(false);
    if ('skipped' in report.onnx.upscale) throw new Error(`onnx upscale: ${report.onnx.upscale.skipped}`);
    expect(report.onnx.upscale.map((l) => `${l.model}@${l.threads}`)).toEqual(['esrgan-slim-x2@1', 'esrgan-slim-x3@1', 'esrgan-slim-x4@1', 'esrgan-slim-x2@2', 'esrgan-slim-x3@2', 'esrgan-slim-x4@2']);
    for (const line of report.onnx.upscale) {
      expect(line.runtime).toBe('onnx');
      expect(line.speedupOverWasm).toBeGreaterThan(0);
    }
    const wasmUpscale = wasm.upscale && 'lines' in wasm.upscale ? wasm.upscale.lines : [];
    expect(wasmUpscale.every((l) => l.runtime === 'tfjs')).toBe(true);

    // The wasm backend at 1 and 2 threads, each in its own process: the threads asked for ran,
    // and each line's speed-up is the one-thread median over its own.
    if (!report.wasmThreads || 'skipped' in report.wasmThreads) throw new Error(`wasm threads: ${report.wasmThreads && 'skipped' in report.wasmThreads ? report.wasmThreads.skipped : 'missing'}`);
    expect(report.wasmThreads.runs.map((r) => r.threads)).toEqual([1, 2]);
    const threadLines = report.wasmThreads.lines.filter((l) => l.network === 'pix2pix-iteration-ngf32');
    expect(threadLines.map((l) => l.threads)).toEqual([1, 2]);
    const [oneThread, twoThreads] = threadLines.map((l) => l.trainingStep as { medianMs: number; tensorsLeakedPerRep: number });
    expect(twoThreads!.tensorsLeakedPerRep).toBe(0);
    expect(threadLines[1]!.trainingSpeedupOverOneThread).toBeCloseTo(oneThread!.medianMs / twoThreads!.medianMs, 2);

    if ('skipped' in report.uiRoundTrip) throw new Error(`UI round trips: ${report.uiRoundTrip.skipped}`);
    expect(report.uiRoundTrip.duringTraining['http app.info'].calls).toBe(4);
    expect(report.uiRoundTrip.idle['gallery.list'].p50Ms).toBeGreaterThan(0);
  }, 240_000);

  it('--peer writes each network\'s time over PyTorch\'s (a script with fixed times stands in for PyTorch)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ganvas-bench-peer-'));
    dirs.push(dir);
    const out = join(dir, 'report.json');
    const code = await benchCommand([
      '--quick', '--quiet', '--backends', 'wasm',
      '--networks', 'pix2pix-unet-G-ngf64,srgan-srresnet-G-x4',
      '--sizes', '16', '--reps', '2', '--matmul', '64',
      '--ui-calls', '0', '--image-memory', 'off', '--svg-files', '0',
      '--onnx-threads', '1,2', '--wasm-threads', 'off',
      '--peer', '--peer-script', join(import.meta.dirname, 'fixtures', 'peer-fixed-times.py'),
      '--out', out,
    ]);
    expect(code).toBe(0);
    const report = BenchReport.parse(JSON.parse(await readFile(out, 'utf8')));
    if (!report.peer || 'skipped' in report.peer) throw new Error(`peer: ${report.peer && 'skipped' in report.peer ? report.peer.skipped : 'missing'}`);
    if (!report.onnx || 'skipped' in report.onnx) throw new Error('onnx lines missing');
    const onnxLines = report.onnx.lines;
    const wasm = report.backends.find((b) => b.backend === 'wasm')!;
    const unet = report.peer.lines.filter((l) => l.network === 'pix2pix-unet-G-ngf64' && l.pass === 'forward');
    expect(unet.map((l) => [l.threads, l.torchMs])).toEqual([[1, 10], [2, 5]]);
    const wasmUnet = wasm.lines.find((l) => l.network === 'pix2pix-unet-G-ngf64')!.forward as { medianMs: number };
    for (const line of unet) {
      expect(line.wasmMs).toBe(wasmUnet.medianMs);
      expect(line.wasmRatio).toBeCloseTo(wasmUnet.medianMs / line.torchMs, 2);
      const onnx = onnxLines.find((l) => l.network === 'pix2pix-unet-G-ngf64' && l.threads === line.threads)!.forward!;
      expect(line.onnxMs).toBe(onnx.medianMs);
      expect(line.onnxRatio).toBeCloseTo(onnx.medianMs / line.torchMs, 2);
    }
    // The pix2pix iteration was not run, so its PyTorch time has nothing to be divided into.
    const iteration = report.peer.lines.find((l) => l.network === 'pix2pix-iteration-ngf64')!;
    expect(iteration.torchMs).toBe(40);
    expect(iteration.wasmRatio).toBeUndefined();
    expect(report.peer.lines.filter((l) => l.network === 'srgan-srresnet-G-x4').every((l) => l.torchMs === 5 && l.onnxRatio! > 0)).toBe(true);
  }, 240_000);

  it('rejects unknown backends and networks with a usage error', async () => {
    expect(await benchCommand(['--backends', 'gpu', '--quiet'])).toBe(2);
    expect(await benchCommand(['--networks', 'vgg19', '--quiet', '--backends', 'wasm', '--ui-calls', '0', '--out', join(tmpdir(), 'unused.json')])).toBe(2);
  });
});
