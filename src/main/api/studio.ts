/**
 * The studio: everything the API needs, built once per process and shared by
 * every transport (Electron IPC, `ganvas serve`, tests). Handlers are pure
 * functions of validated input plus this context; no module-level state.
 *
 * Compute never happens on this thread: training and folder jobs run in the
 * job queue's worker, interactive translation in the inference worker. This
 * thread only validates, stores and forwards, so the UI stays responsive.
 *
 * A studio owns its data folder for its whole life (owner-lock.ts), taken
 * before anything in the folder is read or rewritten: a second studio on the
 * same folder stops with a FolderInUseError naming the first, and leaves the
 * first one's gallery and jobs alone.
 */
import { EventEmitter } from 'node:events';
import { events, type EventName, type EventPayload } from '../../shared/contract.js';
import { takeDataFolder } from '../engine/data-dir.js';
import { openGallery, type Gallery } from '../engine/gallery/index.js';
import { createJobQueue, type JobQueue } from '../engine/jobs/index.js';
import { jobKindModules } from '../engine/jobs/kinds/index.js';
import { createInferenceService, type InferenceService } from '../engine/inference/index.js';
import { createModelCatalogue, type ModelCatalogue } from '../engine/models/index.js';
import { locateModelFolder } from '../engine/models/catalogue.js';
import { loadedRedisQueue } from '../engine/redis-queue/loader.js';
import { redactRedisUrl } from '../engine/redis-queue/connection.js';
import type { WorkerAnnouncement } from '../engine/redis-queue/names.js';
import { openTrash, type Trash } from '../engine/trash.js';
import { createDispatcher, type Dispatch, type Handlers } from './dispatch.js';
import { appHandlers } from './app.js';
import { galleryHandlers } from './gallery.js';
import { engineHandlers } from './engine.js';
import { jobHandlers, forwardJobEvents } from './jobs.js';
import { trashHandlers } from './trash.js';
import { upscaleHandlers } from './upscale.js';

export interface StudioContext {
  readonly dataDir: string;
  /** Where folder and training jobs run: this process, or BullMQ on Redis (`--redis`) with `ganvas worker`s. */
  readonly queue: { backend: 'in-process' } | { backend: 'redis'; url: string; workers(): Promise<WorkerAnnouncement[]> };
  readonly transport: 'electron' | 'http';
  readonly gallery: Gallery;
  readonly jobs: JobQueue;
  readonly inference: InferenceService;
  readonly models: ModelCatalogue;
  /** Deleted runs, their jobs and user models, until the next start. */
  readonly trash: Trash;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export interface Studio {
  readonly context: StudioContext;
  readonly dispatch: Dispatch;
  /** Subscribe to every contract event (transports forward them to their clients). */
  onEvent(listener: (event: EventName, payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export interface StudioOptions {
  dataDir: string;
  transport: 'electron' | 'http';
  log?: (message: string) => void;
  /**
   * Folder translations and training runs go to BullMQ on this Redis
   * (redis-queue/), run by `ganvas worker`s. Check it first with checkRedis:
   * the studio opens without waiting for it.
   */
  redisUrl?: string;
}

/** Throws FolderInUseError, having changed nothing, when another live process owns the data folder. */
export function openStudio(options: StudioOptions): Studio {
  const log = options.log ?? ((message: string) => console.error(message));
  const bus = new EventEmitter();
  const owner = takeDataFolder(options.dataDir, options.transport === 'http' ? 'a studio served to the browser' : 'the GANvas app');
  let gallery: Gallery | undefined;
  let jobs: JobQueue;
  let queueInfo: StudioContext['queue'] = { backend: 'in-process' };
  const models = createModelCatalogue({ dataDir: options.dataDir });
  try {
    gallery = openGallery({ dataDir: options.dataDir, owner });
    // The Redis queue's jobs (their uploads) are known to the in-process queue's start-up clean.
    const otherJobs = options.redisUrl === undefined ? [] : loadedRedisQueue().redisQueueJobsOnDisk(options.dataDir, log);
    jobs = createJobQueue({ dataDir: options.dataDir, owner, workerModules: jobKindModules(), log, otherJobs });
    if (options.redisUrl !== undefined) {
      const remote = loadedRedisQueue().createRedisJobQueue({
        dataDir: options.dataDir,
        redisUrl: options.redisUrl,
        local: jobs,
        gallery,
        log,
        modelVersion: async (id) => {
          const location = /^(bundled|user|run|npm):/.test(id) ? await models.resolve(id) : await locateModelFolder(id);
          return `${location.id}@${location.version}`;
        },
      });
      jobs = remote;
      queueInfo = { backend: 'redis', url: redactRedisUrl(options.redisUrl), workers: () => remote.workers() };
    }
  } catch (error) {
    gallery?.close();
    owner.release();
    throw error;
  }
  const trash = openTrash(options.dataDir, log);
  const inference = createInferenceService({ dataDir: options.dataDir, log });
  const context: StudioContext = {
    dataDir: options.dataDir,
    queue: queueInfo,
    transport: options.transport,
    gallery,
    jobs,
    inference,
    models,
    trash,
    emit(event, payload) {
      // Events are validated like responses: a malformed event is a bug here, not the client's problem.
      const checked = events[event].parse(payload);
      bus.emit('event', event, checked);
    },
  };
  const stopForwarding = forwardJobEvents(context);
  const handlers: Handlers = {
    ...appHandlers(context),
    ...galleryHandlers(context),
    ...engineHandlers(context),
    ...jobHandlers(context),
    ...upscaleHandlers(context),
    ...trashHandlers(context),
  };
  const dispatch = createDispatcher(handlers, log);
  return {
    context,
    dispatch,
    onEvent(listener) {
      bus.on('event', listener);
      return () => bus.off('event', listener);
    },
    async close() {
      stopForwarding();
      bus.removeAllListeners();
      await Promise.allSettled([jobs.close(), inference.close(), trash.emptied]);
      gallery.close();
      owner.release();
    },
  };
}
