/**
 * How fast each upscaler was on this machine, from the gallery's own upscale
 * items (each keeps its model, output size and total time): the median of
 * seconds per output megapixel, so one photo that waited behind a training
 * run does not decide it. Shown beside the model when known.
 */
import type { GalleryItem } from '../../../../shared/contract.js';

export interface MeasuredSpeed {
  secondsPerMegapixel: number;
  upscales: number;
}

export function measuredSpeeds(items: readonly Pick<GalleryItem, 'kind' | 'modelId' | 'output' | 'timings'>[]): Map<string, MeasuredSpeed> {
  const samples = new Map<string, number[]>();
  for (const item of items) {
    const ms = item.timings['total'];
    const megapixels = (item.output.width * item.output.height) / 1e6;
    if (item.kind !== 'upscale' || !item.modelId || typeof ms !== 'number' || !(ms > 0) || !(megapixels > 0)) continue;
    const list = samples.get(item.modelId) ?? [];
    list.push(ms / 1000 / megapixels);
    samples.set(item.modelId, list);
  }
  const speeds = new Map<string, MeasuredSpeed>();
  for (const [modelId, list] of samples) {
    const sorted = [...list].sort((a, b) => a - b);
    const middle = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    speeds.set(modelId, { secondsPerMegapixel: median, upscales: sorted.length });
  }
  return speeds;
}

export function speedLine(speed: MeasuredSpeed): string {
  const value = speed.secondsPerMegapixel;
  const text = value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
  return `measured here: ${text} s per output megapixel (${speed.upscales} ${speed.upscales === 1 ? 'upscale' : 'upscales'})`;
}
