/**
 * One trainer per run folder, with real `ganvas train` processes: while one
 * trains a run, a second one on the same folder refuses, naming the first,
 * and leaves the run's files alone; once the first has stopped, the run
 * resumes normally.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';
import { runCli, startCli } from './fixtures/cli-process.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-run-owner-'));
const data = join(root, 'emoji');
const run = join(root, 'run');
const tiny = ['--size', '32', '--set', 'ngf=8', '--set', 'ndf=8', '--set', 'dropout=0', '--set', 'sampleEvery=100000', '--log-every', '1'];

beforeAll(async () => {
  await buildOpenMojiPairs(data, { count: 4, size: 32, start: 60 });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('a second trainer on a run folder that is being trained refuses, naming the first', async () => {
  const first = startCli(['train', 'pix2pix', '--data', data, '--out', run, ...tiny, '--steps', '100000', '--set', 'checkpointEvery=100000']);
  await first.waitFor(/step 3\/100000/);

  const second = await runCli(['train', 'pix2pix', '--data', data, '--out', run, ...tiny, '--resume', '--steps', '100000'], { timeoutMs: 60_000 });
  expect(second.code).toBe(1);
  expect(second.stderr).toContain(`ganvas train: The run folder ${run} is in use by process ${first.child.pid} (\`ganvas train pix2pix --data ${data} --out ${run} `);
  expect(second.stderr).toMatch(/for training Pix2Pix, since .*\. Two trainers on one run would overwrite each other's checkpoints/);
  expect(second.stdout).not.toMatch(/step \d+\//);

  // Ctrl+C: the first saves its checkpoint and lets go; every step is in the history once.
  first.child.kill('SIGINT');
  const stopped = await first.exited;
  expect(stopped.code).toBe(130);
  const steps = readFileSync(join(run, 'losses.jsonl'), 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { step: number }).step);
  expect(new Set(steps).size).toBe(steps.length);

  const last = steps.at(-1)!;
  const resumed = await runCli(['train', 'pix2pix', '--data', data, '--out', run, ...tiny, '--resume', '--steps', String(last + 3)], { timeoutMs: 120_000 });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stdout).toContain(`continuing from step ${last + 1}`);
}, 300_000);

it('the studio refuses to queue a run a terminal is training, naming the process, and queues nothing', async () => {
  const { openStudio } = await import('../../src/main/api/studio.js');
  const dataDir = join(root, 'studio');
  const busy = join(dataDir, 'runs', 'busy');
  const trainer = startCli(['train', 'pix2pix', '--data', data, '--out', busy, ...tiny, '--steps', '100000', '--set', 'checkpointEvery=2']);
  await trainer.waitFor(/step 3\/100000/);
  const studio = openStudio({ dataDir, transport: 'http', log: () => {} });
  try {
    const outcome = await studio.dispatch('train.start', { family: 'pix2pix', dataDir: data, run: 'busy', resume: true, config: { steps: 100001 } });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('invalid_state');
      expect(outcome.error.message).toContain(`Run 'busy' is being trained by process ${trainer.child.pid}`);
    }
    expect((await studio.dispatch('jobs.list', {})) as { ok: true; value: { jobs: unknown[] } }).toMatchObject({ ok: true, value: { jobs: [] } });
  } finally {
    trainer.child.kill('SIGINT');
    await trainer.exited;
    await studio.close();
  }
}, 300_000);
