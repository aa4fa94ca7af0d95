/**
 * `upscale.images`: photos sent from the Upscale view become an `upscale` job.
 *
 * The uploads (inline base64, or files streamed to `POST /upload` first and
 * named by id) are written or moved to a folder of their own under
 * `<data dir>/uploads/`, never next to anything of the user's, and results go
 * to `<data dir>/upscaled/<same name>/`. The handler answers as soon as the
 * job is queued; when the job ends it announces the gallery items the job
 * added (also for a cancelled job: what finished before the cancel stays).
 * The job queue deletes the uploads when they are no longer needed (see
 * engine/jobs/leftovers.ts): when the job succeeds, also after a retry in a
 * later session.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobInfo, ParsedRequest } from '../../shared/contract.js';
import { UserFacingError } from '../engine/errors.js';
import { JobRequestError } from '../engine/jobs/index.js';
import { UpscaleJobParams, upscaleRequestProblem } from '../engine/jobs/kinds/upscale-params.js';
// The catalogue lists installed packages only; it does not load tfjs, so it is safe on this thread.
import { chooseUpscaleModel, UnknownUpscaleModelError } from '../engine/upscale/model-catalogue.js';
import { bicubicUpscaleFile } from '../engine/upscale/bicubic-file.js';
import type { Handler } from './dispatch.js';
import { checkedJobParams } from './jobs.js';
import type { StudioContext } from './studio.js';
import { checkUpload, moveUpload } from './uploads.js';

/** A file name that is safe inside our folder, close to what the user called it. */
export function safeUploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  return cleaned || 'image';
}

/** Distinct names (case-insensitively, for case-insensitive file systems), keeping the extension. */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((wanted) => {
    const ext = path.extname(wanted);
    const stem = wanted.slice(0, wanted.length - ext.length);
    let name = wanted;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem} (${n})${ext}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** Accepts `npm:esrgan-slim-x2` (from `models.list`), `esrgan-slim-x2` or `slim`; SRGAN models keep their `bundled:`/`user:` id. */
function engineModelName(modelId: string | undefined): string | undefined {
  return modelId?.replace(/^npm:/, '');
}

async function startUpscale(ctx: StudioContext, request: ParsedRequest<'upscale.images'>): Promise<JobInfo> {
  const model = engineModelName(request.modelId);
  let chosen;
  try {
    chosen = chooseUpscaleModel({ scale: request.scale, ...(model !== undefined ? { model } : {}) }, { dataDir: ctx.dataDir });
  } catch (error) {
    if (error instanceof UnknownUpscaleModelError) throw new UserFacingError('invalid_request', error.message);
    throw error;
  }
  // The user's own models are not known to the job's schema (it has no data folder): their tile is checked here.
  const problem = upscaleRequestProblem({ scale: request.scale, model: chosen.id, tile: request.tile }, { dataDir: ctx.dataDir });
  if (problem) throw new UserFacingError('invalid_request', `Invalid request for upscale.images: ${problem.path}: ${problem.message}`);
  const folder = `${new Date().toISOString().slice(0, 10)}-${randomBytes(5).toString('hex')}`;
  const uploadDir = path.join(ctx.dataDir, 'uploads', folder);
  const outputDir = path.join(ctx.dataDir, 'upscaled', folder);
  const names = distinctNames(request.files.map((file) => safeUploadName(file.name)));
  const files = names.map((name) => ({ path: path.join(uploadDir, name), name }));
  // Checked with the job's own schema (model, tile for that model…) before a byte is written or anything queued.
  const params = checkedJobParams('upscale.images', UpscaleJobParams, {
    files,
    outputDir,
    scale: request.scale,
    model: chosen.id,
    ...(request.tile !== undefined ? { tile: request.tile } : {}),
    addToGallery: true,
  });
  // Every streamed file must be there before any is moved: a missing one fails the request and the others stay uploaded.
  for (const upload of request.files) if ('uploadId' in upload) await checkUpload(ctx.dataDir, upload.uploadId);
  await mkdir(uploadDir, { recursive: true });
  try {
    for (const [index, upload] of request.files.entries()) {
      // Undecodable bytes are the job's business: that file fails with its name, the others still run.
      const file = files[index]!.path;
      if ('uploadId' in upload) await moveUpload(ctx.dataDir, upload.uploadId, file);
      else await writeFile(file, Buffer.from(upload.dataBase64, 'base64'));
    }
  } catch (error) {
    await rm(uploadDir, { recursive: true, force: true });
    throw error;
  }

  const count = files.length === 1 ? files[0]!.name : `${files.length} images`;
  let job: JobInfo;
  try {
    job = ctx.jobs.start('upscale', params, { title: `Upscale ${count} ×${request.scale} (${chosen.family === 'esrgan' ? chosen.variant : chosen.title})` });
  } catch (error) {
    await rm(uploadDir, { recursive: true, force: true });
    if (error instanceof JobRequestError) throw new UserFacingError(error.code, error.message);
    throw error;
  }
  void announceWhenFinished(ctx, job.id);
  return job;
}

function itemIdsOf(result: unknown): number[] {
  const ids = (result as { galleryItemIds?: unknown } | undefined)?.galleryItemIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id) && id > 0) : [];
}

async function announceWhenFinished(ctx: StudioContext, jobId: string): Promise<void> {
  let finished: JobInfo;
  try {
    finished = await ctx.jobs.waitFor(jobId);
  } catch {
    return; // the studio closed first
  }
  const ids = itemIdsOf(finished.result);
  if (ids.length) {
    try {
      ctx.emit('gallery.changed', { reason: 'added', ids });
    } catch {
      // Emitting after the studio closed: nobody is listening.
    }
  }
}

/** The item's original by exact bicubic (engine/upscale/bicubic-file.ts): no tfjs, so it runs here. */
async function bicubicOf(ctx: StudioContext, request: ParsedRequest<'upscale.bicubic'>) {
  const item = ctx.gallery.get(request.itemId);
  const file = item.input ? ctx.gallery.imagePath(item.input.hash) : null;
  if (!item.input || !file) throw new UserFacingError('not_found', `gallery item ${request.itemId} has no original image to compare with`);
  try {
    const made = await bicubicUpscaleFile(file, request.scale, item.title);
    return { width: made.width, height: made.height, pngBase64: made.png.toString('base64') };
  } catch (error) {
    if (error instanceof RangeError) throw new UserFacingError('unsupported', error.message);
    throw error;
  }
}

export function upscaleHandlers(ctx: StudioContext): { 'upscale.images': Handler<'upscale.images'>; 'upscale.bicubic': Handler<'upscale.bicubic'> } {
  return {
    'upscale.images': (request) => startUpscale(ctx, request),
    'upscale.bicubic': (request) => bicubicOf(ctx, request),
  };
}
