/**
 * What the Translate view says about a folder job: the progress line while
 * it runs and one summary when it ends ("Translated 212 · 1 failed:
 * photo.heic: unsupported image format"). The job result arrives as
 * `unknown` over the wire, so it is read defensively.
 */
import type { JobInfo, JobProgress } from '../../../../shared/jobs.js';
import { humanEta } from '../upscale/batch-progress.js';

/** The `translate-folder` job's result (src/main/engine/jobs/kinds/translate-folder.ts). */
export interface FolderResult {
  translated: number;
  skipped: number;
  failed: { file: string; reason: string }[];
  resized: number;
  galleryItemIds: number[];
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function readFolderResult(result: unknown): FolderResult | null {
  if (!result || typeof result !== 'object') return null;
  const record = result as Record<string, unknown>;
  if (typeof record['translated'] !== 'number') return null;
  const failed = Array.isArray(record['failed'])
    ? record['failed'].flatMap((entry: unknown) => {
        if (!entry || typeof entry !== 'object') return [];
        const { file, reason } = entry as Record<string, unknown>;
        return typeof file === 'string' ? [{ file, reason: typeof reason === 'string' ? reason : 'unknown reason' }] : [];
      })
    : [];
  const ids = Array.isArray(record['galleryItemIds']) ? record['galleryItemIds'].filter((id: unknown): id is number => Number.isInteger(id)) : [];
  return { translated: count(record['translated']), skipped: count(record['skipped']), failed, resized: count(record['resized']), galleryItemIds: ids };
}

/** A failure as one line, without saying the file name twice when the reason already starts with it. */
export function failureLine(failure: { file: string; reason: string }): string {
  return failure.reason.startsWith(`${failure.file}: `) ? failure.reason : `${failure.file}: ${failure.reason}`;
}

export function describeFolderResult(result: FolderResult, shownFailures = 3): string {
  const parts = [`Translated ${result.translated.toLocaleString()}`];
  if (result.skipped) parts.push(`${result.skipped.toLocaleString()} done earlier`);
  if (result.failed.length) {
    const shown = result.failed.slice(0, shownFailures).map(failureLine);
    const more = result.failed.length - shown.length;
    parts.push(`${result.failed.length.toLocaleString()} failed: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
  }
  if (result.resized) parts.push(`${result.resized.toLocaleString()} resized for the model and back`);
  if (result.galleryItemIds.length) parts.push(`${result.galleryItemIds.length.toLocaleString()} saved to the Gallery`);
  return parts.join(' · ');
}

/** The line under the progress bar: "12 of 212 images · about 3 min left". */
export function folderProgressLine(status: JobInfo['status'], progress: JobProgress): string {
  if (status === 'queued') return 'Waiting for the engine…';
  if (status === 'paused') return `Paused at ${progress.done} of ${progress.total} images`;
  if (!progress.total) return 'Reading the folder…';
  const unit = progress.total === 1 ? 'image' : 'images';
  return `${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} ${unit} · ${humanEta(progress.etaSeconds)}`;
}

/** How a job that did not succeed ended, in the user's words. */
export function endedWithoutSuccess(job: Pick<JobInfo, 'status' | 'error' | 'progress'>): string | null {
  if (job.status === 'cancelled') return `Cancelled after ${job.progress.done} of ${job.progress.total} images; the images already written stay in the output folder.`;
  if (job.status === 'failed') return job.error ?? 'The folder job failed.';
  return null;
}
