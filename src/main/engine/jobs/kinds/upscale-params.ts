/**
 * What an `upscale` job takes, apart from the job itself: this module loads
 * no tfjs, so the main thread checks a request against the very schema the
 * job parses with (api/upscale.ts), before any upload is written or anything
 * is queued. The schema resolves the model and checks the tile against it,
 * so a job that is queued has the parameters it can run with.
 *
 * A user's own SRGAN model (`user:<name>`, `run:<name>`) lives in the data folder, which
 * this schema does not know: `upscaleRequestProblem` checks it with the data
 * folder (api/upscale.ts calls it before queueing), and the job resolves it
 * against its own.
 */
import { z } from 'zod';
import { largestUpscaleTile, UpscaleTile } from '../../../../shared/upscale-tiles.js';
import { chooseUpscaleModel, type UpscaleModelFolders } from '../../upscale/model-catalogue.js';

/** Why a model/tile pair cannot run (null when it can), looking for models in `folders`. */
export function upscaleRequestProblem(
  params: { scale: number; model?: string | undefined; tile?: number | undefined },
  folders: UpscaleModelFolders,
): { path: 'model' | 'tile'; message: string } | null {
  let model;
  try {
    model = chooseUpscaleModel({ scale: params.scale, ...(params.model !== undefined ? { model: params.model } : {}) }, folders);
  } catch (error) {
    return { path: 'model', message: error instanceof Error ? error.message : String(error) };
  }
  if (params.tile !== undefined && params.tile < model.smallestTile) {
    return { path: 'tile', message: `tile size must be a whole number from ${model.smallestTile} to ${largestUpscaleTile} for ${model.id}, got ${params.tile}` };
  }
  return null;
}

export const UpscaleJobParams = z
  .object({
    /** Files to upscale, in order; `name` is what the user calls the file (shown in progress and errors). */
    files: z.array(z.object({ path: z.string().min(1).max(4096), name: z.string().min(1).max(255) }).strict()).min(1).max(10_000),
    outputDir: z.string().min(1).max(4096),
    scale: z.union([z.literal(2), z.literal(3), z.literal(4)]),
    /** 'slim' | 'medium' | 'thick', a full id like 'esrgan-slim-x2', or an SRGAN model's 'bundled:<name>' / 'user:<name>' / 'run:<name>'; default: the scale's default model. */
    model: z.string().min(1).max(200).optional(),
    /** Tile side in input pixels; default: from free memory. */
    tile: UpscaleTile.optional(),
    addToGallery: z.boolean().default(true),
  })
  .strict()
  .superRefine((params, issues) => {
    // The user's models are checked where the data folder is known (see the header).
    if (params.model !== undefined && /^(user|run):/.test(params.model)) return;
    const problem = upscaleRequestProblem(params, {});
    if (problem) issues.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  });
export type UpscaleJobParams = z.input<typeof UpscaleJobParams>;
