/**
 * One studio per data folder, with real `ganvas serve` processes: a second
 * serve on the folder stops, naming the first, and the first one's running
 * job is not touched; a serve whose port is taken stops before it opens any
 * data folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JobInfo } from '../../src/shared/contract.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';
import { startCli, runCli, type RunningCli } from './fixtures/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-serve-owner-'));
const dataDir = join(root, 'data');
const emoji = join(root, 'emoji');
const token = 'serve-owner-test-token-0123456789';
const env = { GANVAS_TOKEN: token };
let first: RunningCli;
let port = 0;

async function call<T>(method: string, request: unknown): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(request),
  });
  const outcome = (await response.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.value;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  await buildOpenMojiPairs(emoji, { count: 4, size: 32, start: 40 });
  first = startCli(['serve', '--data-dir', dataDir, '--port', '0'], { env });
  port = Number((await first.waitFor(/http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
}, 120_000);

afterAll(async () => {
  if (first.child.exitCode === null) {
    first.child.kill('SIGINT');
    await first.exited;
  }
  rmSync(root, { recursive: true, force: true });
});

it('a second serve on the same folder stops, naming the first, and leaves its running job alone', async () => {
  const job = await call<JobInfo>('train.start', {
    family: 'pix2pix',
    dataDir: emoji,
    run: 'long',
    config: { size: 32, ngf: 8, ndf: 8, dropout: 0, steps: 100_000, sampleEvery: 100_000, checkpointEvery: 100_000 },
  });
  const running = await until(() => call<JobInfo>('jobs.get', { id: job.id }), (info) => info.status === 'running' && info.progress.done >= 2, 'the job to train');

  const second = await runCli(['serve', '--data-dir', dataDir, '--port', '0'], { env, timeoutMs: 30_000 });
  expect(second.code).toBe(1);
  expect(second.stdout).not.toContain('GANvas is running');
  expect(second.stderr).toContain(`The data folder ${dataDir} is in use by process ${first.child.pid} (\`ganvas serve --data-dir ${dataDir} --port 0\`), for a studio served to the browser, since `);
  expect(second.stderr).toMatch(/Close that one first, or use another data folder/);

  // Commands that only read keep working beside the owner.
  const list = await runCli(['gallery', 'list', '--data-dir', dataDir], { timeoutMs: 30_000 });
  expect([list.code, list.stdout.trim()]).toEqual([0, '0 of 0 items']);
  const models = await runCli(['models', '--data-dir', dataDir], { timeoutMs: 30_000 });
  expect(models.code).toBe(0);
  expect(models.stdout).toContain('bundled:pix2pix-openmoji-64');

  // Untouched: still running and still making progress, on the server and on disk.
  const later = await until(() => call<JobInfo>('jobs.get', { id: job.id }), (info) => info.progress.done > running.progress.done + 2, 'more steps');
  expect(later.status).toBe('running');
  expect(later.error).toBeUndefined();
  const record = JSON.parse(readFileSync(join(dataDir, 'jobs', `${job.id}.json`), 'utf8')) as { info: JobInfo };
  expect(record.info.status).toBe('running');

  await call('jobs.cancel', { id: job.id });
  const cancelled = await until(() => call<JobInfo>('jobs.get', { id: job.id }), (info) => info.status === 'cancelled', 'the cancel');
  expect(cancelled.status).toBe('cancelled');
}, 300_000);

it('a serve whose port is taken stops before it opens (or creates) its data folder', async () => {
  const otherData = join(root, 'other-data');
  const taken = await runCli(['serve', '--data-dir', otherData, '--port', String(port)], { env, timeoutMs: 30_000 });
  expect(taken.code).toBe(1);
  expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  expect(existsSync(otherData)).toBe(false);
}, 120_000);

it('the first serve lets go of the folder when it stops, so the next one opens it', async () => {
  first.child.kill('SIGINT');
  expect((await first.exited).code).toBe(0);
  expect(existsSync(join(dataDir, 'owner.lock'))).toBe(false);
  const next = startCli(['serve', '--data-dir', dataDir, '--port', '0'], { env });
  await next.waitFor(/GANvas is running/);
  next.child.kill('SIGINT');
  expect((await next.exited).code).toBe(0);
}, 120_000);
