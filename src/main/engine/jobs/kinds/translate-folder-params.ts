/**
 * What a `translate-folder` job takes, apart from the job itself: this module
 * loads no tfjs, so the main thread parses a request with the very schema the
 * job uses (api/jobs.ts) before anything is queued.
 */
import { z } from 'zod';

export const TranslateFolderParams = z
  .object({
    /** A catalogue id (bundled:, user:, run:), or from the CLI a model or run folder. */
    modelId: z.string().min(1).max(4096),
    inputDir: z.string().min(1).max(4096),
    outputDir: z.string().min(1).max(4096),
    options: z.record(z.string(), z.unknown()).optional(),
    saveToGallery: z.boolean().default(false),
  })
  .strict()
  .superRefine((params, ctx) => {
    // `enlarge` is the Doodle view's crisp preview of one result; a folder job writing the network's
    // own size while the request asked for ×2 or ×4 would lose the request without a word.
    if (params.options?.['enlarge'] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['options', 'enlarge'],
        message: 'is for single images only (the Doodle view’s crisp preview); translate the folder, then upscale its results in the Upscale view',
      });
    }
  });
export type TranslateFolderParams = z.input<typeof TranslateFolderParams>;
