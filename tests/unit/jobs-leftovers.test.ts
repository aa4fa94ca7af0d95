/**
 * What jobs leave behind goes (leftovers.ts): at start the owner deletes
 * partial outputs and the uploads no job can use any more, keeping those a
 * failed job needs for its retry; a retried upscale that succeeds in a new
 * process deletes its uploads; a job whose worker had to be stopped hard
 * loses its partial outputs and its run folder lock with it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/main/engine/jobs/job-queue.js';
import { emptyProgress } from '../../src/main/engine/jobs/progress-meter.js';
import type { JobStatus } from '../../src/main/engine/jobs/types.js';
import { folderHolder, takeOwnership } from '../../src/main/engine/owner-lock.js';
import { openStudio } from '../../src/main/api/studio.js';

const leftoverJobs = fileURLToPath(new URL('./fixtures/jobs/leftover-jobs.ts', import.meta.url));
const folders: string[] = [];
function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ganvas-${prefix}-`));
  folders.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function writeRecord(dataDir: string, id: string, kind: string, status: JobStatus, params: unknown): void {
  mkdirSync(join(dataDir, 'jobs'), { recursive: true });
  const info = { id, kind, title: id, status, progress: emptyProgress(), createdAt: Date.now(), resumable: status === 'failed', attempt: 1 };
  writeFileSync(join(dataDir, 'jobs', `${id}.json`), JSON.stringify({ version: 1, info, params }));
}

function file(path: string, text = 'x'): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function uploadJob(dataDir: string, folder: string) {
  return {
    files: [{ path: join(dataDir, 'uploads', folder, 'photo.png'), name: 'photo.png' }],
    outputDir: join(dataDir, 'upscaled', folder),
    scale: 2,
    model: 'esrgan-slim-x2',
    addToGallery: true,
  };
}

describe('left-overs at start', () => {
  it('deletes partial outputs and unusable uploads, keeps what a failed job needs and what is not ours', async () => {
    const dataDir = tempFolder('leftovers-start');
    const translated = tempFolder('leftovers-translated');
    const needed = '2025-01-01-aaaaaaaaaa';
    const done = '2025-01-02-bbbbbbbbbb';
    const orphan = '2025-01-03-cccccccccc';
    for (const folder of [needed, done, orphan]) file(join(dataDir, 'uploads', folder, 'photo.png'));
    writeRecord(dataDir, 'failed-upscale', 'upscale', 'failed', uploadJob(dataDir, needed));
    writeRecord(dataDir, 'done-upscale', 'upscale', 'succeeded', uploadJob(dataDir, done));
    const incoming = file(join(dataDir, 'uploads', 'incoming', 'upload-1'));
    const part = file(join(dataDir, 'upscaled', needed, '.photo-x2.png.0a1b2c3d.part'));
    const finished = file(join(dataDir, 'upscaled', done, 'photo-x2.png'));
    // A folder translation the last process left running, writing into the user's folder.
    writeRecord(dataDir, 'cut-translation', 'translate-folder', 'running', { modelId: 'bundled:x', inputDir: '/in', outputDir: translated, saveToGallery: false });
    const half = file(join(translated, 'cat.png.ganvas-tmp'));
    const users = [file(join(translated, 'cat.png')), file(join(translated, 'notes.part')), file(join(translated, 'my.ganvas-tmp.txt'))];
    const recordTemp = file(join(dataDir, 'jobs', 'done-upscale.json.4242.tmp'));

    const logs: string[] = [];
    const queue = createJobQueue({ dataDir, workerModules: [leftoverJobs], log: (m) => logs.push(m) });
    try {
      expect(readdirSync(join(dataDir, 'uploads')).sort()).toEqual([needed, 'incoming']);
      expect(existsSync(incoming)).toBe(true);
      expect(existsSync(part)).toBe(false);
      expect(existsSync(finished)).toBe(true);
      expect(existsSync(half)).toBe(false);
      for (const kept of users) expect(existsSync(kept)).toBe(true);
      expect(existsSync(recordTemp)).toBe(false);
      expect(queue.get('failed-upscale')?.resumable).toBe(true);
      expect(logs).toEqual([]);
    } finally {
      await queue.close();
    }
  });
});

describe('left-overs as a job ends', () => {
  it('a job stopped hard loses its partial outputs and its run folder lock, so the run can be taken again', async () => {
    const dataDir = tempFolder('leftovers-hard');
    const outputDir = tempFolder('leftovers-out');
    const runDir = tempFolder('leftovers-run');
    const finished = file(join(outputDir, 'earlier-x2.png'));
    const queue = createJobQueue({ dataDir, workerModules: [leftoverJobs], cancelGraceMs: 300 });
    try {
      const logs: string[] = [];
      queue.on('log', (event) => logs.push(event.message));
      const job = queue.start('stuck-writer', { outputDir, runDir });
      for (let i = 0; i < 1000 && !logs.includes('writing'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(readdirSync(outputDir).length).toBe(3);
      expect(folderHolder(runDir)?.heldByThisProcess).toBe(true);
      queue.cancel(job.id);
      const stopped = await queue.waitFor(job.id);
      expect(stopped.status).toBe('cancelled');
      expect(stopped.note).toMatch(/its worker was stopped/);
      expect(readdirSync(outputDir)).toEqual(['earlier-x2.png']);
      expect(existsSync(finished)).toBe(true);
      expect(folderHolder(runDir)).toBeNull();
      takeOwnership(runDir, { purpose: 'the retry', what: 'The run folder', advice: '' }).release();
    } finally {
      await queue.close();
    }
  });

  it('an upscale retried to success in a new process deletes its uploads; while it had failed they stayed', async () => {
    const dataDir = tempFolder('leftovers-retry');
    const folder = '2025-02-01-dddddddddd';
    const upload = join(dataDir, 'uploads', folder, 'photo.png');
    mkdirSync(join(upload, '..'), { recursive: true });
    await sharp({ create: { width: 24, height: 16, channels: 3, background: '#3a7' } }).png().toFile(upload);
    // The process that started it stopped while it ran.
    writeRecord(dataDir, 'cut-upscale', 'upscale', 'running', uploadJob(dataDir, folder));

    const studio = openStudio({ dataDir, transport: 'http', log: () => {} });
    try {
      expect(studio.context.jobs.get('cut-upscale')).toMatchObject({ status: 'failed', resumable: true });
      expect(existsSync(upload)).toBe(true);
      studio.context.jobs.resumeJob('cut-upscale');
      const retried = await studio.context.jobs.waitFor('cut-upscale');
      expect(retried.status, retried.error).toBe('succeeded');
      expect(existsSync(join(dataDir, 'uploads', folder))).toBe(false);
      expect(readdirSync(join(dataDir, 'upscaled', folder))).toEqual(['photo-x2.png']);
    } finally {
      await studio.close();
    }
  }, 120_000);
});
