/**
 * `ganvas worker --redis URL`: takes jobs from the BullMQ queues and runs
 * them on this machine, with the same engine code the in-process queue runs:
 * one image of a folder job (translateFileTo, the loop body of
 * translateFolder) or a whole training run (the `train` job kind, with a
 * JobContext made from the BullMQ job).
 *
 * Faults: BullMQ holds a lock on every active job that this worker renews;
 * a worker that dies (SIGKILL, power) stops renewing it, and another
 * worker's stalled-job check puts the job back in the queue. An image is
 * written under a temporary name and renamed, so a killed worker leaves no
 * partial output; a training run resumes from the run folder's last
 * checkpoint, and the run folder's owner lock keeps it to one trainer.
 *
 * This process loads tfjs (lazily, on the first job); the studio never does.
 */
import os from 'node:os';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { isGpuBackend } from '../../../shared/backend.js';
import { UserFacingError } from '../errors.js';
import { JobCancelledError, type JobContext, type JobJournal } from '../jobs/job-kind.js';
import type { ProgressReport } from '../jobs/progress-meter.js';
import { redisClient } from './connection.js';
import {
  cancelKey,
  FOLDER_QUEUE,
  IMAGE_QUEUE,
  ImageJobData,
  jobWorkersKey,
  TRAIN_QUEUE,
  WORKER_TTL_MS,
  workerKey,
  type ImageJobResult,
  type WorkerAnnouncement,
} from './names.js';
import type { Translator } from '../models/load-translator.js';
import type { ImageJobData as ImageJobDataType } from './names.js';

export type WorkerTakes = 'images' | 'train';

export interface QueueWorkerOptions {
  redisUrl: string;
  /** Where catalogue ids (user:, run:) resolve and backend caches live. */
  dataDir: string;
  /** Images at once (training always runs one at a time). Default 1. */
  concurrency?: number;
  takes?: WorkerTakes[];
  name?: string;
  /**
   * How long this worker's hold on a job lasts without renewal, in ms: the
   * time after a crash before another worker takes its jobs. Default 30 s;
   * tests use less.
   */
  lockMs?: number;
  log?: (message: string) => void;
}

export interface QueueWorker {
  readonly name: string;
  readonly announcement: WorkerAnnouncement;
  /** Stops taking jobs, lets running ones finish (training checkpoints first), and disconnects. */
  close(): Promise<void>;
}

const HEARTBEAT_MS = 3000;
/** A job that stalled this many times (its workers died) fails instead of killing more workers. */
const MAX_STALLS = 5;

/** Translators kept loaded, by model id: the last few, so a folder's 200 images load the model once. */
function translatorCache(dataDir: string, size = 2) {
  const loaded = new Map<string, Promise<Translator>>();
  return {
    async get(modelId: string): Promise<Translator> {
      let entry = loaded.get(modelId);
      if (!entry) {
        entry = (async () => {
          const [{ createModelCatalogue, locateModelFolder }, { loadTranslator }] = await Promise.all([
            import('../models/catalogue.js'),
            import('../models/load-translator.js'),
          ]);
          const location = /^(bundled|user|run|npm):/.test(modelId) ? await createModelCatalogue({ dataDir }).resolve(modelId) : await locateModelFolder(modelId);
          return loadTranslator(location);
        })();
        entry.catch(() => loaded.delete(modelId));
        loaded.set(modelId, entry);
        while (loaded.size > size) {
          const [oldest, promise] = loaded.entries().next().value as [string, Promise<Translator>];
          loaded.delete(oldest);
          void promise.then((translator) => translator.dispose(), () => undefined);
        }
      }
      return entry;
    },
    async dispose(): Promise<void> {
      for (const promise of loaded.values()) (await promise.catch(() => null))?.dispose();
      loaded.clear();
    },
  };
}

