/**
 * The studio's job queue when it runs with `--redis URL`: the same JobQueue
 * interface as the in-process queue (jobs/job-queue.ts), so the API, the job
 * list and the CLI do not know which one they talk to. Folder translations,
 * upscales and training runs go to BullMQ and run on `ganvas worker`s; any
 * other kind stays on the in-process queue it is given.
 *
 * A folder (or upscale) job is a BullMQ flow: a parent job with one child per image. Each
 * child's id is a hash of (model, settings, output path, input bytes)
 * (names.ts), so before queueing the studio asks Redis which images are
 * already done and queues only the rest: re-adding a folder does no
 * finished work, and resuming a cancelled or interrupted job is the same
 * operation. Progress and ETA count images; cancel removes the images no
 * worker has taken yet.
 *
 * Gallery rows are written here, by the studio (the only writer of its
 * gallery), from completed image jobs, once: a ledger of imported image job
 * ids (`<dataDir>/queue/jobs/imported-images.journal.jsonl`) keeps a second
 * run of the same folder, or a resumed one, from adding rows again.
 *
 * Records of these jobs are kept in `<dataDir>/queue/jobs/`, apart from the
 * in-process queue's (which marks whatever it finds unfinished at start as
 * interrupted); their logs share `<dataDir>/jobs/<id>.log.jsonl`, so
 * `jobs.log` reads them alike. A studio that restarts picks its unfinished
 * queue jobs up again: the work went on in the workers meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { FlowProducer, Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { UserFacingError } from '../errors.js';
import type { Gallery } from '../gallery/index.js';
import { checkFolders, outputNames } from '../inference/folder-names.js';
import { inputImages } from '../inference/input-folder.js';
import { openJobJournal } from '../jobs/job-journal.js';
import { jobLogPath, openJobLogs } from '../jobs/job-log.js';
import { JobRequestError, type JobQueue, type JobQueueEvents, type QueueOrder } from '../jobs/job-queue.js';
import { loadJobRecords, recordPath, saveJobRecord } from '../jobs/job-records.js';
import { emptyProgress, ProgressMeter, type ProgressReport } from '../jobs/progress-meter.js';
import { TranslateFolderParams } from '../jobs/kinds/translate-folder-params.js';
import { UpscaleJobParams } from '../jobs/kinds/upscale-params.js';
import { cleanAfterJob, type JobOnDisk } from '../jobs/leftovers.js';
import type { NewItem } from '../gallery/new-item.js';
import { chooseUpscaleModel } from '../upscale/model-catalogue.js';
import { defaultOutputName, formatFromName } from '../upscale/output-name.js';
import { isFinished, JobId, type JobInfo, type JobStatus } from '../jobs/types.js';
import { redisClient } from './connection.js';
import {
  cancelKey,
  FOLDER_QUEUE,
  IMAGE_QUEUE,
  imageJobId,
  jobWorkersKey,
  TRAIN_QUEUE,
  WORKER_KEY_PATTERN,
  type ImageJobData,
  type ImageJobResult,
  type WorkerAnnouncement,
} from './names.js';

/** The kinds that go to Redis; the rest run in this process. */
export const queuedKinds = ['translate-folder', 'upscale', 'train'] as const;

export interface RedisJobQueueOptions {
  dataDir: string;
  redisUrl: string;
  /** The in-process queue, for the kinds that are not queued on Redis; without it (the CLI) they are refused. */
  local?: JobQueue;
  /** The studio's gallery: rows for folder jobs that asked for it are written here. */
  gallery?: Gallery;
  /** A model's identity for image job ids: its id and version (catalogue.resolve). */
  modelVersion: (modelId: string) => Promise<string>;
  log?: (message: string) => void;
  /** How often running jobs are looked at in Redis. Default 500 ms. */
  pollMs?: number;
  /** Attempts of each image (a worker that dies mid-image costs one). Default 5. */
  imageAttempts?: number;
}

export interface RedisJobQueue extends JobQueue {
  /** Workers that announced themselves within the last few seconds. */
  workers(): Promise<WorkerAnnouncement[]>;
}

