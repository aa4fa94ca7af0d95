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

    if ('skipped' in report.uiRoundTrip) throw new Error(`UI round trips: ${report.uiRoundTrip.skipped}`);
    expect(report.uiRoundTrip.duringTraining['http app.info'].calls).toBe(4);
    expect(report.uiRoundTrip.idle['gallery.list'].p50Ms).toBeGreaterThan(0);
  }, 240_000);

  it('rejects unknown backends and networks with a usage error', async () => {
    expect(await benchCommand(['--backends', 'gpu', '--quiet'])).toBe(2);
    expect(await benchCommand(['--networks', 'vgg19', '--quiet', '--backends', 'wasm', '--ui-calls', '0', '--out', join(tmpdir(), 'unused.json')])).toBe(2);
  });
});