/** Temporary files a killed attempt at this output left behind: `<name>.<hex>.ganvas-tmp` (translate), `.<name>.<hex>.part` (upscale). */
async function removeLeftovers(outputPath: string): Promise<void> {
  const dir = path.dirname(outputPath);
  const base = path.basename(outputPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  const leftover = (n: string) =>
    (n.startsWith(`${base}.`) && /\.[0-9a-f]{8}\.ganvas-tmp$/.test(n)) || (n.startsWith(`.${base}.`) && /\.[0-9a-f]{8}\.part$/.test(n));
  await Promise.all(names.filter(leftover).map((n) => rm(path.join(dir, n), { force: true })));
}

/** A journal kept in memory: a queued training job has no items to skip (its checkpoint is its progress). */
function memoryJournal(): JobJournal {
  const done = new Set<string>();
  return {
    has: (item) => done.has(item),
    markDone: (item) => void done.add(item),
    get doneCount() {
      return done.size;
    },
    items: () => [...done],
  };
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const log = options.log ?? ((message: string) => console.log(message));
  const takes = options.takes ?? ['images', 'train'];
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const name = options.name ?? `${os.hostname()}-${process.pid}`;
  const lockDuration = options.lockMs ?? 30_000;
  const workerOptions = {
    lockDuration,
    stalledInterval: Math.max(500, Math.round(lockDuration / 2)),
    maxStalledCount: MAX_STALLS,
  };
  const { initBackend } = await import('../backend/index.js');
  const backend = await initBackend();
  const redis: Redis = redisClient(options.redisUrl);
  const translators = translatorCache(options.dataDir);
  let running = 0;
  const announcement: WorkerAnnouncement = {
    name,
    host: os.hostname(),
    pid: process.pid,
    backend: backend.active,
    gpu: isGpuBackend(backend.active, backend.adapter),
    concurrency,
    takes,
    running,
    tensors: 0,
    startedAt: Date.now(),
  };
  const tf = await import('@tensorflow/tfjs');
  const announce = () =>
    redis.set(workerKey(name), JSON.stringify({ ...announcement, running, tensors: tf.memory().numTensors }), 'PX', WORKER_TTL_MS).catch(() => undefined);
  await announce();
  const heartbeat = setInterval(() => void announce(), HEARTBEAT_MS);

  const { translateFileTo } = await import('../inference/translate-folder.js');
  const { ImageDecodeError } = await import('../image/index.js');

  /** upscaleFile writes `.<name>.<hex>.part` and renames it, so its output is whole or absent too. */
  async function upscaleImage(data: Extract<ImageJobDataType, { op: 'upscale' }>): Promise<ImageJobResult> {
    const { upscaleFile, UpscaleFileError } = await import('../upscale/upscale-file.js');
    try {
      const done = await upscaleFile(data.inputPath, data.outputPath, {
        scale: data.scale,
        model: data.model,
        // A user's SRGAN model (user:<name>) is found in the worker's data folder.
        folders: { dataDir: options.dataDir },
        format: data.format,
        overwrite: true,
        ...(data.tile !== undefined ? { tile: data.tile } : {}),
      });
      return { file: data.file, outputPath: done.output, ms: Math.round(done.ms), width: done.width, height: done.height, worker: name };
    } catch (error) {
      if (error instanceof ImageDecodeError || error instanceof UpscaleFileError) {
        return { file: data.file, outputPath: data.outputPath, failed: error instanceof ImageDecodeError ? error.reason : error.message, worker: name };
      }
      throw error;
    }
  }

  async function runImage(job: Job): Promise<ImageJobResult> {
    const parsed = ImageJobData.safeParse(job.data);
    // Not a job this version can run (another version queued it, or something else did): failing again would not help.
    if (!parsed.success) throw new UnrecoverableError(`not an image job worker ${name} can run: ${parsed.error.issues[0]?.message ?? 'invalid data'}`);
    const data = parsed.data;
    running += 1;
    try {
      await redis.sadd(jobWorkersKey(data.owner), name);
      await redis.pexpire(jobWorkersKey(data.owner), 7 * 24 * 3600 * 1000);
      if (job.attemptsStarted > 1 || job.stalledCounter > 0) await removeLeftovers(data.outputPath);
      if (data.op === 'upscale') return await upscaleImage(data);
      let translator: Translator;
      try {
        translator = await translators.get(data.modelId);
      } catch (error) {
        // A model that cannot load fails on every worker alike: do not retry it.
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      }
      try {
        const written = await translateFileTo(translator, data.inputPath, data.outputPath, data.format, data.options, data.file);
        return { file: data.file, outputPath: data.outputPath, ms: Math.round(written.ms), resized: written.resized, worker: name };
      } catch (error) {
        if (error instanceof ImageDecodeError) return { file: data.file, outputPath: data.outputPath, failed: error.reason, worker: name };
        if (error instanceof UserFacingError) throw new UnrecoverableError(error.message);
        throw error;
      }
    } finally {
      running -= 1;
    }
  }

  async function runTrain(job: Job): Promise<unknown> {
    const { trainJob } = await import('../jobs/kinds/train.js');
    const parsedParams = trainJob.params.safeParse((job.data as { params?: unknown } | undefined)?.params);
    if (!parsedParams.success) throw new UnrecoverableError(`not a training job this worker can run: ${parsedParams.error.issues[0]?.message ?? 'invalid data'}`);
    const params = parsedParams.data;
    const owner = String(job.data.owner ?? job.id);
    const controller = new AbortController();
    running += 1;
    await redis.sadd(jobWorkersKey(owner), name);
    let lastProgressAt = 0;
    let pending: ProgressReport | null = null;
    const sendProgress = (report: ProgressReport) => {
      lastProgressAt = Date.now();
      void job.updateProgress({ ...report, worker: name }).catch(() => undefined);
    };
    // The studio asks for a stop through a key; checked once a second, and the trainer checkpoints before it stops.
    const cancelWatch = setInterval(() => {
      void redis.exists(cancelKey(String(job.id))).then((set) => {
        if (set) controller.abort();
      }, () => undefined);
      if (pending) {
        sendProgress(pending);
        pending = null;
      }
    }, 1000);
    const ctx: JobContext = {
      jobId: owner,
      dataDir: options.dataDir,
      // A job taken again after its worker died resumes from the run's checkpoint (trainJob: attempt > 1).
      attempt: Math.max(job.attemptsStarted, job.stalledCounter + 1, 1),
      signal: controller.signal,
      progress(report) {
        if (Date.now() - lastProgressAt >= 500) sendProgress(report);
        else pending = report;
      },
      async waitIfPaused() {
        await new Promise((resolve) => setImmediate(resolve));
        if (controller.signal.aborted) throw new JobCancelledError();
      },
      throwIfCancelled() {
        if (controller.signal.aborted) throw new JobCancelledError();
      },
      log(message) {
        void job.log(message).catch(() => undefined);
        log(`[${owner}] ${message}`);
      },
      journal: memoryJournal(),
    };
    try {
      const result = await trainJob.run(params, ctx);
      if (pending) sendProgress(pending);
      return result;
    } catch (error) {
      // Bad settings or data fail alike on every worker: no retry.
      if (error instanceof UserFacingError) throw new UnrecoverableError(error.message);
      throw error;
    } finally {
      clearInterval(cancelWatch);
      running -= 1;
    }
  }

  const workers: Worker[] = [];
  const connection = redis;
  if (takes.includes('images')) {
    workers.push(new Worker(IMAGE_QUEUE, runImage, { connection, concurrency, ...workerOptions }));
    // The parent of a folder's images becomes ready when they are all done; it only sums them up.
    workers.push(
      new Worker(
        FOLDER_QUEUE,
        async (job: Job) => {
          const values = await job.getChildrenValues<ImageJobResult>();
          return { images: Object.keys(values).length };
        },
        { connection, concurrency: 4, ...workerOptions },
      ),
    );
  }
  if (takes.includes('train')) workers.push(new Worker(TRAIN_QUEUE, runTrain, { connection, concurrency: 1, ...workerOptions }));
  for (const worker of workers) {
    worker.on('failed', (job, error) => log(`${worker.name} job ${job?.id ?? '?'} failed: ${error.message}`));
    worker.on('error', (error) => log(`${worker.name}: ${error.message}`));
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  log(`GANvas worker ${name}: ${backend.active} backend${announcement.gpu ? ' (GPU)' : ' (CPU)'}, takes ${takes.join(' and ')}, ${concurrency} image${concurrency === 1 ? '' : 's'} at once`);

  let closing: Promise<void> | null = null;
  return {
    name,
    announcement,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        await Promise.allSettled(workers.map((worker) => worker.close()));
        await redis.del(workerKey(name)).catch(() => undefined);
        await translators.dispose();
        redis.disconnect();
      })();
      return closing;
    },
  };
}