interface Entry {
  info: JobInfo;
  params: unknown;
  cancelRequested: boolean;
  driving: Promise<void> | null;
  meter: ProgressMeter;
}

function newJobId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

const snapshot = (info: JobInfo): JobInfo => structuredClone(info);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isQueued = (kind: string): boolean => (queuedKinds as readonly string[]).includes(kind);

export async function listWorkers(redis: Redis): Promise<WorkerAnnouncement[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', WORKER_KEY_PATTERN, 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const workers: WorkerAnnouncement[] = [];
  for (const value of values) {
    if (value === null) continue;
    try {
      workers.push(JSON.parse(value) as WorkerAnnouncement);
    } catch {
      // Not ours, or cut short: not a worker.
    }
  }
  return workers.sort((a, b) => a.name.localeCompare(b.name));
}

/** Stands in for the in-process queue where there is none (`ganvas translate --redis`): it has no jobs and takes none. */
function noLocalQueue(): JobQueue {
  const refuse = (): never => {
    throw new JobRequestError('not_found', 'there is no such job here');
  };
  return {
    start: (kind) => {
      throw new JobRequestError('invalid_request', `'${String(kind).slice(0, 80)}' jobs do not run on the Redis queue`);
    },
    list: () => [],
    get: () => undefined,
    paramsOf: () => undefined,
    cancel: refuse,
    pause: refuse,
    resume: refuse,
    resumeJob: refuse,
    waitFor: refuse,
    order: () => ({ current: null, waiting: [] }),
    remove: refuse,
    reload: refuse,
    stats: async () => ({ numTensors: 0, numBytes: 0, rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed }),
    on: () => () => {},
    close: async () => {},
  };
}

/** The Redis queue's job records in `dataDir`, as the in-process queue's start-up clean wants them. */
export function redisQueueJobsOnDisk(dataDir: string, warn: (message: string) => void): JobOnDisk[] {
  return loadJobRecords(path.join(dataDir, 'queue'), warn).map(({ info, params }) => ({ id: info.id, kind: info.kind, status: info.status, params }));
}

