/** What the job lists say about jobs on the Redis queue: which workers ran them, or that none has yet. */
import { expect, it } from 'vitest';
import type { JobInfo } from '../../../src/shared/jobs.js';
import { workersLine } from '../../../src/renderer/src/lib/jobs/queue-workers.js';
import { waitingLine } from '../../../src/renderer/src/lib/jobs/waiting-line.js';

const base = { status: 'running' } as const satisfies Partial<JobInfo>;

it('names the workers of a queue job, and says nothing for in-process jobs', () => {
  expect(workersLine({ ...base })).toBe('');
  expect(workersLine({ ...base, queue: 'redis' })).toBe('on the Redis queue, waiting for a worker');
  expect(workersLine({ ...base, queue: 'redis', workers: ['a-1'] })).toBe('on 1 worker: a-1');
  expect(workersLine({ ...base, queue: 'redis', workers: ['a-1', 'a-2', 'b-1', 'b-2', 'c-1', 'c-2'] })).toBe('on 6 workers: a-1, a-2, b-1, b-2 and 2 more');
  expect(workersLine({ status: 'succeeded', queue: 'redis' })).toBe('on the Redis queue');
});

it('a queued job on the Redis queue waits for a worker, not for the studio worker', () => {
  const order = { current: 'other', waiting: [] };
  const other = { id: 'other', kind: 'upscale', title: 'Upscale 3', status: 'running', progress: { done: 1, total: 3, unit: 'image', fraction: 0.3, etaSeconds: null, rate: null }, createdAt: 1, resumable: false, attempt: 1 } satisfies JobInfo;
  expect(waitingLine({ id: 'q', status: 'queued', queue: 'redis' }, [other], order)).toMatch(/^Waiting for a worker/);
  expect(waitingLine({ id: 'q', status: 'queued' }, [other], order)).not.toMatch(/^Waiting for a worker/);
});
