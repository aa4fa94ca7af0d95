/**
 * What the Upscale view shows while a batch runs, read from the job's
 * progress: the batch as a whole (tiles across all images, with ETA) and the
 * image being worked on ("photo.jpg: tile 12/48 (image 2 of 5)").
 */
import type { JobProgress } from '../../../../shared/jobs.js';

export interface ImageProgress {
  file: string;
  tile: number;
  tiles: number;
  /** 1-based position in the batch. */
  index: number;
  count: number;
}

const tileMessage = /^(.*): tile (\d+)\/(\d+) \(image (\d+) of (\d+)\)$/;

export function imageProgressFrom(message: string | undefined): ImageProgress | null {
  const match = message ? tileMessage.exec(message) : null;
  if (!match) return null;
  const [, file, tile, tiles, index, count] = match;
  return { file: file!, tile: Number(tile), tiles: Number(tiles), index: Number(index), count: Number(count) };
}

export function humanEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating time left…';
  if (seconds < 1) return 'almost done';
  if (seconds < 60) return `about ${Math.ceil(seconds)} s left`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return minutes >= 60 ? `about ${Math.floor(minutes / 60)} h ${minutes % 60} min left` : `about ${minutes} min ${rest} s left`;
}

export function batchPercent(progress: JobProgress): number {
  return Math.round(Math.min(1, Math.max(0, progress.fraction)) * 100);
}