export function createRedisJobQueue(options: RedisJobQueueOptions): RedisJobQueue {
  const { dataDir, gallery } = options;
  const local = options.local ?? noLocalQueue();
  const queueDir = path.join(dataDir, 'queue');
  const pollMs = options.pollMs ?? 500;
  const imageAttempts = options.imageAttempts ?? 5;
  const report = options.log ?? ((message: string) => console.warn(`[queue] ${message}`));
  const redis = redisClient(options.redisUrl);
  redis.on('error', (error) => report(`redis: ${error.message}`));
  const imageQueue = new Queue(IMAGE_QUEUE, { connection: redis });
  const folderQueue = new Queue(FOLDER_QUEUE, { connection: redis });
  const trainQueue = new Queue(TRAIN_QUEUE, { connection: redis });
  const flows = new FlowProducer({ connection: redis });
  const jobLogs = openJobLogs(dataDir);
  const imported = openJobJournal(queueDir, 'imported-images');
  const jobs = new Map<string, Entry>();
  const waiters = new Map<string, ((info: JobInfo) => void)[]>();
  const listeners: { [E in keyof JobQueueEvents]: Set<(payload: JobQueueEvents[E]) => void> } = {
    progress: new Set(),
    status: new Set(),
    log: new Set(),
  };
  let closed = false;

  function emit<E extends keyof JobQueueEvents>(event: E, payload: JobQueueEvents[E]): void {
    for (const listener of listeners[event]) {
      try {
        listener(payload);
      } catch (error) {
        report(`a '${event}' listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  // The in-process queue's events go to the same listeners.
  const unsubscribe = (['progress', 'status', 'log'] as const).map((event) => local.on(event, (payload) => emit(event, payload as never)));

  function save(entry: Entry): void {
    try {
      saveJobRecord(queueDir, { version: 1, info: entry.info, params: entry.params });
    } catch (error) {
      report(`job ${entry.info.id}: could not save its record (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  function setStatus(entry: Entry, status: JobStatus): void {
    entry.info.status = status;
    entry.info.resumable = status === 'failed' || status === 'cancelled';
    save(entry);
    emit('status', snapshot(entry.info));
  }

  function logLine(entry: Entry, message: string): void {
    const line = { id: entry.info.id, message, at: Date.now() };
    try {
      jobLogs.append(entry.info.id, line);
    } catch (error) {
      report(`job ${entry.info.id}: could not keep a log line (${error instanceof Error ? error.message : String(error)})`);
    }
    emit('log', line);
  }

  function progress(entry: Entry, next: ProgressReport): void {
    // Counts read from Redis at different moments never make the bar go back.
    if (next.total === entry.info.progress.total && next.done < entry.info.progress.done) return;
    entry.info.progress = entry.meter.report(next);
    emit('progress', { id: entry.info.id, status: entry.info.status, progress: { ...entry.info.progress } });
  }

  function finish(entry: Entry, status: 'succeeded' | 'failed' | 'cancelled', details: { error?: string; note?: string; result?: unknown } = {}): void {
    entry.info.finishedAt = Date.now();
    if (details.error !== undefined) entry.info.error = details.error;
    if (details.note !== undefined) entry.info.note = details.note;
    if (details.result !== undefined) entry.info.result = JSON.parse(JSON.stringify(details.result)) as unknown;
    entry.info.progress = { ...entry.info.progress, rate: null, etaSeconds: null };
    emit('progress', { id: entry.info.id, status, progress: { ...entry.info.progress } });
    setStatus(entry, status);
    for (const resolve of waiters.get(entry.info.id)?.splice(0) ?? []) resolve(snapshot(entry.info));
  }

  async function noteWorkers(entry: Entry): Promise<void> {
    const names = await redis.smembers(jobWorkersKey(entry.info.id));
    names.sort();
    if (names.join('\n') !== (entry.info.workers ?? []).join('\n')) {
      entry.info.workers = names;
      emit('status', snapshot(entry.info));
    }
  }

  // ---- folder jobs: a flow of one job per image -------------------------------------------------

  interface PlannedImage {
    file: string;
    id: string;
    data: ImageJobData;
  }

  /** How each image of a folder job went, once no image is waiting or running any more. */
  interface ImageOutcomes {
    images: PlannedImage[];
    /** Finished (or found finished) images, by job id; `failed` set on those the worker could not read. */
    done: Map<string, ImageJobResult>;
    /** Images whose job failed after every attempt, by file. */
    failures: Map<string, string>;
    /** Job ids this run queued or waited for (the others were done earlier). */
    ranNow: Set<string>;
    skipped: number;
  }

  /**
   * Queues the images of a folder job as one flow, skipping those Redis has
   * done, and follows them until none waits or runs; a cancel drops those no
   * worker took. Null if the studio closed meanwhile (the next one follows on).
   */
  async function runImages(entry: Entry, images: PlannedImage[]): Promise<ImageOutcomes | null> {
    const total = images.length;
    // What Redis already has: finished images are skipped, failed ones queued again, and ones
    // another folder job queued (still waiting or running) are waited for instead of queued twice.
    const done = new Map<string, ImageJobResult>();
    const elsewhere: string[] = [];
    const toQueue: PlannedImage[] = [];
    for (const image of images) {
      const existing = await Job.fromId<ImageJobData, ImageJobResult>(imageQueue, image.id);
      if (existing) {
        const state = await existing.getState();
        if (state === 'completed' && existing.returnvalue && (existing.returnvalue.failed !== undefined || (await exists(existing.returnvalue.outputPath)))) {
          done.set(image.id, existing.returnvalue);
          continue;
        }
        if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') {
          elsewhere.push(image.id);
          continue;
        }
        await existing.remove().catch(() => undefined);
      }
      toQueue.push(image);
    }
    const skipped = done.size;
    if (skipped > 0) logLine(entry, `${skipped} of ${total} images were done earlier; ${toQueue.length} queued${elsewhere.length ? `, ${elsewhere.length} already queued by another job` : ''}`);
    else logLine(entry, `${toQueue.length} images queued`);
    progress(entry, { done: skipped, total, unit: 'image' });
    let parent: Job | null = null;
    if (toQueue.length > 0 && !entry.cancelRequested) {
      const node = await flows.add({
        name: 'folder',
        queueName: FOLDER_QUEUE,
        data: { owner: entry.info.id, images: toQueue.length },
        opts: { jobId: `${entry.info.id}-a${entry.info.attempt}` },
        children: toQueue.map((image) => ({
          name: 'image',
          queueName: IMAGE_QUEUE,
          data: image.data,
          opts: {
            jobId: image.id,
            attempts: imageAttempts,
            backoff: { type: 'fixed', delay: 500 },
            // A failed image is reported, not a reason to hold the other images' results back.
            ignoreDependencyOnFailure: true,
          },
        })),
      });
      parent = node.job;
    }
    let lastWorkerCheck = 0;
    for (;;) {
      let pending = 0;
      if (parent) {
        const counts = await parent.getDependenciesCount();
        pending = counts.unprocessed ?? 0;
        const finishedHere = (counts.processed ?? 0) + (counts.ignored ?? 0) + (counts.failed ?? 0);
        if (entry.cancelRequested && pending > 0) await dropWaitingChildren(parent);
        const stillElsewhere = await countUnfinished(elsewhere);
        progress(entry, { done: skipped + finishedHere + (elsewhere.length - stillElsewhere), total, unit: 'image' });
        pending += stillElsewhere;
      } else {
        pending = await countUnfinished(elsewhere);
        progress(entry, { done: total - pending, total, unit: 'image' });
      }
      if (Date.now() - lastWorkerCheck > 2000) {
        lastWorkerCheck = Date.now();
        await noteWorkers(entry);
      }
      if (pending === 0) break;
      if (closed) return null;
      await sleep(pollMs);
    }
    await noteWorkers(entry);
    // Results: of the images this job queued, and of the ones it waited for.
    const failures = new Map<string, string>();
    for (const image of images) {
      if (done.has(image.id)) continue;
      const job = await Job.fromId<ImageJobData, ImageJobResult>(imageQueue, image.id);
      if (!job) continue; // removed on cancel before any worker took it
      const state = await job.getState();
      if (state === 'completed' && job.returnvalue) done.set(image.id, job.returnvalue);
      else if (state === 'failed') failures.set(image.file, job.failedReason || 'failed');
    }
    progress(entry, { done: done.size + failures.size, total, unit: 'image' });
    // The images keep their own jobs (their ids are what a later run finds done); the parent has served.
    if (parent) await parent.remove({ removeChildren: false }).catch(() => undefined);
    const ranNow = new Set([...toQueue.map((image) => image.id), ...elsewhere]);
    return { images, done, failures, ranNow, skipped };
  }

  /** Gallery rows from finished images, each image job once (the ledger); a row that fails is reported with its file. */
  async function importImages(
    outcomes: ImageOutcomes,
    failed: { file: string; reason: string }[],
    item: (image: PlannedImage, result: ImageJobResult) => Omit<NewItem, 'input' | 'output'>,
  ): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    if (!gallery) return ids;
    for (const image of outcomes.images) {
      const result = outcomes.done.get(image.id);
      if (!result || result.failed !== undefined || imported.has(image.id)) continue;
      try {
        const [input, output] = await Promise.all([readFile(image.data.inputPath), readFile(result.outputPath)]);
        const added = await gallery.addItem({ ...item(image, result), input, output });
        imported.markDone(image.id);
        ids.set(image.id, added.id);
      } catch (error) {
        failed.push({ file: image.file, reason: `done, but not saved in the gallery: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    return ids;
  }

  function finishImages(entry: Entry, outcomes: ImageOutcomes, result: unknown, line: string, failed: { file: string; reason: string }[]): void {
    for (const failure of failed) logLine(entry, `${failure.file}: ${failure.reason}`);
    const workers = entry.info.workers ?? [];
    logLine(entry, `${line}${outcomes.skipped ? `, ${outcomes.skipped} done earlier` : ''} by ${workers.length} worker${workers.length === 1 ? '' : 's'}`);
    const total = outcomes.images.length;
    const finishedCount = outcomes.done.size + outcomes.failures.size;
    if (entry.cancelRequested && finishedCount < total) {
      finish(entry, 'cancelled', { result, note: `${outcomes.done.size} of ${total} images are done; resume the job to do the rest` });
    } else finish(entry, 'succeeded', { result });
  }

  async function driveFolder(entry: Entry): Promise<void> {
    const params = TranslateFolderParams.parse(entry.params);
    const translateOptions = params.options ?? {};
    await checkFolders(params.inputDir, params.outputDir);
    const files = await inputImages(params.inputDir);
    const names = outputNames(files);
    await mkdir(params.outputDir, { recursive: true });
    const modelVersion = await options.modelVersion(params.modelId);
    const images: PlannedImage[] = [];
    for (const file of files) {
      const inputPath = path.join(params.inputDir, file);
      const { name, format } = names.get(file)!;
      const outputPath = path.join(params.outputDir, name);
      const input = await readFile(inputPath);
      const id = imageJobId({ model: params.modelId, modelVersion, options: translateOptions, outputPath, input });
      images.push({ file, id, data: { op: 'translate', owner: entry.info.id, modelId: params.modelId, options: translateOptions, inputPath, outputPath, format, file } });
    }
    const outcomes = await runImages(entry, images);
    if (!outcomes) return;
    const failed = [...outcomes.failures].map(([file, reason]) => ({ file, reason }));
    for (const image of images) {
      const reason = outcomes.done.get(image.id)?.failed;
      if (reason !== undefined) failed.push({ file: image.file, reason });
    }
    const translated = images.filter((image) => outcomes.ranNow.has(image.id) && outcomes.done.get(image.id)?.failed === undefined && outcomes.done.has(image.id)).length;
    const rows = params.saveToGallery
      ? await importImages(outcomes, failed, (image, result) => ({
          kind: 'translate',
          title: image.file,
          modelId: params.modelId,
          settings: { ...translateOptions, inputDir: params.inputDir, outputDir: params.outputDir, queueJobId: image.id, worker: result.worker },
          timings: { inference: result.ms ?? 0 },
        }))
      : new Map<string, number>();
    const workers = entry.info.workers ?? [];
    const result = { translated, skipped: outcomes.skipped, failed, resized: 0, modelId: params.modelId, galleryItemIds: [...rows.values()], workers };
    finishImages(entry, outcomes, result, `${translated} translated, ${failed.length} failed`, failed);
  }

  /** Uploaded photos through an upscaler (ESRGAN or SRGAN), one image job each; the result has the in-process upscale job's shape. */
  async function driveUpscale(entry: Entry): Promise<void> {
    const params = UpscaleJobParams.parse(entry.params);
    const info = chooseUpscaleModel({ scale: params.scale, ...(params.model !== undefined ? { model: params.model } : {}) }, { dataDir: options.dataDir });
    await mkdir(params.outputDir, { recursive: true });
    const taken = new Set<string>();
    const images: PlannedImage[] = [];
    for (const file of params.files) {
      // Outputs keep a PNG, JPEG or WebP input's format (by its name here: workers read no headers for the studio); others become PNG.
      const format = formatFromName(file.name) ?? 'png';
      const outputPath = path.join(params.outputDir, uniqueName(defaultOutputName(file.name, info.scale, format), taken));
      const input = await readFile(file.path);
      // An SRGAN model re-exported into the same folder (or a run's newer checkpoint) is another model: its images are made again.
      const modelVersion = info.versionFile ? `${info.id}@${statSync(info.versionFile, { throwIfNoEntry: false })?.mtimeMs ?? 0}` : info.id;
      const id = imageJobId({ model: info.id, modelVersion, options: { scale: info.scale, tile: params.tile ?? 'auto' }, outputPath, input });
      images.push({
        file: file.name,
        id,
        data: { op: 'upscale', owner: entry.info.id, model: info.id, scale: info.scale, ...(params.tile !== undefined ? { tile: params.tile } : {}), inputPath: file.path, outputPath, format, file: file.name },
      });
    }
    const outcomes = await runImages(entry, images);
    if (!outcomes) return;
    const failed = [...outcomes.failures].map(([file, reason]) => ({ file, reason }));
    for (const image of images) {
      const reason = outcomes.done.get(image.id)?.failed;
      if (reason !== undefined) failed.push({ file: image.file, reason });
    }
    const modelId = info.catalogueId;
    const rows = params.addToGallery
      ? await importImages(outcomes, failed, (image, result) => ({
          kind: 'upscale',
          title: image.file,
          modelId,
          settings: { scale: info.scale, tile: params.tile ?? 'auto', model: info.variant, jobId: entry.info.id, queueJobId: image.id, worker: result.worker },
          timings: { total: result.ms ?? 0 },
        }))
      : new Map<string, number>();
    const done = images.flatMap((image) => {
      const result = outcomes.done.get(image.id);
      if (!result || result.failed !== undefined) return [];
      return [{ name: image.file, output: result.outputPath, width: result.width ?? 0, height: result.height ?? 0, ms: result.ms ?? 0, itemId: rows.get(image.id) ?? null }];
    });
    const cancelled = images.filter((image) => !outcomes.done.has(image.id) && !outcomes.failures.has(image.file)).map((image) => image.file);
    // Named as the in-process upscale job names them: "<file>: <reason>".
    const named = failed.map(({ file, reason }) => ({ name: file, reason: reason.startsWith(`${file}: `) ? reason : `${file}: ${reason}` }));
    const result = { modelId, scale: info.scale, done, failed: named, cancelled, galleryItemIds: [...rows.values()], workers: entry.info.workers ?? [] };
    finishImages(entry, outcomes, result, `${done.length} upscaled ×${info.scale} with ${info.id}, ${failed.length} failed`, failed);
    // Uploads go once the job has succeeded, as the in-process queue does (leftovers.ts).
    cleanAfterJob(dataDir, { id: entry.info.id, kind: entry.info.kind, status: entry.info.status, params: entry.params }, null, report);
  }

  function uniqueName(wanted: string, taken: Set<string>): string {
    const ext = path.extname(wanted);
    const stem = wanted.slice(0, wanted.length - ext.length);
    let name = wanted;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}${ext}`;
    taken.add(name.toLowerCase());
    return name;
  }

  async function exists(file: string): Promise<boolean> {
    return stat(file).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  async function countUnfinished(ids: string[]): Promise<number> {
    let unfinished = 0;
    for (const id of ids) {
      const job = await Job.fromId(imageQueue, id);
      if (!job) continue;
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') unfinished += 1;
    }
    return unfinished;
  }

  /** Images no worker has taken yet are removed; the ones being translated finish. */
  async function dropWaitingChildren(parent: Job): Promise<void> {
    const { unprocessed = [] } = await parent.getDependencies({ unprocessed: { count: 1000 } });
    for (const key of unprocessed) {
      const id = key.slice(key.lastIndexOf(':') + 1);
      const child = await Job.fromId(imageQueue, id);
      if (!child) continue;
      const state = await child.getState();
      if (state === 'waiting' || state === 'delayed' || state === 'prioritized') await child.remove().catch(() => undefined);
    }
  }

  // ---- training: one job on the train queue ---------------------------------------------------

  async function driveTrain(entry: Entry): Promise<void> {
    const queueJobId = `${entry.info.id}-a${entry.info.attempt}`;
    let job = await Job.fromId(trainQueue, queueJobId);
    if (!job && !entry.cancelRequested) {
      job = await trainQueue.add('train', { owner: entry.info.id, params: entry.params }, { jobId: queueJobId, attempts: 5, backoff: { type: 'fixed', delay: 1000 } });
      logLine(entry, 'queued for a worker that takes training runs');
    }
    if (!job) {
      finish(entry, 'cancelled');
      return;
    }
    let logsSeen = (await trainQueue.getJobLogs(queueJobId, 0, 0)).count;
    if (entry.info.attempt === 1 && logsSeen > 0 && entry.info.progress.done === 0) logsSeen = 0;
    let lastWorker: string | undefined;
    let cancelSent = false;
    for (;;) {
      const current = await Job.fromId(trainQueue, queueJobId);
      if (!current) {
        finish(entry, 'cancelled', { note: 'it was removed from the queue before a worker took it' });
        return;
      }
      const state = await current.getState();
      if (entry.cancelRequested && !cancelSent) {
        cancelSent = true;
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
          await current.remove().catch(() => undefined);
          finish(entry, 'cancelled');
          return;
        }
        await redis.set(cancelKey(queueJobId), '1', 'EX', 24 * 3600);
      }
      const logs = await trainQueue.getJobLogs(queueJobId, logsSeen, -1);
      for (const message of logs.logs) logLine(entry, message);
      logsSeen += logs.logs.length;
      const reported = current.progress as (ProgressReport & { worker?: string }) | number;
      if (typeof reported === 'object' && reported !== null && typeof reported.done === 'number') {
        const { worker, ...rest } = reported;
        if (worker !== undefined && worker !== lastWorker) {
          if (lastWorker !== undefined) logLine(entry, `worker ${worker} took the run over from ${lastWorker}`);
          lastWorker = worker;
        }
        if (entry.info.status === 'queued') {
          entry.info.startedAt ??= Date.now();
          setStatus(entry, 'running');
        }
        progress(entry, rest);
      }
      if (state === 'active' && entry.info.status === 'queued') {
        entry.info.startedAt ??= Date.now();
        setStatus(entry, 'running');
      }
      await noteWorkers(entry);
      if (state === 'completed') {
        const result = current.returnvalue as { status?: string } | undefined;
        finish(entry, result?.status === 'cancelled' ? 'cancelled' : 'succeeded', { result });
        return;
      }
      if (state === 'failed') {
        finish(entry, 'failed', { error: current.failedReason || 'the training job failed on its worker' });
        return;
      }
      if (closed) return;
      await sleep(pollMs);
    }
  }

  function drive(entry: Entry): void {
    const run = entry.info.kind === 'train' ? driveTrain : entry.info.kind === 'upscale' ? driveUpscale : driveFolder;
    entry.driving = run(entry)
      .catch((error: unknown) => {
        if (closed) return;
        const message = error instanceof UserFacingError || error instanceof Error ? error.message : String(error);
        if (!isFinished(entry.info.status)) finish(entry, 'failed', { error: message });
      })
      .finally(() => {
        entry.driving = null;
      });
  }

  function must(id: string): Entry {
    const entry = JobId.safeParse(id).success ? jobs.get(id) : undefined;
    if (!entry) throw new JobRequestError('not_found', `there is no job '${String(id).slice(0, 80)}'`);
    return entry;
  }

  // Unfinished queue jobs of the last session: their work went on in the workers; follow it again.
  for (const record of loadJobRecords(queueDir, report)) {
    const entry: Entry = { info: record.info, params: record.params, cancelRequested: false, driving: null, meter: new ProgressMeter({}, record.info.progress) };
    jobs.set(record.info.id, entry);
    if (!isFinished(record.info.status)) drive(entry);
  }

  const queue: RedisJobQueue = {
    start(kind, params, startOptions = {}) {
      if (!isQueued(kind)) return local.start(kind, params, startOptions);
      if (closed) throw new JobRequestError('invalid_state', 'the job queue is closed');
      let stored: unknown;
      try {
        stored = params === undefined ? undefined : (JSON.parse(JSON.stringify(params)) as unknown);
      } catch (error) {
        throw new JobRequestError('invalid_request', `the parameters of a '${kind}' job must be plain JSON data (${error instanceof Error ? error.message : String(error)})`);
      }
      const info: JobInfo = {
        id: newJobId(),
        kind,
        title: startOptions.title?.trim().slice(0, 200) || kind,
        status: 'queued',
        progress: emptyProgress(kind === 'train' ? 'step' : 'image'),
        createdAt: Date.now(),
        resumable: false,
        attempt: 1,
        queue: 'redis',
      };
      const entry: Entry = { info, params: stored, cancelRequested: false, driving: null, meter: new ProgressMeter({}, info.progress) };
      jobs.set(info.id, entry);
      setStatus(entry, kind === 'train' ? 'queued' : 'running');
      if (kind !== 'train') entry.info.startedAt = Date.now();
      const returned = snapshot(info);
      drive(entry);
      return returned;
    },

    list() {
      return [...local.list(), ...[...jobs.values()].map((entry) => snapshot(entry.info))].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },

    get(id) {
      const entry = JobId.safeParse(id).success ? jobs.get(id) : undefined;
      return entry ? snapshot(entry.info) : local.get(id);
    },

    paramsOf(id) {
      const entry = JobId.safeParse(id).success ? jobs.get(id) : undefined;
      return entry ? (JSON.parse(JSON.stringify(entry.params ?? null)) as unknown) : local.paramsOf(id);
    },

    cancel(id) {
      if (!jobs.has(id)) return local.cancel(id);
      const entry = must(id);
      if (!isFinished(entry.info.status)) entry.cancelRequested = true;
      return snapshot(entry.info);
    },

    pause(id) {
      if (!jobs.has(id)) return local.pause(id);
      const entry = must(id);
      throw new JobRequestError(
        'invalid_state',
        `job '${entry.info.title}' runs on the Redis queue, whose jobs cannot be paused: cancel it and resume it later (finished ${entry.info.kind === 'train' ? 'steps are checkpointed' : 'images are kept'})`,
      );
    },

    resume(id) {
      if (!jobs.has(id)) return local.resume(id);
      return snapshot(must(id).info);
    },

    resumeJob(id) {
      if (!jobs.has(id)) return local.resumeJob(id);
      if (closed) throw new JobRequestError('invalid_state', 'the job queue is closed');
      const entry = must(id);
      if (!entry.info.resumable || entry.driving) {
        throw new JobRequestError('invalid_state', `job '${entry.info.title}' is ${entry.info.status}; only failed or cancelled jobs can be resumed`);
      }
      const info = entry.info;
      delete info.error;
      delete info.note;
      delete info.result;
      delete info.finishedAt;
      info.attempt += 1;
      entry.cancelRequested = false;
      entry.meter = new ProgressMeter({}, info.progress);
      info.progress = { ...info.progress, rate: null, etaSeconds: null };
      if (info.kind === 'train' && typeof entry.params === 'object' && entry.params !== null) {
        // The run folder holds the checkpoint the last attempt left.
        entry.params = { ...(entry.params as Record<string, unknown>), resume: true };
      }
      setStatus(entry, info.kind === 'train' ? 'queued' : 'running');
      const returned = snapshot(info);
      drive(entry);
      return returned;
    },

    waitFor(id) {
      if (!jobs.has(id)) return local.waitFor(id);
      const entry = must(id);
      if (isFinished(entry.info.status)) return Promise.resolve(snapshot(entry.info));
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? [];
        list.push(resolve);
        waiters.set(id, list);
      });
    },

    order(): QueueOrder {
      return local.order();
    },

    remove(id) {
      if (!jobs.has(id)) return local.remove(id);
      const entry = must(id);
      if (!isFinished(entry.info.status)) throw new JobRequestError('invalid_state', `job '${entry.info.title}' is ${entry.info.status}; stop it before deleting it`);
      jobs.delete(id);
      jobLogs.forget(id);
      return { info: snapshot(entry.info), files: [recordPath(queueDir, id), jobLogPath(dataDir, id)] };
    },

    reload(id) {
      const known = jobs.get(id);
      if (known) return snapshot(known.info);
      const record = loadJobRecords(queueDir, () => undefined).find((r) => r.info.id === id);
      if (!record) return local.reload(id);
      jobs.set(id, { info: record.info, params: record.params, cancelRequested: false, driving: null, meter: new ProgressMeter({}, record.info.progress) });
      return snapshot(record.info);
    },

    stats() {
      return local.stats();
    },

    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },

    workers() {
      return listWorkers(redis);
    },

    async close() {
      if (closed) return;
      closed = true;
      // Queue jobs go on in the workers; the next studio follows them again.
      await Promise.allSettled([...jobs.values()].map((entry) => entry.driving));
      for (const off of unsubscribe) off();
      await Promise.allSettled([imageQueue.close(), folderQueue.close(), trainQueue.close(), flows.close()]);
      redis.disconnect();
      await local.close();
    },
  };
  return queue;
}
