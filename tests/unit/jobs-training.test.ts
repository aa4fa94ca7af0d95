/**
 * A real tfjs training loop in the job worker: the thread serving the UI keeps
 * its event loop free, tfjs never loads there, and the worker leaks no tensors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createJobQueue } from '../../src/main/engine/jobs/job-queue.js';
import type { JobProgressEvent } from '../../src/main/engine/jobs/types.js';

const trainingJobs = fileURLToPath(new URL('./fixtures/jobs/conv-training.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ganvas-jobs-training-'));
const queue = createJobQueue({ dataDir, workerModules: [trainingJobs] });
afterAll(async () => {
  await queue.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('trains in the worker while the main thread keeps ticking, and leaks no tensors across jobs', async () => {
  const tfjsOnMainBefore = '_tfengine' in globalThis;
  const baseline = await queue.stats(); // also waits for the worker to load tfjs

  const events: JobProgressEvent[] = [];
  queue.on('progress', (event) => events.push(event));
  const intervalMs = 10;
  let ticks = 0;
  let worstLagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worstLagMs = Math.max(worstLagMs, now - last - intervalMs);
    last = now;
    ticks += 1;
  }, intervalMs);
  const started = performance.now();
  const job = queue.start('train-tiny-conv-net', { steps: 25 });
  while ((queue.get(job.id)?.progress.done ?? 0) < 5) await new Promise((resolve) => setTimeout(resolve, 20));
  // The counters are live: mid-training the model's weights and Adam's moments are tensors.
  const during = await queue.stats();
  const first = await queue.waitFor(job.id);
  const elapsedMs = performance.now() - started;
  clearInterval(timer);

  expect(first.status).toBe('succeeded');
  const losses = events.filter((e) => e.id === job.id).map((e) => e.progress.losses?.mse ?? Number.NaN);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses.at(-1)).toBeLessThan(losses[0]!);
  expect(first.progress.done).toBe(25);

  // A main thread blocked by training would get almost no ticks; a free one gets about elapsed/10.
  const possibleTicks = elapsedMs / intervalMs;
  console.log(
    `training ${elapsedMs.toFixed(0)} ms: main thread ticked ${ticks} of ~${possibleTicks.toFixed(0)} times, worst timer lag ${worstLagMs.toFixed(1)} ms`,
  );
  expect(ticks).toBeGreaterThan(possibleTicks * 0.3);
  expect('_tfengine' in globalThis).toBe(tfjsOnMainBefore);

  const afterFirst = await queue.stats();
  const second = queue.start('train-tiny-conv-net', { steps: 3 });
  expect((await queue.waitFor(second.id)).status).toBe('succeeded');
  const afterSecond = await queue.stats();
  console.log(`worker tensors: ${baseline.numTensors} at start, ${during.numTensors} while training, ${afterFirst.numTensors} after job 1, ${afterSecond.numTensors} after job 2`);
  expect(during.numTensors).toBeGreaterThan(baseline.numTensors + 6);
  expect(afterFirst.numTensors).toBe(baseline.numTensors);
  expect(afterSecond.numTensors).toBe(afterFirst.numTensors);
  expect(afterSecond.numBytes).toBe(afterFirst.numBytes);
  expect(afterSecond.rssBytes).toBeGreaterThan(0);
});
