/**
 * Deleting, with Undo: training runs and their jobs (`jobs.remove`, from the
 * Train view), and models (`models.delete`, from the Models view). Both move
 * things to the studio's trash (engine/trash.ts) and the matching restore
 * puts them back until the studio starts next, as the gallery's delete does.
 *
 * A run is its folder plus every job that trained it, so deleting it from
 * either view removes the same things and a run a job is still training (or
 * paused in, or queued for) is refused. Bundled and npm models are part of the
 * install and are refused by the catalogue with the reason.
 */
import { basename } from 'node:path';
import type { Response } from '../../shared/contract.js';
import { UserFacingError } from '../engine/errors.js';
import { isFinished, JobRequestError, type JobInfo } from '../engine/jobs/index.js';
import type { Handler } from './dispatch.js';
import { trainingRunDir } from './jobs.js';
import type { StudioContext } from './studio.js';

type TrashMethods = 'jobs.remove' | 'jobs.restore' | 'models.delete' | 'models.restore';

const jobKey = (id: string) => `job:${id}`;

function refusal(error: unknown): never {
  if (error instanceof JobRequestError) throw new UserFacingError(error.code, error.message);
  throw error;
}

/** Moves the run folder and its jobs to the trash, under the run's model id and each job's key. */
async function deleteRun(ctx: StudioContext, runDir: string): Promise<{ name: string; jobs: string[] }> {
  const name = basename(runDir);
  const jobsOfRun = ctx.jobs.list().filter((job) => trainingRunDir(ctx, job.id) === runDir);
  const live = jobsOfRun.find((job) => !isFinished(job.status));
  if (live) {
    throw new UserFacingError('invalid_state', `run '${name}' cannot be deleted while '${live.title}' is ${live.status}; stop it first`);
  }
  const removed: { info: JobInfo; files: string[] }[] = [];
  try {
    for (const job of jobsOfRun) removed.push(ctx.jobs.remove(job.id));
  } catch (error) {
    for (const { info } of removed) ctx.jobs.reload(info.id);
    refusal(error);
  }
  const ids = removed.map(({ info }) => info.id);
  try {
    await ctx.trash.put([`run:${name}`, ...ids.map(jobKey)], [runDir, ...removed.flatMap(({ files }) => files)]);
  } catch (error) {
    // Nothing moved (the trash puts back a half-done move): the jobs stay listed.
    for (const id of ids) ctx.jobs.reload(id);
    throw error;
  }
  return { name, jobs: ids };
}

async function removeJob(ctx: StudioContext, id: string): Promise<Response<'jobs.remove'>> {
  const job = ctx.jobs.get(id);
  if (!job) throw new UserFacingError('not_found', `there is no job '${id}'`);
  const runDir = trainingRunDir(ctx, id);
  if (runDir !== undefined) {
    const run = await deleteRun(ctx, runDir);
    return { removed: run.jobs, run: run.name };
  }
  let removed: { info: JobInfo; files: string[] };
  try {
    removed = ctx.jobs.remove(id);
  } catch (error) {
    refusal(error);
  }
  try {
    await ctx.trash.put([jobKey(id)], removed.files);
  } catch (error) {
    ctx.jobs.reload(id);
    throw error;
  }
  return { removed: [id], run: null };
}

/** Takes an entry back from the trash and puts its jobs back on the list. */
async function takeBack(ctx: StudioContext, key: string): Promise<string[]> {
  const keys = await ctx.trash.takeBack(key);
  const ids = keys.filter((k) => k.startsWith('job:')).map((k) => k.slice('job:'.length));
  for (const id of ids) {
    try {
      ctx.jobs.reload(id);
    } catch (error) {
      refusal(error);
    }
  }
  return ids;
}

export function trashHandlers(ctx: StudioContext): { [M in TrashMethods]: Handler<M> } {
  return {
    'jobs.remove': ({ id }) => removeJob(ctx, id),
    'jobs.restore': async ({ ids }) => {
      const restored = new Set<string>();
      for (const id of ids) {
        if (restored.has(id) || ctx.jobs.get(id)) continue;
        for (const back of await takeBack(ctx, jobKey(id))) restored.add(back);
      }
      return { restored: [...restored] };
    },
    'models.delete': async ({ id }) => {
      const target = await ctx.models.folderToDelete(id);
      if (target.kind === 'run') {
        const run = await deleteRun(ctx, target.folder);
        return { deleted: id, jobs: run.jobs };
      }
      await ctx.trash.put([id], [target.folder]);
      return { deleted: id, jobs: [] };
    },
    'models.restore': async ({ id }) => ({ restored: id, jobs: await takeBack(ctx, id) }),
  };
}
