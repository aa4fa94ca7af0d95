/**
 * The tile sizes the upscaler accepts, defined once: the contract's
 * `upscale.images`, the `upscale` job's params and the engine's tile layout
 * all read them, so a request the contract lets through is one the job can
 * run (it used to accept 32–43 and the job then failed, for every retry).
 *
 * A tile must hold its context on both sides, the cross-fade and 16 px of
 * its own (engine/upscale/tile-layout.ts: 2 × context + 2 × 4 + 16), with the
 * context the model's receptive-field radius capped at 32 px. The radii of
 * the installed ESRGAN weights (engine/upscale/model-geometry.ts) are slim
 * 10 px, medium 18 px and thick 154 px; tests load each model and check these
 * numbers against the engine's, so they cannot drift from the weights.
 * Known here without loading any network, a request is checked on the main
 * thread before anything is queued.
 */
import { z } from 'zod';

export const largestUpscaleTile = 2048;

/** The smallest tile side, in input pixels, for each ESRGAN variant. */
export const smallestUpscaleTiles = { slim: 44, medium: 60, thick: 88 } as const;

export const smallestUpscaleTile = Math.min(...Object.values(smallestUpscaleTiles));

/** A tile side some model accepts; the `upscale` job also checks it against the chosen model. */
export const UpscaleTile = z.number().int().min(smallestUpscaleTile).max(largestUpscaleTile);
