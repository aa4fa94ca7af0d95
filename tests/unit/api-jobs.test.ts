/**
 * The jobs API through the real studio and dispatcher: train.start checks
 * requests before queuing, training runs in the worker, and the queue's
 * events arrive as job.progress / job.log / job.sample.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventName, JobInfo } from '../../src/shared/contract.js';
import { openStudio } from '../../src/main/api/studio.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-api-jobs-'));
const dataDir = join(root, 'studio');
const emoji = join(root, 'emoji');
mkdirSync(dataDir, { recursive: true });
const studio = openStudio({ dataDir, transport: 'http', log: () => {} });
const events: { event: EventName; payload: any }[] = [];
studio.onEvent((event, payload) => events.push({ event, payload }));
const tiny = { size: 32, ngf: 8, ndf: 8, dropout: 0, steps: 20, sampleEvery: 10, checkpointEvery: 10 };

beforeAll(async () => {
  await buildOpenMojiPairs(emoji, { count: 8, size: 32, start: 700 });
}, 60_000);
afterAll(async () => {
  await studio.close();
  rmSync(root, { recursive: true, force: true });
});

async function call(method: string, request: unknown) {
  return studio.dispatch(method, request);
}
async function ok<T = JobInfo>(method: string, request: unknown): Promise<T> {
  const outcome = await call(method, request);
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value as T;
}
async function finished(id: string): Promise<JobInfo> {
  for (;;) {
    const job = await ok('jobs.get', { id });
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('refuses bad train.start requests at once, with the reason and the contract code', async () => {
  const cases: [unknown, string, RegExp][] = [
    [{ family: 'pix2pix', dataDir: emoji, run: 'a', config: { size: 48 } }, 'invalid_request', /Invalid Pix2Pix settings: size: must be a power of two/],
    [{ family: 'pix2pix', dataDir: join(root, 'nowhere'), run: 'a' }, 'invalid_request', /nowhere does not exist/],
    [{ family: 'pix2pix', dataDir: 'emoji', run: 'a' }, 'invalid_request', /must be a full path/],
    [{ family: 'pix2pix', dataDir: emoji, run: '../escape' }, 'invalid_request', /run: a run name is letters/],
    [{ family: 'nope', dataDir: emoji, run: 'a' }, 'unsupported', /There is no model family 'nope'; this version trains: pix2pix, cyclegan, srgan/],
    [{ family: 'pix2pix', dataDir: emoji, run: 'a', config: { ngf: -1 } }, 'invalid_request', /ngf/],
  ];
  for (const [request, code, message] of cases) {
    const outcome = await call('train.start', request);
    expect(outcome.ok, JSON.stringify(request)).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe(code);
      expect(outcome.error.message).toMatch(message);
    }
  }
  expect((await ok<{ jobs: JobInfo[] }>('jobs.list', {})).jobs).toEqual([]);
});

it('trains through the API, forwarding progress, logs and sample grids; a run is resumed, not restarted', async () => {
  const job = await ok('train.start', { family: 'pix2pix', dataDir: emoji, run: 'emoji', config: tiny });
  expect(job).toMatchObject({ kind: 'train', title: 'Train Pix2Pix: emoji' });
  const busy = await call('train.start', { family: 'pix2pix', dataDir: emoji, run: 'emoji', resume: true, config: { steps: 30 } });
  expect(busy.ok || busy.error.code).toBe('invalid_state');

  const done = await finished(job.id);
  expect(done.status, done.error).toBe('succeeded');
  expect(done.result).toMatchObject({ step: 20, status: 'completed', runDir: join(dataDir, 'runs', 'emoji') });

  const mine = events.filter((e) => e.payload.id === job.id);
  const progress = mine.filter((e) => e.event === 'job.progress').map((e) => e.payload);
  expect(progress.some((p) => p.status === 'running' && p.progress.losses?.G_L1 > 0)).toBe(true);
  expect(progress.at(-1)).toMatchObject({ status: 'succeeded', progress: { done: 20, total: 20 } });
  expect(mine.some((e) => e.event === 'job.log' && /8 pairs/.test(e.payload.message))).toBe(true);
  // Sample notices never reach the client as log lines; they arrive as images.
  expect(mine.some((e) => e.event === 'job.log' && e.payload.message.includes('ganvas-sample'))).toBe(false);
  // The last grid is read from disk asynchronously, after the job has finished.
  for (let i = 0; i < 250 && events.filter((e) => e.event === 'job.sample').length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const samples = events.filter((e) => e.event === 'job.sample' && e.payload.id === job.id).map((e) => e.payload);
  expect(samples.map((s) => s.step)).toEqual([10, 20]);
  expect(Buffer.from(samples[0].image, 'base64').subarray(1, 4).toString()).toBe('PNG');

  const again = await call('train.start', { family: 'pix2pix', dataDir: emoji, run: 'emoji', config: tiny });
  expect(again.ok).toBe(false);
  if (!again.ok) expect(again.error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/already holds a training run \(checkpoint at step 20\)/) });
  const bigger = await call('train.start', { family: 'pix2pix', dataDir: emoji, run: 'emoji', resume: true, config: { ngf: 16, steps: 30 } });
  expect(bigger.ok || bigger.error.message).toMatch(/trained with ngf 8; these settings ask for ngf 16/);

  const resumed = await ok('train.start', { family: 'pix2pix', dataDir: emoji, run: 'emoji', resume: true, config: { steps: 26 } });
  const second = await finished(resumed.id);
  expect(second.status, second.error).toBe('succeeded');
  expect(second.result).toMatchObject({ step: 26, resumedFrom: 20 });

  // The whole curve can be read back, for a reloaded page or a finished run: every step once,
  // or averaged down to maxPoints points that still end at the last step.
  const history = await ok<{ lastStep: number; losses: Record<string, { step: number; value: number }[]> }>('train.history', { id: resumed.id });
  expect(Object.keys(history.losses).sort()).toEqual(['D_fake', 'D_real', 'G_GAN', 'G_L1']);
  const steps = history.losses.G_L1!.map((point) => point.step);
  expect(steps.length).toBe(26);
  expect(new Set(steps).size).toBe(26);
  expect(steps.at(-1)).toBe(history.lastStep);
  for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThan(steps[i - 1]!);
  const coarse = await ok<typeof history>('train.history', { id: job.id, maxPoints: 10 });
  expect(coarse.losses.G_L1!.length).toBeLessThanOrEqual(10);
  expect(coarse.losses.G_L1!.at(-1)!.step).toBe(history.lastStep);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  // Averaging keeps the curve's level: the mean of 3-step means over whole buckets equals the mean of the steps.
  const raw = history.losses.G_L1!.map((point) => point.value);
  const buckets = coarse.losses.G_L1!.map((point) => point.value);
  expect(mean(buckets.slice(0, 8))).toBeCloseTo(mean(raw.slice(0, 24)), 6);
}, 180_000);

it('jobs.* map the queue refusals to contract codes', async () => {
  const { jobs } = await ok<{ jobs: JobInfo[] }>('jobs.list', {});
  const done = jobs.find((job) => job.status === 'succeeded')!;
  const expectError = async (method: string, request: unknown, code: string, message: RegExp) => {
    const outcome = await call(method, request);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe(code);
      expect(outcome.error.message).toMatch(message);
    }
  };
  await expectError('jobs.get', { id: 'no-such-job' }, 'not_found', /there is no job 'no-such-job'/);
  await expectError('jobs.cancel', { id: 'no-such-job' }, 'not_found', /no job/);
  await expectError('jobs.pause', { id: done.id }, 'invalid_state', /has already finished/);
  await expectError('jobs.retry', { id: done.id }, 'invalid_state', /only failed or cancelled jobs can be resumed/);
  await expectError('jobs.get', { id: 'Bad Id!' }, 'invalid_request', /id/);
  await expectError('train.history', { id: 'no-such-job' }, 'not_found', /there is no job 'no-such-job'/);
  await expectError('train.history', { id: done.id, maxPoints: 5 }, 'invalid_request', /maxPoints/);
  expect(await ok('jobs.cancel', { id: done.id })).toMatchObject({ status: 'succeeded' });
  const stats = await ok<{ numTensors: number; rssBytes: number }>('jobs.stats', {});
  expect(stats.rssBytes).toBeGreaterThan(0);

  await expectError(
    'translate.folder',
    { modelId: 'run:emoji', inputDir: emoji, outputDir: join(emoji, 'out') },
    'invalid_request',
    /is inside the input folder/,
  );
});
