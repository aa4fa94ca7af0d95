/**
 * Handlers for jobs (list, pause, cancel, retry, their kept logs), starting
 * training, a training run's loss history and sample grids, folder
 * translation, and the bridge from the
 * job queue's events to the contract's job.progress / job.log / job.sample
 * events.
 *
 * Requests are checked here before anything is queued, so a bad setting is an
 * immediate `invalid_request` rather than a job that fails a moment later
 * (and again at every retry): folder jobs' params are parsed with the job
 * kind's own schema, the model must be in the catalogue, the input folder
 * must hold images.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import type { ParsedRequest, Response } from '../../shared/contract.js';
import { zodIssues } from '../../shared/zod-issues.js';
import { UserFacingError } from '../engine/errors.js';
import { isFinished, JobRequestError, readJobLog, type JobInfo } from '../engine/jobs/index.js';
import { readSampleNotice } from '../engine/jobs/kinds/sample-notice.js';
// Descriptors and the run-config check load no tfjs: safe on the main thread.
import { families } from '../engine/gans/registry.js';
import { describeHolder, folderHolder } from '../engine/owner-lock.js';
import { familyInfo } from '../engine/gans/family-info.js';
import { parseFamilyConfig, parseTranslateOptions } from '../engine/gans/family.js';
import { familyOptions } from '../engine/inference/inference-options.js';
import { resolveRunConfig } from '../engine/train/run-config.js';
import { TranslateFolderParams } from '../engine/jobs/kinds/translate-folder-params.js';
import { inputImages } from '../engine/inference/input-folder.js';
import type { Handler } from './dispatch.js';
import type { StudioContext } from './studio.js';

type JobMethods =
  | 'jobs.list'
  | 'jobs.get'
  | 'jobs.cancel'
  | 'jobs.pause'
  | 'jobs.resume'
  | 'jobs.retry'
  | 'jobs.stats'
  | 'train.families'
  | 'train.estimate'
  | 'jobs.log'
  | 'train.start'
  | 'train.history'
  | 'train.samples'
  | 'train.sample'
  | 'translate.folder';

/** The queue's own refusals carry the contract's codes; everything else passes through as is. */
function userFacing<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof JobRequestError) throw new UserFacingError(error.code, error.message);
    throw error;
  }
}

/**
 * `params` parsed by the job kind's own schema (the one its worker parses
 * with), so what is queued is what the job accepts; an invalid_request
 * naming every problem otherwise.
 */
export function checkedJobParams<S extends z.ZodType>(method: string, schema: S, params: unknown): z.output<S> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const problems = zodIssues(parsed.error).map((issue) => `${issue.path}: ${issue.message}`);
  throw new UserFacingError('invalid_request', `Invalid request for ${method}: ${problems.join('; ')}`);
}

async function requireFolder(path: string, what: string): Promise<string> {
  if (!isAbsolute(path)) throw new UserFacingError('invalid_request', `${what} must be a full path, got '${path}'`);
  const info = await stat(path).catch(() => null);
  if (info === null) throw new UserFacingError('invalid_request', `${what} ${path} does not exist`);
  if (!info.isDirectory()) throw new UserFacingError('invalid_request', `${what} ${path} is a file, not a folder`);
  return resolve(path);
}

/** The run folders of training jobs: `<data dir>/runs/<run>`. */
export function runFolder(dataDir: string, run: string): string {
  return join(dataDir, 'runs', run);
}

/** Which job last trained each run folder in this session, so one run is never trained twice at once. */
type RunJobs = Map<string, string>;

async function startTraining(ctx: StudioContext, runJobs: RunJobs, request: ParsedRequest<'train.start'>): Promise<JobInfo> {
  const dataDir = await requireFolder(request.dataDir, 'The training data folder');
  if (!families.has(request.family)) {
    const known = families.list().map((family) => family.id).join(', ');
    throw new UserFacingError('unsupported', `There is no model family '${request.family}'; this version trains: ${known}`);
  }
  const family = families.get(request.family);
  const runDir = runFolder(ctx.dataDir, request.run);
  const previous = runJobs.get(runDir);
  const active = previous === undefined ? undefined : ctx.jobs.get(previous);
  if (active && !isFinished(active.status)) throw new UserFacingError('invalid_state', `Run '${request.run}' is already being trained by job '${active.title}'`);
  // A trainer outside this studio (ganvas train in a terminal) holds the run folder's lock: refuse now, naming it.
  const holder = folderHolder(runDir);
  if (holder && !holder.heldByThisProcess) {
    throw new UserFacingError('invalid_state', `Run '${request.run}' is being trained by ${describeHolder(holder.holder)}; wait for it to finish or stop it, or choose another run name`);
  }
  try {
    await resolveRunConfig(family, { runDir, requested: request.config, resume: request.resume });
  } catch (error) {
    throw new UserFacingError('invalid_request', error instanceof Error ? error.message : String(error));
  }
  const job = userFacing(() =>
    ctx.jobs.start(
      'train',
      { family: family.id, dataDir, runDir, resume: request.resume, config: request.config },
      { title: `Train ${family.title}: ${request.run}` },
    ),
  );
  runJobs.set(runDir, job.id);
  return job;
}

