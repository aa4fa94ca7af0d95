import os from 'node:os';
import { largestUpscaleTile, smallestTileFor, tileContextFor, tileFeather } from '../../../shared/upscale-tiles.js';
import type { LoadedUpscaleModel } from './load-model.js';
import { checkLayout, type TileLayout } from './tiling.js';

export const minTile = 64;
export const maxTile = 512;

/**
 * Context per side: the model's receptive-field radius, which makes tiles match
 * the untiled result exactly, up to 64 px (shared/upscale-tiles.ts: a 16-block
 * SRResNet needs 40 at ×4); beyond, 32 px (the thick ESRGAN: radius 154).
 * Cross-fade width: small, since with full context the tiles agree anyway.
 */
const feather = tileFeather;

/**
 * Bytes alive per input pixel during one forward pass, roughly: the largest
 * feature map three times over (its input, itself, the next layer's output).
 */
function bytesPerInputPixel(loaded: LoadedUpscaleModel): number {
  return 3 * loaded.largestMapBytesPerInputPixel;
}

/**
 * The largest default tile on ONNX Runtime. Its time per pixel rises with the
 * tile past a few hundred pixels (the feature maps leave the caches): measured
 * on 2 cores, the bundled ×4 SRResNet (16 blocks, sub-pixel output) upscaled a
 * 640×480 photo in 8.6–8.9 s with 320 px tiles, 12.9 s with 384 and 15.3 s
 * with 512 (its memory budget's choice), although larger tiles redo less
 * context; smaller ones redo too much (10.2 s at 256, 15.6 s at 192, for its
 * 38 px of context a side).
 */
export const onnxTileCap = 320;

/**
 * A tile side that fits the memory there is: a quarter of free memory, at most
 * 512 MB (the wasm heap only grows, so a huge first tile would stay reserved),
 * clamped to 64…512 (64…320 on ONNX Runtime, `onnxTileCap`) and rounded down
 * to a multiple of 16.
 */
export function defaultTileSize(loaded: LoadedUpscaleModel, freeBytes = os.freemem()): number {
  const budget = Math.min(freeBytes / 4, 512 * 2 ** 20);
  const side = Math.floor(Math.sqrt(budget / bytesPerInputPixel(loaded)) / 16) * 16;
  const largest = loaded.inference.runtime === 'onnx' ? onnxTileCap : maxTile;
  return Math.min(largest, Math.max(minTile, side, smallestTile(loaded)));
}

function contextFor(loaded: LoadedUpscaleModel): number {
  return tileContextFor(loaded.receptiveRadius);
}

/** The smallest tile with some useful area left after context and blending. */
export function smallestTile(loaded: LoadedUpscaleModel): number {
  return smallestTileFor(loaded.receptiveRadius);
}

/** The layout for a model and an optional user-given tile size (validated with a message naming the limit). */
export function tileLayoutFor(loaded: LoadedUpscaleModel, tile?: number): TileLayout {
  const side = tile ?? defaultTileSize(loaded);
  const smallest = smallestTile(loaded);
  if (!Number.isInteger(side) || side < smallest || side > largestUpscaleTile) {
    throw new RangeError(`tile size must be a whole number from ${smallest} to ${largestUpscaleTile} for ${loaded.info.id}, got ${side}`);
  }
  const layout = { tile: side, context: contextFor(loaded), feather };
  checkLayout(layout);
  return layout;
}
