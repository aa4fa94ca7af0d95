/**
 * The studio with `--redis`: a 200-image folder job as a BullMQ flow over
 * three real `ganvas worker` processes, one of them SIGKILLed twice while it
 * translates. Every output must exist once and decode whole (none partial,
 * no temporary file left), the gallery must hold exactly 200 items, and a
 * second run of the same folder must translate nothing.
 *
 * Real Redis (a private redis-server, or REDIS_URL), real workers, the
 * bundled 64 px Pix2Pix model, real emoji images copied at test time.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRedisQueue } from '../../src/main/engine/redis-queue/loader.js';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { checkRedis, RedisUnreachableError } from '../../src/main/engine/redis-queue/connection.js';
import { IMAGE_QUEUE, imageJobId } from '../../src/main/engine/redis-queue/names.js';
import type { JobInfo } from '../../src/shared/jobs.js';
import { startCli, type RunningCli } from './fixtures/cli-process.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { exportModel } from '../../src/main/engine/models/export-model.js';
import { trainTinySrgan } from './srgan-fixture.js';
import { redisAvailable, startRedis, type TestRedis } from './fixtures/redis-server.js';

const skip = redisAvailable();
const IMAGES = 200;
/** Images of the folder the cancel test stops: enough that a worker held after 5 cannot have finished it. */
const CANCEL_IMAGES = 120;
const MODEL = 'bundled:pix2pix-openmoji-64';

let root: string;
let redis: TestRedis;
const workers: RunningCli[] = [];

function startWorker(dataDir: string): RunningCli {
  const worker = startCli(['worker', '--redis', redis.url, '--data-dir', dataDir], {
    // Short job locks, so a killed worker's image goes to another within seconds.
    env: { GANVAS_WORKER_LOCK_MS: '3000', GANVAS_BACKEND: 'wasm' },
  });
  workers.push(worker);
  return worker;
}

async function emojiFolder(dir: string, count: number): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const source = path.join(path.dirname(require.resolve('emoji-datasource-twitter/package.json')), 'img', 'twitter', '64');
  const names = (await fs.readdir(source)).filter((n) => n.endsWith('.png')).sort().slice(0, count);
  await fs.mkdir(dir, { recursive: true });
  await Promise.all(names.map((name) => fs.copyFile(path.join(source, name), path.join(dir, name))));
  return names;
}

async function modelVersion(studio: Studio): Promise<string> {
  const location = await studio.context.models.resolve(MODEL);
  return `${location.id}@${location.version}`;
}

