/**
 * The job queue with real worker threads running the job modules in
 * tests/unit/fixtures/jobs/.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED_MESSAGE, createJobQueue, type JobQueue } from '../../src/main/engine/jobs/job-queue.js';
import { journalPath, readJournalItems } from '../../src/main/engine/jobs/job-journal.js';
import { JobRecord, type JobInfo, type JobProgressEvent } from '../../src/main/engine/jobs/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/jobs/${name}`, import.meta.url));
const stepJobs = fixture('step-jobs.ts');
const folderJobs = fixture('folder-jobs.ts');

const folders: string[] = [];
function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ganvas-${prefix}-`));
  folders.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` holds, re-testing on every queue event and every 20 ms. */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function readRecord(dataDir: string, id: string): JobRecord {
  return JobRecord.parse(JSON.parse(readFileSync(join(dataDir, 'jobs', `${id}.json`), 'utf8')));
}

describe('one queue, jobs that behave', () => {
  let dataDir: string;
  let queue: JobQueue;
  const progress: JobProgressEvent[] = [];
  const statuses: JobInfo[] = [];
  const logs: { id: string; message: string }[] = [];

  beforeAll(() => {
    dataDir = tempFolder('jobs');
    queue = createJobQueue({ dataDir, workerModules: [stepJobs, folderJobs] });
    queue.on('progress', (event) => progress.push(event));
    queue.on('status', (info) => statuses.push(info));
    queue.on('log', (event) => logs.push(event));
  });
  afterAll(async () => {
    await queue.close();
  });

  it('reports progress in order with a rate and an ETA, and saves the outcome', async () => {
    const job = queue.start('count-steps', { steps: 10, stepMs: 60 }, { title: 'Count to ten' });
    expect(job).toMatchObject({ status: 'queued', title: 'Count to ten', kind: 'count-steps', attempt: 1 });
    const finished = await queue.waitFor(job.id);

    expect(finished.status).toBe('succeeded');
    expect(finished.result).toEqual({ steps: 10, attempt: 1 });
    expect(finished.progress).toMatchObject({ done: 10, total: 10, fraction: 1, unit: 'step', etaSeconds: 0, losses: { step: 10 } });
    expect(statuses.filter((s) => s.id === job.id).map((s) => s.status)).toEqual(['queued', 'running', 'succeeded']);

    const events = progress.filter((e) => e.id === job.id);
    expect(events.length).toBeGreaterThan(2);
    const done = events.map((e) => e.progress.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(10);
    const midway = events.find((e) => e.progress.done > 2 && e.progress.done < 9);
    expect(midway?.progress.rate).toBeGreaterThan(0);
    expect(midway?.progress.etaSeconds).toBeGreaterThan(0);
    // 60 ms a step, so the rate is near 16/s; loose bounds because the machine is shared.
    expect(midway!.progress.rate!).toBeLessThan(40);

    const record = readRecord(dataDir, job.id);
    expect(record.info.status).toBe('succeeded');
    expect(record.params).toEqual({ steps: 10, stepMs: 60 });
    expect(queue.list().map((j) => j.id)).toContain(job.id);
    expect(queue.get(job.id)?.finishedAt).toBeGreaterThanOrEqual(finished.startedAt!);
  });

  it('throttles progress events to about 10 per second but always delivers the last', async () => {
    const started = Date.now();
    const job = queue.start('count-steps', { steps: 300, stepMs: 3 });
    await queue.waitFor(job.id);
    const runMs = Date.now() - started;
    const events = progress.filter((e) => e.id === job.id);
    expect(events.at(-1)?.progress.done).toBe(300);
    expect(events.at(-1)?.status).toBe('succeeded');
    expect(events.length).toBeLessThanOrEqual(Math.ceil(runMs / 100) + 3);
    expect(events.length).toBeLessThan(300 / 3);
  });

  it('cancels a running job within one step, the job itself seeing the signal', async () => {
    const job = queue.start('watch-signal', { steps: 1000, stepMs: 40 });
    const stepsLogged = () => logs.filter((l) => l.id === job.id && l.message.startsWith('step ')).length;
    await until(() => stepsLogged() >= 3, 'three steps');
    const loggedAtCancel = stepsLogged();
    queue.cancel(job.id);
    const finished = await queue.waitFor(job.id);

    expect(finished.status).toBe('cancelled');
    expect(finished.note).toBeUndefined(); // it stopped by itself, no hard stop
    expect(finished.resumable).toBe(true);
    expect(logs.some((l) => l.id === job.id && l.message === 'signal aborted')).toBe(true);
    // The step running when cancel arrived may finish (and one more log may be in flight); no more.
    expect(stepsLogged() - loggedAtCancel).toBeLessThanOrEqual(2);
    expect(readRecord(dataDir, job.id).info.status).toBe('cancelled');
  });

  it('cancels a queued job without running it', async () => {
    const first = queue.start('count-steps', { steps: 200, stepMs: 20 });
    const second = queue.start('count-steps', { steps: 5, stepMs: 1 });
    const cancelled = queue.cancel(second.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.startedAt).toBeUndefined();
    queue.cancel(first.id);
    expect((await queue.waitFor(first.id)).status).toBe('cancelled');
    expect(queue.get(second.id)?.startedAt).toBeUndefined();
    expect(queue.cancel(second.id).status).toBe('cancelled'); // cancelling twice is harmless
  });

  it('holds a paused queued job back until it is resumed, and cancels a paused running job', async () => {
    const first = queue.start('count-steps', { steps: 1000, stepMs: 20 });
    const second = queue.start('count-steps', { steps: 2, stepMs: 1 });
    expect(queue.pause(second.id).status).toBe('paused');
    await until(() => (queue.get(first.id)?.progress.done ?? 0) >= 2, 'two steps');
    queue.pause(first.id);
    queue.cancel(first.id);
    const cancelled = await queue.waitFor(first.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', resumable: true });
    expect(cancelled.note).toBeUndefined();
    await sleep(300);
    expect(queue.get(second.id)).toMatchObject({ status: 'paused' });
    expect(queue.get(second.id)?.startedAt).toBeUndefined();
    expect(queue.resume(second.id).status).toBe('queued');
    expect(await queue.waitFor(second.id)).toMatchObject({ status: 'succeeded', result: { steps: 2, attempt: 1 } });
  });

  it('pauses at a step boundary (no progress while paused) and resumes', async () => {
    const job = queue.start('count-steps', { steps: 30, stepMs: 30 });
    await until(() => (queue.get(job.id)?.progress.done ?? 0) >= 3, 'three steps');
    expect(queue.pause(job.id).status).toBe('paused');
    await sleep(250); // the step in flight finishes and reports
    const doneWhenPaused = queue.get(job.id)!.progress.done;
    const eventsWhenPaused = progress.filter((e) => e.id === job.id).length;
    await sleep(600);
    expect(queue.get(job.id)!.progress.done).toBe(doneWhenPaused);
    expect(progress.filter((e) => e.id === job.id).length).toBe(eventsWhenPaused);
    expect(doneWhenPaused).toBeLessThan(30);

    expect(queue.resume(job.id).status).toBe('running');
    const finished = await queue.waitFor(job.id);
    expect(finished.status).toBe('succeeded');
    expect(finished.progress.done).toBe(30);
    expect(statuses.filter((s) => s.id === job.id).map((s) => s.status)).toEqual([
      'queued',
      'running',
      'paused',
      'running',
      'succeeded',
    ]);
  });

  it('keeps going after a job that throws, one with invalid params and one of an unknown kind', async () => {
    const throwing = queue.start('count-steps', { steps: 5, stepMs: 1, failAt: 2 });
    const invalid = queue.start('count-steps', { steps: -4, stepMs: 'fast' });
    const unknown = queue.start('no-such-kind', {});
    const fine = queue.start('count-steps', { steps: 3, stepMs: 1 });

    expect(await queue.waitFor(throwing.id)).toMatchObject({ status: 'failed', error: 'step 2 went wrong on purpose', resumable: true });
    const invalidInfo = await queue.waitFor(invalid.id);
    expect(invalidInfo.status).toBe('failed');
    expect(invalidInfo.error).toMatch(/^invalid parameters for a 'count-steps' job: steps: .+; stepMs: /);
    const unknownInfo = await queue.waitFor(unknown.id);
    expect(unknownInfo.error).toMatch(/unknown job kind 'no-such-kind' \(this app can run: .*count-steps/);
    expect(await queue.waitFor(fine.id)).toMatchObject({ status: 'succeeded', result: { steps: 3, attempt: 1 } });
  });

  it('turns a worker crash into a failed job and runs the next job on a new worker', async () => {
    const crashing = queue.start('crash-worker', { afterSteps: 2 });
    const next = queue.start('count-steps', { steps: 3, stepMs: 1 });
    const crashed = await queue.waitFor(crashing.id);
    expect(crashed.status).toBe('failed');
    expect(crashed.error).toMatch(/the job worker stopped unexpectedly \(exit code 1\) while running this job/);
    // Progress the worker had not sent yet (throttling) dies with it.
    expect(crashed.progress.done).toBeGreaterThanOrEqual(1);
    expect((await queue.waitFor(next.id)).status).toBe('succeeded');
  });

  it('resumes a crashed folder job, skipping the files it had finished', async () => {
    const input = tempFolder('folder-in');
    const output = tempFolder('folder-out');
    const names = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'f.txt'];
    for (const name of names) writeFileSync(join(input, name), `file ${name}`);
    writeFileSync(join(input, 'g.bin'), 'bin\0ary');

    const job = queue.start('upper-case-folder', { input, output, crashAfter: 3 });
    const crashed = await queue.waitFor(job.id);
    expect(crashed).toMatchObject({ status: 'failed', resumable: true });
    expect(readJournalItems(journalPath(dataDir, job.id))).toEqual(['a.txt', 'b.txt', 'c.txt']);

    expect(queue.resumeJob(job.id)).toMatchObject({ status: 'queued', attempt: 2, resumable: false });
    const resumed = await queue.waitFor(job.id);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.error).toBeUndefined();
    expect(resumed.result).toEqual({ processed: 4, skipped: 3, failed: [{ name: 'g.bin', reason: 'not a text file' }] });
    expect(resumed.progress).toMatchObject({ done: 7, total: 7, unit: 'file' });

    const processed = readFileSync(join(output, 'processed.log'), 'utf8').trim().split('\n');
    expect(processed.sort()).toEqual(names); // each file exactly once across both runs
    expect(readFileSync(join(output, 'f.txt'), 'utf8')).toBe('FILE F.TXT');
    expect(() => queue.resumeJob(job.id)).toThrow(/is succeeded; only failed or cancelled jobs can be resumed/);
  });

  it('answers with clear errors for unknown jobs and impossible requests', async () => {
    expect(() => queue.cancel('no-such-job')).toThrow(/there is no job 'no-such-job'/);
    expect(() => queue.cancel('../../etc/passwd')).toThrow(/there is no job/);
    expect(queue.get('../x')).toBeUndefined();
    expect(() => queue.start('Bad Kind!', {})).toThrow(/is not a job kind name/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => queue.start('count-steps', cyclic)).toThrow(/must be plain JSON data/);
    const done = queue.start('count-steps', { steps: 1, stepMs: 1 });
    await queue.waitFor(done.id);
    expect(() => queue.pause(done.id)).toThrow(/has already finished/);
    expect(() => queue.resume(done.id)).toThrow(/is not paused/);
  });
});

describe('queues with their own setup', () => {
  it('stops a job that ignores cancel after the grace period, with a note, and goes on', async () => {
    const queue = createJobQueue({ dataDir: tempFolder('jobs-hard'), workerModules: [stepJobs], cancelGraceMs: 300 });
    try {
      const logs: string[] = [];
      queue.on('log', (event) => logs.push(event.message));
      const stubborn = queue.start('ignore-cancel', { seconds: 60 });
      const next = queue.start('count-steps', { steps: 2, stepMs: 1 });
      await until(() => logs.includes('spinning'), 'the job to start spinning');
      queue.cancel(stubborn.id);
      const stopped = await queue.waitFor(stubborn.id);
      expect(stopped.status).toBe('cancelled');
      expect(stopped.note).toBe('it did not stop within 0.3 s of being cancelled, so its worker was stopped');
      expect((await queue.waitFor(next.id)).status).toBe('succeeded');
    } finally {
      await queue.close();
    }
  });

  it('replaces a worker that never gets ready, and fails the job after a second such start', async () => {
    const hangFile = join(tempFolder('jobs-hang'), 'hangs-left');
    process.env.GANVAS_TEST_HANG_FILE = hangFile;
    const reports: string[] = [];
    const hangModule = fixture('hang-on-import.ts');
    try {
      // One hung import: the queue gives up on that worker and the next one runs the job.
      writeFileSync(hangFile, '1');
      let queue = createJobQueue({ dataDir: tempFolder('jobs-hang-once'), workerModules: [hangModule], startTimeoutMs: 3000, log: (m) => reports.push(m) });
      try {
        const job = queue.start('after-hang', {});
        const done = await queue.waitFor(job.id);
        expect(done.status).toBe('succeeded');
        expect(done.result).toEqual({ loaded: true });
        expect(reports).toContain('the job worker did not start within 3 s; starting a fresh one');
      } finally {
        await queue.close();
      }
      // Two in a row: the job fails with the reason instead of waiting forever, and the queue goes on.
      writeFileSync(hangFile, '2');
      queue = createJobQueue({ dataDir: tempFolder('jobs-hang-twice'), workerModules: [hangModule], startTimeoutMs: 3000, log: (m) => reports.push(m) });
      try {
        const first = queue.start('after-hang', {});
        const second = queue.start('after-hang', {});
        const failed = await queue.waitFor(first.id);
        expect(failed.status).toBe('failed');
        expect(failed.error).toBe('the job worker did not start within 3 s, twice');
        expect((await queue.waitFor(second.id)).status).toBe('succeeded');
      } finally {
        await queue.close();
      }
    } finally {
      delete process.env.GANVAS_TEST_HANG_FILE;
    }
  }, 60_000);

  it('fails jobs with a message naming the module when a job module cannot be used', async () => {
    const notAJobModule = fileURLToPath(new URL('../../src/main/engine/jobs/progress-meter.ts', import.meta.url));
    const queue = createJobQueue({ dataDir: tempFolder('jobs-bad'), workerModules: [notAJobModule], log: () => {} });
    try {
      const job = queue.start('count-steps', { steps: 1, stepMs: 1 });
      const failed = await queue.waitFor(job.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/job modules could not be loaded: job module file:.*progress-meter\.ts exports no job kind/);
    } finally {
      await queue.close();
    }
    expect(() => createJobQueue({ dataDir: tempFolder('jobs-rel'), workerModules: ['relative/jobs.ts'] })).toThrow(
      /give an absolute path/,
    );
  });

  it('after a restart lists past jobs, marks the interrupted one resumable, and resumes it from its journal', async () => {
    const dataDir = tempFolder('jobs-before');
    const input = tempFolder('restart-in');
    const output = tempFolder('restart-out');
    for (let i = 0; i < 8; i += 1) writeFileSync(join(input, `${i}.txt`), `item ${i}`);

    const before = createJobQueue({ dataDir, workerModules: [stepJobs, folderJobs] });
    const quick = before.start('count-steps', { steps: 2, stepMs: 1 }, { title: 'Quick one' });
    await before.waitFor(quick.id);
    const folderJob = before.start('upper-case-folder', { input, output, stepMs: 150 }, { title: 'Shout' });
    await until(() => existsSync(journalPath(dataDir, folderJob.id)) && readJournalItems(journalPath(dataDir, folderJob.id)).length >= 3, 'three files');
    // What is on disk at this moment is what a restart after a crash would find.
    const afterCrash = tempFolder('jobs-after');
    cpSync(join(dataDir, 'jobs'), join(afterCrash, 'jobs'), { recursive: true });
    await before.close();
    writeFileSync(join(afterCrash, 'jobs', 'broken.json'), '{ not json');

    const warnings: string[] = [];
    const after = createJobQueue({ dataDir: afterCrash, workerModules: [stepJobs, folderJobs], log: (m) => warnings.push(m) });
    try {
      expect(warnings.some((w) => w.includes('broken.json') && w.includes('not a readable job record'))).toBe(true);
      const listed = after.list();
      expect(listed.map((j) => j.title)).toEqual(['Quick one', 'Shout']);
      expect(listed[0]).toMatchObject({ status: 'succeeded', resumable: false });
      expect(listed[1]).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE, resumable: true });
      expect(readRecord(afterCrash, folderJob.id).info.status).toBe('failed');

      const alreadyDone = readJournalItems(journalPath(afterCrash, folderJob.id)).length;
      after.resumeJob(folderJob.id);
      const resumed = await after.waitFor(folderJob.id);
      expect(resumed.status).toBe('succeeded');
      expect(resumed.attempt).toBe(2);
      expect(resumed.result).toMatchObject({ skipped: alreadyDone, processed: 8 - alreadyDone, failed: [] });
      for (let i = 0; i < 8; i += 1) expect(readFileSync(join(output, `${i}.txt`), 'utf8')).toBe(`ITEM ${i}`);
    } finally {
      await after.close();
    }
  });

  it('close() cancels the running and the queued jobs and stops the worker', async () => {
    const dataDir = tempFolder('jobs-close');
    const queue = createJobQueue({ dataDir, workerModules: [stepJobs] });
    const running = queue.start('count-steps', { steps: 1000, stepMs: 20 });
    const queued = queue.start('count-steps', { steps: 3, stepMs: 1 });
    await until(() => queue.get(running.id)?.status === 'running' && queue.get(running.id)!.progress.done > 0, 'the job to run');
    await queue.close();
    expect(queue.get(running.id)?.status).toBe('cancelled');
    expect(queue.get(queued.id)).toMatchObject({ status: 'cancelled', note: 'the app closed before it ran' });
    expect(readRecord(dataDir, running.id).info.status).toBe('cancelled');
    expect(() => queue.start('count-steps', { steps: 1, stepMs: 1 })).toThrow(/closed/);
  });
});
