/**
 * A training run on the Redis queue survives its worker: started from the
 * studio (`--redis`), trained by one `ganvas worker`, which is SIGKILLed
 * mid-run; a second worker takes the job once the first one's lock runs out
 * and continues from the run folder's last checkpoint (not from step 0),
 * the loss history has every step once, and the model learned.
 *
 * Real Redis, real worker processes, a tiny Pix2Pix on real OpenMoji pairs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRedisQueue } from '../../src/main/engine/redis-queue/loader.js';
import { openStudio } from '../../src/main/api/studio.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { openPairedDataset } from '../../src/main/engine/data/index.js';
import type { InferenceModel } from '../../src/main/engine/gans/family.js';
import { pix2pix, pix2pixModel, type Pix2PixConfig } from '../../src/main/engine/gans/pix2pix/model.js';
import { loadCheckpoint, readLossHistory } from '../../src/main/engine/train/index.js';
import { evaluatePaired } from '../../src/main/engine/train/paired-evaluation.js';
import type { JobInfo } from '../../src/shared/jobs.js';
import { startCli, type RunningCli } from './fixtures/cli-process.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';
import { redisAvailable, startRedis, type TestRedis } from './fixtures/redis-server.js';

const skip = redisAvailable();
const root = mkdtempSync(join(tmpdir(), 'ganvas-redis-train-'));
const data = join(root, 'emoji');
const studioDir = join(root, 'studio');
const config = { size: 32, ngf: 8, ndf: 8, dropout: 0, steps: 120, sampleEvery: 1000, checkpointEvery: 20, seed: 3, lr: { G: 1e-3, D: 1e-3 } };
let redis: TestRedis;
const workers: RunningCli[] = [];

function startWorker(): RunningCli {
  const worker = startCli(['worker', '--redis', redis.url, '--data-dir', studioDir, '--takes', 'train'], {
    env: { GANVAS_WORKER_LOCK_MS: '3000', GANVAS_BACKEND: 'wasm' },
  });
  workers.push(worker);
  return worker;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function heldOutL1(model: InferenceModel): Promise<number> {
  const held = await openPairedDataset(data, { size: 32, loadSize: 32, flip: false, split: 'test' });
  const pairs = async function* () {
    for (let i = 0; i < held.size; i++) yield await held.batchAt(i, 1);
  };
  return (await evaluatePaired(model, pairs())).l1;
}

beforeAll(async () => {
  // A studio with a Redis URL needs the queue module loaded first (it is not loaded without one).
  await loadRedisQueue();
  if (skip) return;
  await buildOpenMojiPairs(join(data, 'train'), { count: 24, size: 32, start: 100 });
  await buildOpenMojiPairs(join(data, 'test'), { count: 8, size: 32, start: 900 });
  redis = await startRedis();
}, 120_000);

afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(skip !== null)(`training on the Redis queue${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('resumes on another worker from the last checkpoint after its worker is killed', async () => {
    const runDir = join(studioDir, 'runs', 'emoji');
    const studio = openStudio({ dataDir: studioDir, transport: 'http', redisUrl: redis.url, log: () => {} });
    const logs: string[] = [];
    studio.context.jobs.on('log', (event) => logs.push(event.message));
    try {
      const first = startWorker();
      await first.waitFor(/GANvas worker .*takes train/, 90_000);
      const job: JobInfo = studio.context.jobs.start('train', { family: 'pix2pix', dataDir: data, runDir, config }, { title: 'emoji' });
      expect(job.queue).toBe('redis');
      const done = () => studio.context.jobs.get(job.id)?.progress.done ?? 0;
      for (let i = 0; i < 1200 && done() < 50; i++) await sleep(100);
      expect(done()).toBeGreaterThanOrEqual(50);
      const killedAt = done();
      first.child.kill('SIGKILL');
      await first.exited;
      expect(studio.context.jobs.get(job.id)!.status).toBe('running');

      const second = startWorker();
      await second.waitFor(/GANvas worker/, 90_000);
      const finished = await studio.context.jobs.waitFor(job.id);
      expect(finished.status, finished.error).toBe('succeeded');
      const result = finished.result as { step: number; status: string; resumedFrom?: number };
      expect(result).toMatchObject({ step: config.steps, status: 'completed' });
      // From the last checkpoint before the kill: a multiple of checkpointEvery, at most where it was killed, not 0.
      expect(result.resumedFrom).toBeGreaterThanOrEqual(40);
      expect(result.resumedFrom! % config.checkpointEvery).toBe(0);
      expect(result.resumedFrom).toBeLessThanOrEqual(killedAt + config.checkpointEvery);
      expect(logs.some((line) => line.includes(`continuing from step ${result.resumedFrom}`))).toBe(true);
      expect(finished.workers).toHaveLength(2);

      // Every step once: the steps the killed worker did after its checkpoint were redone, not doubled.
      const history = await readLossHistory(runDir);
      expect(history.map((entry) => entry.step)).toEqual(Array.from({ length: config.steps }, (_, i) => i));

      // It learned: held-out L1 well below the untrained generator's (same settings, same seed).
      await initBackend();
      const trained = await loadCheckpoint(runDir, { family: pix2pix });
      const untrained = pix2pixModel.build(trained.config as Pix2PixConfig);
      const trainedL1 = await heldOutL1(trained.model);
      const untrainedL1 = await heldOutL1(untrained);
      trained.model.dispose();
      untrained.dispose();
      console.log(`queue training: killed at step ${killedAt}, resumed from ${result.resumedFrom}; held-out L1 untrained ${untrainedL1.toFixed(4)}, trained ${trainedL1.toFixed(4)}`);
      expect(trainedL1).toBeLessThan(untrainedL1 * 0.8);
    } finally {
      await studio.close();
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
  }, 300_000);
});