/** `promise`, or after `ms` an error saying where the job and the workers were (a stuck job names its state). */
async function within<T>(promise: Promise<T>, ms: number, studio: Studio, id: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const tails = workers.map((w) => `--- worker ${w.child.pid}\n${(w.stdout + w.stderr).slice(-1500)}`).join('\n');
      reject(new Error(`after ${ms} ms the job is ${JSON.stringify(studio.context.jobs.get(id))}\n${tails}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** tf.memory().numTensors of the one worker connected, from its heartbeat (the status bar's call). */
async function workerTensors(studio: Studio): Promise<number> {
  const status = (await studio.dispatch('queue.status', {})) as { ok: true; value: { workers: { tensors: number }[] } };
  expect(status.value.workers).toHaveLength(1);
  return status.value.workers[0]!.tensors;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `dir` holds `atLeast` finished outputs (temporary files aside); checked every 5 ms. */
async function waitForFiles(dir: string, atLeast: number): Promise<void> {
  for (;;) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    if (names.filter((n) => !n.endsWith('.ganvas-tmp')).length >= atLeast) return;
    await sleep(5);
  }
}

function waitForProgress(studio: Studio, id: string, atLeast: number): Promise<void> {
  return new Promise((resolve) => {
    if ((studio.context.jobs.get(id)?.progress.done ?? 0) >= atLeast) return resolve();
    const off = studio.context.jobs.on('progress', (event) => {
      if (event.id === id && event.progress.done >= atLeast) {
        off();
        resolve();
      }
    });
  });
}

beforeAll(async () => {
  // A studio with a Redis URL needs the queue module loaded first (it is not loaded without one).
  await loadRedisQueue();
  if (skip) return;
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-redis-queue-'));
  redis = await startRedis();
});

afterAll(async () => {
  for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await redis?.stop();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

describe.skipIf(skip !== null)(`BullMQ on Redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('refuses a Redis it cannot reach with a message naming it', async () => {
    const error = await checkRedis('redis://127.0.0.1:1', 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as Error).message).toMatch(/127\.0\.0\.1:1 cannot be reached/);
  });

  it('image job ids change with the model version, settings, output and input bytes, and not with key order', () => {
    const base = { model: MODEL, modelVersion: 'v1', options: { a: 1, b: { c: 2, d: 3 } }, outputPath: '/out/a.png', input: Buffer.from('abc') };
    const id = imageJobId(base);
    expect(imageJobId({ ...base, options: { b: { d: 3, c: 2 }, a: 1 } })).toBe(id);
    for (const changed of [
      { ...base, modelVersion: 'v2' },
      { ...base, options: { a: 2, b: { c: 2, d: 3 } } },
      { ...base, outputPath: '/out/b.png' },
      { ...base, input: Buffer.from('abd') },
    ]) {
      expect(imageJobId(changed)).not.toBe(id);
    }
  });

  it('translates 200 images over 3 workers, one killed twice, each output once and whole, 200 gallery items; a second run does no work', async () => {
    const dataDir = path.join(root, 'studio');
    const inputDir = path.join(root, 'emoji');
    const outputDir = path.join(root, 'coloured');
    const names = await emojiFolder(inputDir, IMAGES);
    const studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
    try {
      const steady = [startWorker(dataDir), startWorker(dataDir)];
      let victim = startWorker(dataDir);
      await Promise.all([...steady, victim].map((w) => w.waitFor(/GANvas worker .*: wasm backend \(CPU\)/, 90_000)));
      // The status bar's call: three workers, each announcing its backend.
      const status = await studio.dispatch('queue.status', {});
      expect(status).toMatchObject({ ok: true, value: { backend: 'redis', url: redis.url } });
      const announced = (status as { ok: true; value: { workers: { backend: string; gpu: boolean; takes: string[] }[] } }).value.workers;
      expect(announced.map((w) => [w.backend, w.gpu, w.takes])).toEqual(Array(3).fill(['wasm', false, ['images', 'train']]));

      const started = await studio.dispatch('translate.folder', { modelId: MODEL, inputDir, outputDir, saveToGallery: true });
      expect(started.ok).toBe(true);
      const job = (started as { ok: true; value: JobInfo }).value;
      expect(job.queue).toBe('redis');

      // Kill the third worker hard while it translates, bring one back, and once it has taken an image kill that one too.
      // The two others are frozen (SIGSTOP) while the new one starts, or they would finish the folder first; their
      // locks run out meanwhile, so the images they held go to another worker and their late results are refused.
      await within(waitForProgress(studio, job.id, 10), 60_000, studio, job.id);
      victim.child.kill('SIGKILL');
      await victim.exited;
      for (const worker of steady) worker.child.kill('SIGSTOP');
      victim = startWorker(dataDir);
      const [, victimName] = (await victim.waitFor(/GANvas worker (\S+):/, 90_000)) as RegExpMatchArray;
      for (const worker of steady) worker.child.kill('SIGCONT');
      for (let i = 0; i < 600 && !studio.context.jobs.get(job.id)!.workers?.includes(victimName!); i++) await sleep(50);
      expect(studio.context.jobs.get(job.id)!.workers).toContain(victimName);
      victim.child.kill('SIGKILL');
      await victim.exited;
      const atSecondKill = studio.context.jobs.get(job.id)!;
      expect(atSecondKill.status).toBe('running');
      expect(atSecondKill.progress.done).toBeLessThan(IMAGES);

      const finished = await within(studio.context.jobs.waitFor(job.id), 90_000, studio, job.id);
      expect(finished.error).toBeUndefined();
      expect(finished.status).toBe('succeeded');
      expect(finished.progress).toMatchObject({ done: IMAGES, total: IMAGES, unit: 'image' });
      const result = finished.result as { translated: number; skipped: number; failed: unknown[]; galleryItemIds: number[]; workers: string[] };
      expect(result.failed).toEqual([]);
      expect(result.translated).toBe(IMAGES);
      expect(result.galleryItemIds).toHaveLength(IMAGES);
      // Both killed workers took images before they died, besides the two that stayed.
      expect(result.workers.length).toBe(4);

      // The images the killed workers held were taken again by another worker after their lock ran out.
      const images = new Queue(IMAGE_QUEUE, { connection: { url: redis.url } });
      try {
        const ids = await Promise.all(
          names.map(async (name) => imageJobId({ model: MODEL, modelVersion: await modelVersion(studio), options: {}, outputPath: path.join(outputDir, name), input: await fs.readFile(path.join(inputDir, name)) })),
        );
        const jobs = await Promise.all(ids.map((id) => images.getJob(id)));
        expect(jobs.every((j) => j !== undefined)).toBe(true);
        const retried = jobs.filter((j) => j!.stalledCounter > 0 || j!.attemptsStarted > 1);
        expect(retried.length).toBeGreaterThanOrEqual(1);
        expect(new Set(jobs.map((j) => (j!.returnvalue as { worker: string }).worker)).size).toBeGreaterThanOrEqual(3);
      } finally {
        await images.close();
      }

      // Exactly the 200 outputs: no duplicates, no temporary files, each a whole 64×64 PNG.
      const written = (await fs.readdir(outputDir)).sort();
      expect(written).toEqual([...names].sort());
      for (const name of written) {
        const meta = await sharp(await fs.readFile(path.join(outputDir, name))).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
      }
      expect(studio.context.gallery.list({ limit: 1 }).total).toBe(IMAGES);

      // The same folder again: every image is found done in Redis, nothing is translated or added.
      const mtimes = await Promise.all(written.map(async (name) => (await fs.stat(path.join(outputDir, name))).mtimeMs));
      const again = (await studio.dispatch('translate.folder', { modelId: MODEL, inputDir, outputDir, saveToGallery: true })) as { ok: true; value: JobInfo };
      const second = await studio.context.jobs.waitFor(again.value.id);
      expect(second.status).toBe('succeeded');
      expect(second.result).toMatchObject({ translated: 0, skipped: IMAGES, failed: [], galleryItemIds: [] });
      expect(await Promise.all(written.map(async (name) => (await fs.stat(path.join(outputDir, name))).mtimeMs))).toEqual(mtimes);
      expect(studio.context.gallery.list({ limit: 1 }).total).toBe(IMAGES);
    } finally {
      await studio.close();
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
  }, 240_000);

  it('cancels a folder job per image (images no worker took are dropped) and resumes it to finish only the rest', async () => {
    const dataDir = path.join(root, 'studio-cancel');
    const inputDir = path.join(root, `emoji-${CANCEL_IMAGES}`);
    const outputDir = path.join(root, `coloured-${CANCEL_IMAGES}`);
    const names = await emojiFolder(inputDir, CANCEL_IMAGES);
    const studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
    const worker = startWorker(dataDir);
    try {
      await worker.waitFor(/GANvas worker/, 90_000);
      const started = (await studio.dispatch('translate.folder', { modelId: MODEL, inputDir, outputDir, saveToGallery: true })) as { ok: true; value: JobInfo };
      const id = started.value.id;
      // The worker is held still as soon as 5 outputs are on disk, and while the cancel reaches Redis:
      // on ONNX Runtime it translates a 64 px image in milliseconds, far faster than the studio polls
      // (every 500 ms), so waiting for the studio's progress let it finish the whole folder first.
      await within(waitForFiles(outputDir, 5), 60_000, studio, id);
      worker.child.kill('SIGSTOP');
      expect(studio.context.jobs.cancel(id).status).toBe('running');
      await sleep(1200);
      worker.child.kill('SIGCONT');
      const cancelled = await within(studio.context.jobs.waitFor(id), 60_000, studio, id);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.resumable).toBe(true);
      const doneAtCancel = cancelled.progress.done;
      expect(doneAtCancel).toBeGreaterThanOrEqual(5);
      expect(doneAtCancel).toBeLessThan(CANCEL_IMAGES);
      // What was done is on disk and in the gallery; nothing more is written after the cancel.
      await sleep(1500);
      const afterCancel = (await fs.readdir(outputDir)).filter((n) => !n.endsWith('.ganvas-tmp'));
      expect(afterCancel).toHaveLength(doneAtCancel);
      expect(studio.context.gallery.list({ limit: 1 }).total).toBe(doneAtCancel);
      // Tensors in the (idle) worker after the first attempt, to compare after the rest of the folder.
      await sleep(3500);
      const tensorsAfterCancel = await workerTensors(studio);
      // Pausing is refused with a reason: queue jobs cancel and resume instead.
      expect(() => studio.context.jobs.pause(id)).toThrow(/cannot be paused/);

      const resumed = studio.context.jobs.resumeJob(id);
      expect(resumed.attempt).toBe(2);
      const finished = await within(studio.context.jobs.waitFor(id), 90_000, studio, id);
      expect(finished.status).toBe('succeeded');
      expect(finished.result).toMatchObject({ translated: CANCEL_IMAGES - doneAtCancel, skipped: doneAtCancel, failed: [] });
      expect((await fs.readdir(outputDir)).sort()).toEqual([...names].sort());
      expect(studio.context.gallery.list({ limit: 1 }).total).toBe(CANCEL_IMAGES);
      // The worker's tensors stayed flat over the rest of the folder (the model stays loaded, nothing per image is left).
      await sleep(3500);
      expect(await workerTensors(studio)).toBe(tensorsAfterCancel);
      expect(tensorsAfterCancel).toBeGreaterThan(0);
    } finally {
      await studio.close();
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 180_000);

  it('upscales uploads one image job each on a worker, in the gallery once, and fails only the corrupt file', async () => {
    const dataDir = path.join(root, 'studio-upscale');
    const studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
    const worker = startWorker(dataDir);
    const crop = async (file: string, format: 'jpeg' | 'png') =>
      (await sharp(path.join('/usr/share/backgrounds/mate/nature', file)).extract({ left: 900, top: 700, width: 96, height: 64 })[format]().toBuffer()).toString('base64');
    try {
      await worker.waitFor(/GANvas worker/, 90_000);
      const files = [
        { name: 'wood.jpg', dataBase64: await crop('Wood.jpg', 'jpeg') },
        { name: 'broken.jpg', dataBase64: Buffer.from('this is not a JPEG at all, just text').toString('base64') },
        { name: 'garden.png', dataBase64: await crop('Garden.jpg', 'png') },
      ];
      const started = (await studio.dispatch('upscale.images', { files, scale: 2, modelId: 'npm:esrgan-slim-x2' })) as { ok: true; value: JobInfo };
      expect(started.value.queue).toBe('redis');
      const job = await within(studio.context.jobs.waitFor(started.value.id), 120_000, studio, started.value.id);
      expect(job.status, job.error).toBe('succeeded');
      expect(job.progress).toMatchObject({ done: 3, total: 3, unit: 'image' });
      const result = job.result as { modelId: string; done: { name: string; width: number; height: number }[]; failed: { name: string; reason: string }[]; galleryItemIds: number[]; workers: string[] };
      expect(result.modelId).toBe('npm:esrgan-slim-x2');
      expect(result.done.map((d) => [d.name, d.width, d.height])).toEqual([
        ['wood.jpg', 192, 128],
        ['garden.png', 192, 128],
      ]);
      expect(result.failed.map((f) => f.name)).toEqual(['broken.jpg']);
      expect(result.failed[0]!.reason).toMatch(/^broken\.jpg: /);
      expect(result.workers).toHaveLength(1);
      expect(result.galleryItemIds).toHaveLength(2);
      for (const id of result.galleryItemIds) {
        const item = studio.context.gallery.get(id);
        expect(item.kind).toBe('upscale');
        expect([item.output.width, item.output.height]).toEqual([192, 128]);
      }
      const [folder] = await fs.readdir(path.join(dataDir, 'upscaled'));
      expect((await fs.readdir(path.join(dataDir, 'upscaled', folder!))).sort()).toEqual(['garden-x2.png', 'wood-x2.jpg']);
      // The uploads go once their job has succeeded, as on the in-process queue.
      await expect(fs.stat(path.join(dataDir, 'uploads', folder!))).rejects.toThrow();
    } finally {
      await studio.close();
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 180_000);

  it("upscales with the user's own SRGAN model on a worker that finds it in its data folder", async () => {
    const dataDir = path.join(root, 'studio-srgan');
    await initBackend({ prefer: 'wasm' });
    await exportModel(await trainTinySrgan(path.join(root, 'srgan')), path.join(dataDir, 'models', 'tiny-x2'));
    const studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
    const worker = startWorker(dataDir);
    try {
      await worker.waitFor(/GANvas worker/, 90_000);
      const photo = (await sharp('/usr/share/backgrounds/mate/nature/Wood.jpg').extract({ left: 900, top: 700, width: 90, height: 61 }).png().toBuffer()).toString('base64');
      const started = (await studio.dispatch('upscale.images', { files: [{ name: 'wood.png', dataBase64: photo }], scale: 2, modelId: 'user:tiny-x2' })) as { ok: true; value: JobInfo };
      expect(started.ok, JSON.stringify(started)).toBe(true);
      expect(started.value.queue).toBe('redis');
      const job = await within(studio.context.jobs.waitFor(started.value.id), 120_000, studio, started.value.id);
      expect(job.status, job.error).toBe('succeeded');
      const result = job.result as { modelId: string; done: { name: string; width: number; height: number }[]; galleryItemIds: number[] };
      expect(result.modelId).toBe('user:tiny-x2');
      expect(result.done.map((d) => [d.name, d.width, d.height])).toEqual([['wood.png', 180, 122]]);
      expect(studio.context.gallery.get(result.galleryItemIds[0]!).modelId).toBe('user:tiny-x2');
    } finally {
      await studio.close();
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 180_000);

  it('a studio that restarts mid-folder follows the job again: the workers went on, the gallery gets each image once', async () => {
    const dataDir = path.join(root, 'studio-restart');
    const inputDir = path.join(root, 'emoji-restart');
    const outputDir = path.join(root, 'coloured-restart');
    const names = await emojiFolder(inputDir, 40);
    let studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
    const worker = startWorker(dataDir);
    try {
      await worker.waitFor(/GANvas worker/, 90_000);
      const started = (await studio.dispatch('translate.folder', { modelId: MODEL, inputDir, outputDir, saveToGallery: true })) as { ok: true; value: JobInfo };
      const id = started.value.id;
      await within(waitForFiles(outputDir, 5), 60_000, studio, id);
      worker.child.kill('SIGSTOP'); // so images are still waiting when the studio is back
      await studio.close();
      worker.child.kill('SIGCONT');

      studio = openStudio({ dataDir, transport: 'http', redisUrl: redis.url, log: () => {} });
      expect(studio.context.jobs.get(id)?.status).toBe('running');
      const finished = await within(studio.context.jobs.waitFor(id), 90_000, studio, id);
      expect(finished.status, finished.error).toBe('succeeded');
      expect(finished.attempt).toBe(1);
      const result = finished.result as { translated: number; skipped: number; failed: unknown[] };
      expect(result.failed).toEqual([]);
      expect(result.translated + result.skipped).toBe(40);
      expect(result.skipped).toBeGreaterThanOrEqual(5);
      expect((await fs.readdir(outputDir)).sort()).toEqual([...names].sort());
      expect(studio.context.gallery.list({ limit: 1 }).total).toBe(40);
    } finally {
      await studio.close();
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 180_000);

  it('ganvas translate --redis queues a folder for the workers, and a second run finds every image done', async () => {
    const dataDir = path.join(root, 'cli-data');
    const inputDir = path.join(root, 'emoji-cli');
    const outputDir = path.join(root, 'coloured-cli');
    const names = await emojiFolder(inputDir, 12);
    const worker = startWorker(dataDir);
    try {
      await worker.waitFor(/GANvas worker/, 90_000);
      const args = ['translate', '--redis', redis.url, '--model', MODEL, '--input', inputDir, '--output', outputDir, '--data-dir', dataDir];
      const first = await startCli(args).exited;
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/12 translated, 0 done earlier, 0 failed/);
      expect((await fs.readdir(outputDir)).sort()).toEqual([...names].sort());
      const second = await startCli(args).exited;
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/0 translated, 12 done earlier, 0 failed/);
      const single = await startCli(['translate', '--redis', redis.url, '--model', MODEL, '--input', path.join(inputDir, names[0]!), '--output', path.join(root, 'one.png')]).exited;
      expect(single.code).toBe(2);
      expect(single.stderr).toMatch(/--redis queues the images of a folder/);

      // Garbage on the queue fails once, with a reason, and the worker goes on.
      const images = new Queue(IMAGE_QUEUE, { connection: { url: redis.url } });
      try {
        const bogus = await images.add('image', { op: 'paint', inputPath: 42 }, { jobId: 'img-bogus', attempts: 5 });
        let state = '';
        for (let i = 0; i < 200 && state !== 'failed'; i++, await sleep(50)) state = await bogus.getState();
        const failed = (await images.getJob('img-bogus'))!;
        expect(state).toBe('failed');
        expect(failed.attemptsMade).toBe(1);
        expect(failed.failedReason).toMatch(/not an image job worker \S+ can run/);
        expect(worker.child.exitCode).toBeNull();
      } finally {
        await images.close();
      }
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  }, 180_000);
});