async function estimateTraining(ctx: StudioContext, request: ParsedRequest<'train.estimate'>): Promise<Response<'train.estimate'>> {
  if (!families.has(request.family)) throw new UserFacingError('not_found', `There is no family '${request.family}'; this version trains: ${families.list().map((f) => f.id).join(', ')}`);
  const family = families.get(request.family);
  let config;
  try {
    config = parseFamilyConfig(family, request.config);
  } catch (error) {
    throw new UserFacingError('invalid_request', error instanceof Error ? error.message : String(error));
  }
  const busy = () => ctx.jobs.list().some((job) => job.status === 'running');
  const wasBusy = busy();
  const measured = await ctx.inference.estimateTrainingStep(family.id, config);
  return {
    secondsPerStep: measured.secondsPerStep,
    steps: config.steps,
    totalSeconds: measured.secondsPerStep * config.steps,
    backend: measured.backend,
    busy: wasBusy || busy(),
  };
}

/** The run folder a training job trains, or undefined for other jobs (and unknown ids). */
export function trainingRunDir(ctx: StudioContext, id: string): string | undefined {
  const job = ctx.jobs.get(id);
  if (job?.kind !== 'train') return undefined;
  const params = ctx.jobs.paramsOf(id);
  const runDir = typeof params === 'object' && params !== null && 'runDir' in params ? (params as { runDir: unknown }).runDir : undefined;
  return typeof runDir === 'string' ? runDir : undefined;
}

function requireJob(ctx: StudioContext, id: string): JobInfo {
  const job = ctx.jobs.get(id);
  if (!job) throw new UserFacingError('not_found', `there is no job '${id}'`);
  return job;
}

function requireRunDir(ctx: StudioContext, id: string, what: string): string {
  const job = requireJob(ctx, id);
  const runDir = trainingRunDir(ctx, id);
  if (runDir === undefined) throw new UserFacingError('invalid_request', `'${job.title}' is not a training job, so it has no ${what}`);
  return runDir;
}

/** The losses.jsonl of a training job's run folder, summarised for a chart. */
async function trainingHistory(ctx: StudioContext, request: ParsedRequest<'train.history'>): Promise<Response<'train.history'>> {
  const runDir = requireRunDir(ctx, request.id, 'loss history');
  const { readLossHistory, summariseLossHistory } = await import('../engine/train/loss-history.js');
  const entries = await readLossHistory(runDir);
  return { lastStep: entries.at(-1)?.step ?? 0, losses: summariseLossHistory(entries, request.maxPoints) };
}

// The trainer names its grids step-NNNNNN.png (train/train.ts, which loads tfjs, so it is not imported here).
const SAMPLE_FILE = /^step-(\d{1,12})\.png$/;

/** The sample grids in a run folder, by step, oldest first. */
async function sampleFiles(runDir: string): Promise<{ step: number; file: string }[]> {
  const folder = join(runDir, 'samples');
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .flatMap((name) => {
      const match = SAMPLE_FILE.exec(name);
      return match ? [{ step: Number(match[1]), file: join(folder, name) }] : [];
    })
    .sort((a, b) => a.step - b.step);
}

async function trainingSample(ctx: StudioContext, request: ParsedRequest<'train.sample'>): Promise<Response<'train.sample'>> {
  const runDir = requireRunDir(ctx, request.id, 'sample grids');
  const found = (await sampleFiles(runDir)).find((sample) => sample.step === request.step);
  if (!found) throw new UserFacingError('not_found', `the run has no sample grid of step ${request.step}`);
  return { step: found.step, image: (await readFile(found.file)).toString('base64') };
}

