/**
 * What a queued job says it is waiting for: "Waiting: 'Train Pix2Pix: x' is
 * running, step 30 of 2,000; 1 job ahead". Jobs run one at a time, so a
 * second upscale behind a long training run would otherwise just say
 * "waiting" with no hint of what for, or for how long.
 *
 * `order` is the queue's own order (jobs.list): the job holding the worker
 * (running, or paused, which keeps the worker) and the queued ones.
 */
import type { JobInfo } from '../../../../shared/jobs.js';

export interface QueueOrder {
  current: string | null;
  waiting: readonly string[];
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}

/** "step 30 of 2,000", "image 3 of 40", or "starting" before the job knows its size. */
export function progressPhrase(progress: JobInfo['progress']): string {
  const unit = progress.unit || 'step';
  if (progress.total > 0) return `${unit} ${Math.floor(progress.done).toLocaleString('en')} of ${Math.floor(progress.total).toLocaleString('en')}`;
  return progress.done > 0 ? `${unit} ${Math.floor(progress.done).toLocaleString('en')}` : 'starting';
}

export function waitingLine(job: Pick<JobInfo, 'id' | 'status'> & Partial<Pick<JobInfo, 'queue'>>, jobs: readonly JobInfo[], order: QueueOrder): string {
  if (job.status !== 'queued') return '';
  // Jobs on the Redis queue wait for a `ganvas worker`, not for this studio's worker.
  if (job.queue === 'redis') return 'Waiting for a worker to take it (ganvas worker --redis …)';
  const holder = order.current === null || order.current === job.id ? undefined : jobs.find((candidate) => candidate.id === order.current);
  const position = order.waiting.indexOf(job.id);
  const queuedAhead = position < 0 ? 0 : position;
  const ahead = queuedAhead + (holder ? 1 : 0);
  const count = ahead > 0 ? `; ${plural(ahead, 'job', 'jobs')} ahead` : '';
  if (!holder) return queuedAhead > 0 ? `Waiting${count}` : 'Waiting for the engine to start…';
  if (holder.status === 'paused') {
    const where = /^train(-|$)/.test(holder.kind) ? ' in the Train view' : '';
    return `Waiting: '${holder.title}' is paused at ${progressPhrase(holder.progress)} and keeps the engine until it is resumed or stopped${where}${count}`;
  }
  return `Waiting: '${holder.title}' is running, ${progressPhrase(holder.progress)}${count}`;
}
