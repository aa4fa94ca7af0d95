/**
 * A real pix2pix training job through the real job queue and worker, on a
 * tiny OpenMoji set: it learns, reports losses and an ETA, writes sample
 * grids, pauses and resumes, checkpoints on cancel and continues on retry.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { openPairedDataset } from '../../src/main/engine/data/index.js';
import type { InferenceModel } from '../../src/main/engine/gans/family.js';
import { pix2pix, pix2pixModel, type Pix2PixConfig } from '../../src/main/engine/gans/pix2pix/model.js';
import { createJobQueue, type JobInfo, type JobProgressEvent } from '../../src/main/engine/jobs/index.js';
import { jobKindModules } from '../../src/main/engine/jobs/kinds/index.js';
import { readSampleNotice, type SampleNotice } from '../../src/main/engine/jobs/kinds/sample-notice.js';
import { loadCheckpoint, readLossHistory } from '../../src/main/engine/train/index.js';
import { evaluatePaired } from '../../src/main/engine/train/paired-evaluation.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-train-job-'));
const dataDir = join(root, 'emoji');
const runDir = join(root, 'runs', 'emoji');
const queue = createJobQueue({ dataDir: join(root, 'studio'), workerModules: jobKindModules() });
const config = { size: 32, ngf: 8, ndf: 8, dropout: 0, steps: 160, sampleEvery: 40, checkpointEvery: 40, seed: 3, lr: { G: 1e-3, D: 1e-3 } };

beforeAll(async () => {
  await buildOpenMojiPairs(join(dataDir, 'train'), { count: 24, size: 32, start: 100 });
  await buildOpenMojiPairs(join(dataDir, 'test'), { count: 8, size: 32, start: 900 });
  await initBackend();
}, 120_000);
afterAll(async () => {
  await queue.close();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 6000 && !check(); i++) await sleep(20);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

async function heldOutL1(model: InferenceModel): Promise<number> {
  const held = await openPairedDataset(dataDir, { size: 32, loadSize: 32, flip: false, split: 'test' });
  const pairs = async function* () {
    for (let i = 0; i < held.size; i++) yield await held.batchAt(i, 1);
  };
  return (await evaluatePaired(model, pairs())).l1;
}

it('lists the train job module for the worker, from source', () => {
  const modules = jobKindModules();
  expect(modules.some((url) => url.startsWith('file:') && url.endsWith('/kinds/train.ts'))).toBe(true);
  expect(modules.every((url) => existsSync(new URL(url)))).toBe(true);
  // From the build, the kinds are separate entries beside the bundled main module.
  expect(jobKindModules('file:///app/out/main/index.js')).toEqual([]);
});

it('trains pix2pix in the worker: progress with losses and ETA, samples, pause, cancel with a checkpoint, retry to the end', async () => {
  const progress: JobProgressEvent[] = [];
  const statuses: JobInfo['status'][] = [];
  const samples: SampleNotice[] = [];
  const logs: string[] = [];
  queue.on('progress', (event) => progress.push(event));
  queue.on('status', (info) => statuses.push(info.status));
  queue.on('log', (event) => {
    const notice = readSampleNotice(event.message);
    if (notice) samples.push(notice);
    else logs.push(event.message);
  });

  const job = queue.start('train', { family: 'pix2pix', dataDir, runDir, config }, { title: 'emoji' });
  const done = () => queue.get(job.id)?.progress.done ?? 0;

  await waitUntil(() => done() >= 10, 'step 10');
  queue.pause(job.id);
  await waitUntil(() => progress.some((e) => e.status === 'paused' && e.progress.rate !== null), 'the pause');
  await sleep(300); // the step in flight ends, then nothing moves
  const pausedAt = done();
  await sleep(1200);
  expect(done()).toBe(pausedAt);
  expect(existsSync(join(runDir, 'checkpoint'))).toBe(true); // the trainer checkpoints when paused
  queue.resume(job.id);

  await waitUntil(() => done() >= pausedAt + 30, 'training after resume');
  queue.cancel(job.id);
  const cancelled = await queue.waitFor(job.id);
  expect(cancelled.status).toBe('cancelled');
  const stoppedAt = (cancelled.result as { step: number }).step;
  expect(stoppedAt).toBeGreaterThanOrEqual(pausedAt + 30);
  expect(stoppedAt).toBeLessThan(config.steps);
  const checkpoint = await loadCheckpoint(runDir);
  expect(checkpoint.step).toBe(stoppedAt);
  checkpoint.model.dispose();

  const retried = queue.resumeJob(job.id);
  expect(retried.attempt).toBe(2);
  const finished = await queue.waitFor(job.id);
  expect(finished.status, finished.error).toBe('succeeded');
  expect(finished.result).toMatchObject({ step: config.steps, status: 'completed', resumedFrom: stoppedAt });

  // Progress: losses and an ETA while running; the final state arrives.
  const running = progress.filter((e) => e.id === job.id && e.status === 'running' && e.progress.done > 0);
  expect(running.length).toBeGreaterThan(5);
  expect(running.some((e) => e.progress.etaSeconds !== null && e.progress.etaSeconds > 0)).toBe(true);
  expect(Object.keys(running.at(-1)!.progress.losses ?? {})).toEqual(['G_GAN', 'G_L1', 'D_real', 'D_fake']);
  expect(finished.progress).toMatchObject({ done: config.steps, total: config.steps, unit: 'step' });
  expect(statuses).toEqual(expect.arrayContaining(['queued', 'running', 'paused', 'cancelled', 'succeeded']));
  expect(logs.some((line) => line.includes('24 pairs') && line.includes('new run'))).toBe(true);
  expect(logs.some((line) => line.includes(`continuing from step ${stoppedAt}`))).toBe(true);

  // Samples: a notice per grid, pointing at the PNG on disk.
  expect(samples.map((s) => s.step)).toEqual(expect.arrayContaining([40, 160]));
  for (const sample of samples) expect(readFileSync(sample.file).subarray(1, 4).toString()).toBe('PNG');

  // The run continued rather than restarting: every step once in the loss history.
  const history = await readLossHistory(runDir);
  expect(history.map((entry) => entry.step)).toEqual(Array.from({ length: config.steps }, (_, i) => i));

  // It learned: held-out L1 well below the untrained generator's (same settings, same seed).
  const tensorsBefore = tf.memory().numTensors;
  const trained = await loadCheckpoint(runDir, { family: pix2pix });
  const untrained = pix2pixModel.build(trained.config as Pix2PixConfig);
  const trainedL1 = await heldOutL1(trained.model);
  const untrainedL1 = await heldOutL1(untrained);
  trained.model.dispose();
  untrained.dispose();
  console.log(`held-out L1 on [0,1]: untrained ${untrainedL1.toFixed(4)}, trained ${trainedL1.toFixed(4)}`);
  expect(trainedL1).toBeLessThan(untrainedL1 * 0.7);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
}, 300_000);

it('fails a job on an unusable folder with the dataset message, and on settings that do not fit', async () => {
  const notes = join(root, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'readme.txt'), 'not an image');
  const noImages = queue.start('train', { family: 'pix2pix', dataDir: notes, runDir: join(root, 'runs', 'x'), config: { size: 32 } });
  const failed = await queue.waitFor(noImages.id);
  expect(failed.status).toBe('failed');
  console.log(`a folder without images: ${failed.error}`);
  expect(failed.error).toContain(notes);
  expect(failed.error).toMatch(/image/i);

  const badSize = queue.start('train', { family: 'pix2pix', dataDir, runDir: join(root, 'runs', 'y'), config: { size: 48 } });
  expect((await queue.waitFor(badSize.id)).error).toMatch(/Invalid Pix2Pix settings: size: must be a power of two/);

  const relative = queue.start('train', { family: 'pix2pix', dataDir: 'emoji', runDir });
  expect((await queue.waitFor(relative.id)).error).toMatch(/dataDir: must be an absolute path/);
}, 120_000);