async function startFolderTranslation(ctx: StudioContext, request: ParsedRequest<'translate.folder'>): Promise<JobInfo> {
  const inputDir = await requireFolder(request.inputDir, 'The input folder');
  if (!isAbsolute(request.outputDir)) {
    throw new UserFacingError('invalid_request', `The output folder must be a full path, got '${request.outputDir}'`);
  }
  const outputDir = resolve(request.outputDir);
  const inside = relative(inputDir, outputDir);
  // Results written into the input folder would be read back as inputs by the next run (and mix with the user's files).
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new UserFacingError('invalid_request', `The output folder ${outputDir} is inside the input folder; choose a folder outside ${inputDir}`);
  }
  const params = checkedJobParams('translate.folder', TranslateFolderParams, {
    modelId: request.modelId,
    inputDir,
    outputDir,
    saveToGallery: request.saveToGallery,
    ...(request.options !== undefined ? { options: request.options } : {}),
  });
  // Not found: the message names the models there are. The job would only fail later, and at every retry.
  const model = await ctx.models.resolve(request.modelId);
  if (model.kind === 'upscaler') {
    throw new UserFacingError('unsupported', `'${model.id}' is an upscaler, not a translation model: upscale images in the Upscale view`);
  }
  // The model's own translate options (keepSize is the inference layer's), checked by its family before anything is queued.
  const family = families.has(model.info.family) ? families.get(model.info.family) : undefined;
  if (family) parseTranslateOptions(family, familyOptions(request.options ?? {}), model.config);
  await inputImages(inputDir); // an empty folder is refused here, not reported as 0 translated
  const name = inputDir.split(/[\\/]/).pop() || inputDir;
  return userFacing(() => ctx.jobs.start('translate-folder', params, { title: `Translate ${name} with ${request.modelId}` }));
}

export function jobHandlers(ctx: StudioContext): { [M in JobMethods]: Handler<M> } {
  const { jobs } = ctx;
  const runJobs: RunJobs = new Map();
  return {
    'jobs.list': () => ({ jobs: jobs.list(), order: jobs.order() }),
    'jobs.get': ({ id }) => requireJob(ctx, id),
    'jobs.log': ({ id, limit }) => {
      requireJob(ctx, id);
      return readJobLog(ctx.dataDir, id, limit);
    },
    'jobs.cancel': ({ id }) => userFacing(() => jobs.cancel(id)),
    'jobs.pause': ({ id }) => userFacing(() => jobs.pause(id)),
    'jobs.resume': ({ id }) => userFacing(() => jobs.resume(id)),
    'jobs.retry': ({ id }) => userFacing(() => jobs.resumeJob(id)),
    'jobs.stats': async () => {
      try {
        return await jobs.stats();
      } catch (error) {
        if (error instanceof JobRequestError) throw new UserFacingError(error.code, error.message);
        throw error;
      }
    },
    'train.families': () => ({ families: families.all().map(familyInfo) }),
    'train.estimate': (request) => estimateTraining(ctx, request),
    'train.start': (request) => startTraining(ctx, runJobs, request),
    'train.history': (request) => trainingHistory(ctx, request),
    'train.samples': async ({ id, limit }) => {
      const samples = await sampleFiles(requireRunDir(ctx, id, 'sample grids'));
      return { samples: samples.slice(Math.max(0, samples.length - limit)).map(({ step }) => ({ step })) };
    },
    'train.sample': (request) => trainingSample(ctx, request),
    'translate.folder': (request) => startFolderTranslation(ctx, request),
  };
}

/**
 * Forwards the queue's events as contract events until the returned function
 * is called. Status changes (paused, running…) go out as job.progress too,
 * since that event is "progress and status changes".
 */
function galleryItemIdsOf(result: unknown): number[] {
  if (typeof result !== 'object' || result === null || !('galleryItemIds' in result)) return [];
  const ids = (result as { galleryItemIds: unknown }).galleryItemIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id) && id > 0) : [];
}

export function forwardJobEvents(ctx: StudioContext): () => void {
  let stopped = false;
  const send: StudioContext['emit'] = (event, payload) => {
    if (!stopped) ctx.emit(event, payload);
  };
  const off = [
    ctx.jobs.on('progress', (event) => send('job.progress', event)),
    ctx.jobs.on('status', (info) => {
      send('job.progress', { id: info.id, status: info.status, progress: info.progress });
      // Jobs that save results (folder translation, upscaling) write to the gallery from the
      // worker and return the new ids; open gallery views learn of them here.
      const ids = galleryItemIdsOf(info.result);
      if (ids.length && (info.status === 'succeeded' || info.status === 'cancelled' || info.status === 'failed')) {
        send('gallery.changed', { reason: 'added', ids });
      }
    }),
    ctx.jobs.on('log', (event) => {
      const notice = readSampleNotice(event.message);
      if (notice === null) {
        send('job.log', event);
        return;
      }
      readFile(notice.file).then(
        (png) => send('job.sample', { id: event.id, step: notice.step, image: png.toString('base64') }),
        (error: unknown) =>
          send('job.log', {
            id: event.id,
            at: event.at,
            message: `the sample grid of step ${notice.step} could not be read (${error instanceof Error ? error.message : String(error)})`,
          }),
      );
    }),
  ];
  return () => {
    stopped = true;
    for (const unsubscribe of off) unsubscribe();
  };
}
