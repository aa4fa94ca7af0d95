/**
 * Which `ganvas worker`s a job on the Redis queue ran on, for the job lists:
 * "on 3 workers: gpu-box-411, laptop-90, laptop-91". Empty for jobs of the
 * in-process queue, which run here.
 */
import type { JobInfo } from '../../../../shared/jobs.js';

export function workersLine(job: Pick<JobInfo, 'queue' | 'workers' | 'status'>): string {
  if (job.queue !== 'redis') return '';
  const workers = job.workers ?? [];
  if (workers.length === 0) return job.status === 'queued' || job.status === 'running' ? 'on the Redis queue, waiting for a worker' : 'on the Redis queue';
  const shown = workers.slice(0, 4).join(', ');
  const more = workers.length > 4 ? ` and ${workers.length - 4} more` : '';
  return `on ${workers.length} worker${workers.length === 1 ? '' : 's'}: ${shown}${more}`;
}
