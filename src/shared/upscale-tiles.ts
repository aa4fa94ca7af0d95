/**
 * The tile sizes the upscaler accepts, defined once: the contract's
 * `upscale.images`, the `upscale` job's params and the engine's tile layout
 * all read them, so a request the contract lets through is one the job can
 * run (it used to accept 32–43 and the job then failed, for every retry).
 *
 * A tile must hold its context on both sides, the cross-fade and 16 px of
 * its own (engine/upscale/tile-layout.ts: 2 × context + 2 × 4 + 16), with the
 * context the model's receptive-field radius when that is at most 64 px (exact
 * tiling), else 32 px (see `tileContextFor`). The radii of
 * the installed ESRGAN weights (engine/upscale/model-geometry.ts) are slim
 * 10 px, medium 18 px and thick 154 px; tests load each model and check these
 * numbers against the engine's, so they cannot drift from the weights.
 * Known here without loading any network, a request is checked on the main
 * thread before anything is queued.
 */
import { z } from 'zod';

export const largestUpscaleTile = 2048;

/** Cross-fade width between tiles, in input pixels. */
export const tileFeather = 4;
/** Up to this receptive-field radius a tile gets its whole context, so tiles match the untiled result exactly. */
export const maxExactTileContext = 64;
/**
 * The context of a model with a larger radius (ESRGAN thick: 154 px, where
 * exact context would make a tile mostly context; its far receptive field
 * contributes little, and the feathered blend hides the rest).
 */
export const cappedTileContext = 32;

/**
 * Context per tile side for a model of receptive-field radius `radius`: all
 * of it up to 64 px (ESRGAN slim 10, medium 18, a 16-block SRResNet 40 at ×4),
 * else 32 px.
 */
export function tileContextFor(radius: number): number {
  return radius <= maxExactTileContext ? radius : cappedTileContext;
}

/** The smallest tile with some useful area left after context and blending. */
export function smallestTileFor(radius: number): number {
  return 2 * tileContextFor(radius) + 2 * tileFeather + 16;
}

/** The smallest tile side, in input pixels, for each ESRGAN variant. */
export const smallestUpscaleTiles = { slim: smallestTileFor(10), medium: smallestTileFor(18), thick: smallestTileFor(154) } as const;

export const smallestUpscaleTile = Math.min(...Object.values(smallestUpscaleTiles));

/** A tile side some model accepts; the `upscale` job also checks it against the chosen model. */
export const UpscaleTile = z.number().int().min(smallestUpscaleTile).max(largestUpscaleTile);
