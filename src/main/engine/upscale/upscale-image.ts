import type { RawImage } from '../image/index.js';
import type { LoadedUpscaleModel } from './load-model.js';
import { modelWindowUpscaler } from './model-window.js';
import { upscaleTiled, type TileLayout } from './tiling.js';

/**
 * Upscales an image held in memory (the output too: for crops, previews and
 * evaluation; files go through upscaleFile, which streams).
 */
export async function upscaleImage(
  image: RawImage,
  loaded: LoadedUpscaleModel,
  layout: TileLayout,
  options: { signal?: AbortSignal; onTile?: (done: number, total: number) => void } = {},
): Promise<RawImage> {
  const scale = loaded.info.scale;
  const width = image.width * scale;
  const height = image.height * scale;
  const data = new Uint8Array(width * height * image.channels);
  await upscaleTiled(image, modelWindowUpscaler(loaded), {
    scale,
    layout,
    signal: options.signal,
    onTile: options.onTile,
    onRows: (rows, firstRow) => data.set(rows, firstRow * width * image.channels),
  });
  return { data, width, height, channels: image.channels };
}
