/**
 * What an `upscale` job takes, apart from the job itself: this module loads
 * no tfjs, so the main thread checks a request against the very schema the
 * job parses with (api/upscale.ts), before any upload is written or anything
 * is queued. The schema resolves the model and checks the tile against it,
 * so a job that is queued has the parameters it can run with.
 */
import { z } from 'zod';
import { largestUpscaleTile, smallestUpscaleTiles, UpscaleTile } from '../../../../shared/upscale-tiles.js';
import { chooseUpscaleModel } from '../../upscale/model-catalogue.js';

export const UpscaleJobParams = z
  .object({
    /** Files to upscale, in order; `name` is what the user calls the file (shown in progress and errors). */
    files: z.array(z.object({ path: z.string().min(1).max(4096), name: z.string().min(1).max(255) }).strict()).min(1).max(10_000),
    outputDir: z.string().min(1).max(4096),
    scale: z.union([z.literal(2), z.literal(3), z.literal(4)]),
    /** 'slim' | 'medium' | 'thick', or a full id like 'esrgan-slim-x2'; default: the scale's default model. */
    model: z.string().min(1).max(200).optional(),
    /** Tile side in input pixels; default: from free memory. */
    tile: UpscaleTile.optional(),
    addToGallery: z.boolean().default(true),
  })
  .strict()
  .superRefine((params, issues) => {
    let model;
    try {
      model = chooseUpscaleModel({ scale: params.scale, ...(params.model !== undefined ? { model: params.model } : {}) });
    } catch (error) {
      issues.addIssue({ code: 'custom', path: ['model'], message: error instanceof Error ? error.message : String(error) });
      return;
    }
    const smallest = smallestUpscaleTiles[model.variant];
    if (params.tile !== undefined && params.tile < smallest) {
      issues.addIssue({
        code: 'custom',
        path: ['tile'],
        message: `tile size must be a whole number from ${smallest} to ${largestUpscaleTile} for ${model.id}, got ${params.tile}`,
      });
    }
  });
export type UpscaleJobParams = z.input<typeof UpscaleJobParams>;
