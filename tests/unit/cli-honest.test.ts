/**
 * What `ganvas` tells its user, run as a real process: an empty input folder
 * is an error (exit 1, nothing written, no output folder), outputs are named
 * by their absolute path, a failed file is named once, and a closed stdout
 * (`ganvas models | head -3`) ends any command quietly with exit 0. Plus the
 * translate-folder job on an empty folder, in the real worker.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { createJobQueue } from '../../src/main/engine/jobs/index.js';
import { GANVAS_BIN, runCli } from './fixtures/cli-process.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let root: string;
let dataDir: string;
let empty: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ganvas-cli-honest-'));
  dataDir = path.join(root, 'data');
  (await saveTinyPix2pixRun(path.join(dataDir, 'runs', 'tiny'))).dispose();
  empty = path.join(root, 'empty');
  fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(empty, 'notes.txt'), 'not an image');
  fs.writeFileSync(path.join(empty, '.thumb.png'), 'hidden');
  await writeImage(path.join(empty, 'sub', 'deeper.png'), 16, 16, 1); // sub-folders are not read
  await writeImage(path.join(root, 'sketch.png'), 16, 16, 2);
  await writeImage(path.join(root, 'photo.png'), 20, 12, 3);
}, 60_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('an empty input folder', () => {
  it('ganvas translate: exit 1, a message saying what it reads, no output folder', async () => {
    const output = path.join(root, 'translated');
    const outcome = await runCli(['translate', '--model', 'run:tiny', '--input', empty, '--output', output, '--data-dir', dataDir]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(`ganvas translate: The input folder ${empty} has no images to translate: GANvas reads the .png, .jpg, .jpeg, .webp, .gif, .tif, .tiff, .avif, .svg files directly inside it (not in sub-folders). Nothing was written.\n`);
    expect(outcome.stdout).toBe('');
    expect(fs.existsSync(output)).toBe(false);
  }, 60_000);

  it('ganvas upscale: exit 1, a message saying what it reads, no output folder', async () => {
    const output = path.join(root, 'upscaled');
    const outcome = await runCli(['upscale', '--scale', '2', '--input', empty, '--output', output]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe(`ganvas upscale: The input folder ${empty} has no images to upscale: GANvas reads the .png, .jpg, .jpeg, .webp, .tif, .tiff, .gif, .avif files directly inside it (not in sub-folders). Nothing was written.\n`);
    expect(fs.existsSync(output)).toBe(false);
  }, 60_000);

  it('the translate-folder job fails with the same message and makes no output folder', async () => {
    const jobModule = fileURLToPath(new URL('../../src/main/engine/jobs/kinds/translate-folder.ts', import.meta.url));
    const queue = createJobQueue({ dataDir, workerModules: [jobModule] });
    try {
      const output = path.join(root, 'job-out');
      const job = await queue.waitFor(queue.start('translate-folder', { modelId: 'run:tiny', inputDir: empty, outputDir: output }).id);
      expect(job.status).toBe('failed');
      expect(job.error).toMatch(/^The input folder .* has no images to translate: .*Nothing was written\.$/);
      expect(fs.existsSync(output)).toBe(false);
    } finally {
      await queue.close();
    }
  }, 60_000);
});

describe('outputs are printed as absolute paths', () => {
  it('ganvas upscale FILE, run from the file\'s folder', async () => {
    const outcome = await runCli(['upscale', '--scale', '2', 'photo.png'], { cwd: root });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout.split('  ')[0]).toBe(path.join(root, 'photo-x2.png'));
    expect(fs.existsSync(path.join(root, 'photo-x2.png'))).toBe(true);
  }, 60_000);

  it('ganvas translate FILE --output NAME, run from the file\'s folder', async () => {
    const outcome = await runCli(['translate', '--model', 'run:tiny', '--input', 'sketch.png', '--output', 'coloured.png', '--data-dir', dataDir], { cwd: root });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout.split('  ')[0]).toBe(path.join(root, 'coloured.png'));
  }, 60_000);
});

describe('messages', () => {
  it('gallery add names a failed file once', async () => {
    fs.writeFileSync(path.join(root, 'notes.txt'), 'hello');
    const outcome = await runCli(['gallery', 'add', 'notes.txt', 'photo.png', '--data-dir', dataDir], { cwd: root });
    expect(outcome.code).toBe(1);
    const failures = outcome.stderr.split('\n').filter((line) => line.startsWith('failed: '));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^failed: notes\.txt: not an image/);
    expect(failures[0]!.match(/notes\.txt/g)).toHaveLength(1);
  }, 60_000);

  it.each(['models --data-dir DATA', '--help', 'gallery list --data-dir DATA', 'upscale --list-models'])('a closed stdout ends `ganvas %s` quietly with exit 0', async (command) => {
    const args = command.split(' ').map((word) => (word === 'DATA' ? dataDir : word));
    const child = spawn(process.execPath, [GANVAS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader has gone, like `| head -0`
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
