/** What a queued job says it waits for, from the queue's own order. */
import { expect, it } from 'vitest';
import type { JobInfo } from '../../../src/shared/jobs.js';
import { waitingLine } from '../../../src/renderer/src/lib/jobs/waiting-line.js';

function job(id: string, status: JobInfo['status'], extra: Partial<JobInfo> = {}): JobInfo {
  return {
    id,
    kind: 'upscale',
    title: id,
    status,
    progress: { done: 0, total: 0, unit: 'tile', fraction: 0, etaSeconds: null, rate: null },
    createdAt: 1,
    resumable: false,
    attempt: 1,
    ...extra,
  };
}

const training = job('train-1', 'running', { kind: 'train', title: 'Train Pix2Pix: x', progress: { done: 30, total: 2000, unit: 'step', fraction: 0.015, etaSeconds: 100, rate: 1 } });

it('names the running job and its step, and counts every job ahead', () => {
  const first = job('up-1', 'queued');
  const second = job('up-2', 'queued');
  const jobs = [training, first, second];
  const order = { current: 'train-1', waiting: ['up-1', 'up-2'] };
  expect(waitingLine(first, jobs, order)).toBe("Waiting: 'Train Pix2Pix: x' is running, step 30 of 2,000; 1 job ahead");
  expect(waitingLine(second, jobs, order)).toBe("Waiting: 'Train Pix2Pix: x' is running, step 30 of 2,000; 2 jobs ahead");
});

it('says that a paused run keeps the engine, and where to resume it', () => {
  const paused = { ...training, status: 'paused' as const };
  const waiting = job('up-1', 'queued');
  expect(waitingLine(waiting, [paused, waiting], { current: 'train-1', waiting: ['up-1'] })).toBe(
    "Waiting: 'Train Pix2Pix: x' is paused at step 30 of 2,000 and keeps the engine until it is resumed or stopped in the Train view; 1 job ahead",
  );
});

it('waits for the engine when nothing holds it yet, and says nothing for a job that is not queued', () => {
  const waiting = job('up-1', 'queued');
  expect(waitingLine(waiting, [waiting], { current: null, waiting: ['up-1'] })).toBe('Waiting for the engine to start…');
  expect(waitingLine(job('up-2', 'queued'), [waiting], { current: null, waiting: ['up-1', 'up-2'] })).toBe('Waiting; 1 job ahead');
  expect(waitingLine(training, [training], { current: 'train-1', waiting: [] })).toBe('');
});
