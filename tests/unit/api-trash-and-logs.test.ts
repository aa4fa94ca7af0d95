/**
 * The API methods a reloaded Train view and the delete buttons need, through
 * the real studio on a temp folder with real training jobs: the queue order
 * (what a queued job waits for), kept job logs and sample grids that survive
 * a restart, and deleting runs, jobs and models to the trash with restore,
 * refused for bundled/npm models and for a run that is still training.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobInfo, ModelInfo } from '../../src/shared/contract.js';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-api-trash-'));
const dataDir = join(root, 'studio');
const emoji = join(root, 'emoji');
mkdirSync(dataDir, { recursive: true });
let studio: Studio = openStudio({ dataDir, transport: 'http', log: () => {} });
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
async function refused(method: string, request: unknown): Promise<{ code: string; message: string }> {
  const outcome = await call(method, request);
  if (outcome.ok) throw new Error(`${method} ${JSON.stringify(request)} was accepted: ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const finished = (id: string) => until(() => ok('jobs.get', { id }), (job) => ['succeeded', 'failed', 'cancelled'].includes(job.status), `job ${id} to end`);
type Listing = { jobs: JobInfo[]; order: { current: string | null; waiting: string[] } };
const modelIds = async () => (await ok<{ models: ModelInfo[] }>('models.list', {})).models.map((m) => m.id);

let alpha: JobInfo;
let beta: JobInfo;

it('lists who holds the worker and who waits, and refuses to delete a run that is still being trained', async () => {
  alpha = await ok('train.start', { family: 'pix2pix', dataDir: emoji, run: 'alpha', config: tiny });
  await until(() => ok('jobs.get', { id: alpha.id }), (job) => job.status === 'running' && job.progress.done >= 1, 'alpha to train');
  await ok('jobs.pause', { id: alpha.id });
  beta = await ok('train.start', { family: 'pix2pix', dataDir: emoji, run: 'beta', config: tiny });

  // A paused job keeps the worker: the one behind it waits for it, and the list says so.
  const listing = await ok<Listing>('jobs.list', {});
  expect(listing.order).toEqual({ current: alpha.id, waiting: [beta.id] });

  const live = await refused('jobs.remove', { id: alpha.id });
  expect(live.code).toBe('invalid_state');
  expect(live.message).toMatch(/run 'alpha' cannot be deleted while 'Train Pix2Pix: alpha' is paused; stop it first/);
  expect((await refused('models.delete', { id: 'run:alpha' })).message).toMatch(/while 'Train Pix2Pix: alpha' is paused/);
  expect((await refused('jobs.remove', { id: beta.id })).message).toMatch(/is queued; stop it first/);
  expect(existsSync(join(dataDir, 'runs', 'alpha'))).toBe(true);

  await ok('jobs.resume', { id: alpha.id });
  expect((await finished(alpha.id)).status).toBe('succeeded');
  expect((await finished(beta.id)).status).toBe('succeeded');
  expect((await ok<Listing>('jobs.list', {})).order).toEqual({ current: null, waiting: [] });
}, 240_000);

it('keeps each job’s log and lists and serves its sample grids, also after a restart', async () => {
  const readBack = async () => {
    const log = await ok<{ lines: { at: number; message: string }[]; total: number }>('jobs.log', { id: alpha.id });
    expect(log.lines.some((line) => /8 pairs/.test(line.message))).toBe(true);
    // Sample notices are for the API, never shown as text.
    expect(log.lines.some((line) => line.message.includes('ganvas-sample') || line.message.startsWith('\u0000'))).toBe(false);
    expect(log.total).toBe(log.lines.length);
    const { samples } = await ok<{ samples: { step: number }[] }>('train.samples', { id: alpha.id });
    expect(samples).toEqual([{ step: 10 }, { step: 20 }]);
    const grid = await ok<{ step: number; image: string }>('train.sample', { id: alpha.id, step: 20 });
    expect(grid.step).toBe(20);
    expect(Buffer.from(grid.image, 'base64').subarray(1, 4).toString()).toBe('PNG');
    return log;
  };
  const before = await readBack();
  expect((await ok<{ lines: unknown[] }>('jobs.log', { id: alpha.id, limit: 1 })).lines).toEqual([before.lines.at(-1)]);

  await studio.close();
  studio = openStudio({ dataDir, transport: 'http', log: () => {} });
  const after = await readBack();
  expect(after.lines).toEqual(before.lines);

  expect((await refused('train.sample', { id: alpha.id, step: 15 })).message).toMatch(/no sample grid of step 15/);
  expect((await refused('jobs.log', { id: 'no-such-job' })).code).toBe('not_found');
  expect((await refused('jobs.log', { id: alpha.id, limit: 0 })).code).toBe('invalid_request');
  expect((await refused('train.samples', { id: 'no-such-job' })).code).toBe('not_found');
}, 120_000);

it('deletes a finished run with its jobs to the trash, and restores it', async () => {
  // Retrying on the same run makes a second job of it: the run is both, and goes as one.
  const again = await ok('train.start', { family: 'pix2pix', dataDir: emoji, run: 'alpha', resume: true, config: { steps: 22 } });
  expect((await finished(again.id)).status).toBe('succeeded');

  const removed = await ok<{ removed: string[]; run: string | null }>('jobs.remove', { id: alpha.id });
  expect(removed.run).toBe('alpha');
  expect(removed.removed.sort()).toEqual([alpha.id, again.id].sort());
  expect(existsSync(join(dataDir, 'runs', 'alpha'))).toBe(false);
  expect(existsSync(join(dataDir, 'jobs', `${alpha.id}.json`))).toBe(false);
  expect(existsSync(join(dataDir, 'jobs', `${alpha.id}.log.jsonl`))).toBe(false);
  const ids = (await ok<Listing>('jobs.list', {})).jobs.map((job) => job.id);
  expect(ids).not.toContain(alpha.id);
  expect(ids).not.toContain(again.id);
  expect(await modelIds()).not.toContain('run:alpha');
  expect((await refused('jobs.get', { id: alpha.id })).code).toBe('not_found');

  const restored = await ok<{ restored: string[] }>('jobs.restore', { ids: [alpha.id] });
  expect(restored.restored.sort()).toEqual([alpha.id, again.id].sort());
  expect(await modelIds()).toContain('run:alpha');
  expect((await ok('jobs.get', { id: again.id })).status).toBe('succeeded');
  expect((await ok<{ samples: unknown[] }>('train.samples', { id: alpha.id })).samples.length).toBeGreaterThanOrEqual(2);
  expect((await ok<{ lines: unknown[] }>('jobs.log', { id: alpha.id })).lines.length).toBeGreaterThan(0);
  expect((await ok<{ restored: string[] }>('jobs.restore', { ids: [alpha.id] })).restored).toEqual([]);
}, 120_000);

it('deletes trained and user models but refuses bundled and npm ones, saying why', async () => {
  const bundled = await refused('models.delete', { id: 'bundled:pix2pix-openmoji-64' });
  expect(bundled.code).toBe('invalid_request');
  expect(bundled.message).toMatch(/ships with GANvas .*cannot be deleted/);
  const npm = await refused('models.delete', { id: 'npm:esrgan-slim-x2' });
  expect(npm.message).toMatch(/npm package @upscalerjs\/esrgan-slim, so it cannot be deleted here; uninstall/);
  expect((await refused('models.delete', { id: 'run:nope' })).code).toBe('not_found');
  expect((await refused('models.delete', { id: 'run:../studio' })).code).toBe('not_found');
  expect(existsSync(resolve('models/pix2pix-openmoji-64/model.json'))).toBe(true);

  const deleted = await ok<{ deleted: string; jobs: string[] }>('models.delete', { id: 'run:beta' });
  expect(deleted).toEqual({ deleted: 'run:beta', jobs: [beta.id] });
  expect((await ok<Listing>('jobs.list', {})).jobs.map((job) => job.id)).not.toContain(beta.id);
  expect(await modelIds()).not.toContain('run:beta');
  expect(await ok('models.restore', { id: 'run:beta' })).toEqual({ restored: 'run:beta', jobs: [beta.id] });
  expect(await modelIds()).toContain('run:beta');
  expect((await ok('jobs.get', { id: beta.id })).id).toBe(beta.id);

  cpSync(resolve('models/pix2pix-openmoji-64'), join(dataDir, 'models', 'mine'), { recursive: true });
  expect(await modelIds()).toContain('user:mine');
  await ok('models.delete', { id: 'user:mine' });
  expect(await modelIds()).not.toContain('user:mine');
  // Something new at the old place is never overwritten by a restore.
  mkdirSync(join(dataDir, 'models', 'mine'));
  const blocked = await refused('models.restore', { id: 'user:mine' });
  expect(blocked).toMatchObject({ code: 'invalid_state', message: expect.stringMatching(/exists again/) });
  rmSync(join(dataDir, 'models', 'mine'), { recursive: true });
  await ok('models.restore', { id: 'user:mine' });
  expect(await modelIds()).toContain('user:mine');
}, 120_000);

it('empties the trash at the next start: what was deleted before cannot be restored after it', async () => {
  await ok('models.delete', { id: 'user:mine' });
  expect(readdirSync(join(dataDir, 'trash')).length).toBe(1);
  await studio.close();
  studio = openStudio({ dataDir, transport: 'http', log: () => {} });
  await studio.context.trash.emptied;
  expect(readdirSync(join(dataDir, 'trash'))).toEqual([]);
  const gone = await refused('models.restore', { id: 'user:mine' });
  expect(gone).toMatchObject({ code: 'not_found', message: expect.stringMatching(/not in the trash/) });
  // The rest of the data folder is untouched.
  expect(await modelIds()).toEqual(expect.arrayContaining(['run:alpha', 'run:beta']));
}, 60_000);
