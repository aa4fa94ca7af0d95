/**
 * The job queue runs in the data folder's owner only: opened while another
 * live process owns the folder, it refuses before reading or rewriting a
 * single record (the other process may be running those jobs right now).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createJobQueue } from '../../src/main/engine/jobs/job-queue.js';
import { FolderInUseError } from '../../src/main/engine/owner-lock.js';
import { emptyProgress } from '../../src/main/engine/jobs/progress-meter.js';

const owner = fileURLToPath(new URL('./fixtures/folder-owner.ts', import.meta.url));
const stepJobs = fileURLToPath(new URL('./fixtures/jobs/step-jobs.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ganvas-jobs-owner-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('refuses to open beside a live owner and leaves its running job\'s record as it is', async () => {
  const record = {
    version: 1,
    info: { id: 'running-1', kind: 'count-steps', title: 'Someone else\'s job', status: 'running', progress: emptyProgress(), createdAt: Date.now(), resumable: false, attempt: 1 },
    params: { steps: 1000, stepMs: 10 },
  };
  mkdirSync(join(dataDir, 'jobs'));
  const file = join(dataDir, 'jobs', 'running-1.json');
  writeFileSync(file, JSON.stringify(record));
  const holder = spawn(process.execPath, ['--import', 'tsx', owner, dataDir, 'the studio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    let refusal: unknown;
    try {
      createJobQueue({ dataDir, workerModules: [stepJobs] });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(FolderInUseError);
    expect((refusal as Error).message).toContain(`in use by process ${holder.pid} `);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(record);
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
  }

  // Its owner is gone now: the next queue owns the folder and marks the job interrupted, resumable.
  const queue = createJobQueue({ dataDir, workerModules: [stepJobs] });
  try {
    expect(queue.get('running-1')).toMatchObject({ status: 'failed', resumable: true });
  } finally {
    await queue.close();
  }
});
