/**
 * Folder translation, in-process and as a real `translate-folder` job in the
 * job worker: outputs keep their names, a corrupt file fails only itself, the
 * input folder is never written to, resumed jobs skip finished files, and
 * results can go to the gallery.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { openGallery } from '../../src/main/engine/gallery/index.js';
import { translateFolder } from '../../src/main/engine/inference/translate-folder.js';
import { createJobQueue } from '../../src/main/engine/jobs/index.js';
import { createModelCatalogue } from '../../src/main/engine/models/index.js';
import { loadTranslator, type Translator } from '../../src/main/engine/models/load-translator.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let root: string;
let dataDir: string;
let inputDir: string;
let translator: Translator;

async function listing(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-translate-folder-'));
  dataDir = path.join(root, 'data');
  (await saveTinyPix2pixRun(path.join(dataDir, 'runs', 'tiny'))).dispose();
  inputDir = path.join(root, 'sketches');
  await writeImage(path.join(inputDir, 'a.png'), 16, 16, 1);
  await writeImage(path.join(inputDir, 'b.jpg'), 32, 32, 2);
  await writeImage(path.join(inputDir, 'c.webp'), 16, 16, 3);
  await writeImage(path.join(inputDir, 'd.gif.png'), 16, 16, 4);
  await writeImage(path.join(root, 'whole.png'), 16, 16, 5);
  const whole = await fs.readFile(path.join(root, 'whole.png'));
  await fs.writeFile(path.join(inputDir, 'broken.png'), whole.subarray(0, Math.floor(whole.length / 2))); // cut short, like an interrupted copy
  await fs.writeFile(path.join(inputDir, 'notes.txt'), 'not an image');
  await fs.writeFile(path.join(inputDir, '.DS_Store'), 'x');
  translator = await loadTranslator(await createModelCatalogue({ dataDir }).resolve('run:tiny'));
});
afterAll(async () => {
  translator?.dispose();
  await fs.rm(root, { recursive: true, force: true });
});

describe('translateFolder', () => {
  it('translates every image into the output folder, keeping names and JPEG/WebP formats', async () => {
    const before = await listing(inputDir);
    const tensors = tf.memory().numTensors;
    const outputDir = path.join(root, 'out-1');
    const progress: number[] = [];
    const result = await translateFolder({ translator, inputDir, outputDir, onProgress: ({ done }) => progress.push(done) });

    expect(result.translated).toBe(4);
    expect(result.resized).toBe(1);
    expect(result.failed).toEqual([{ file: 'broken.png', reason: expect.stringMatching(/damaged or truncated/) }]);
    expect(await listing(outputDir)).toEqual(['a.png', 'b.jpg', 'c.webp', 'd.gif.png']);
    expect(await sharp(path.join(outputDir, 'b.jpg')).metadata()).toMatchObject({ format: 'jpeg', width: 32, height: 32 });
    expect(await sharp(path.join(outputDir, 'c.webp')).metadata()).toMatchObject({ format: 'webp', width: 16, height: 16 });
    expect(await sharp(path.join(outputDir, 'a.png')).metadata()).toMatchObject({ format: 'png', width: 16, height: 16 });
    expect(progress).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await listing(inputDir)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('refuses to write into the input folder, or anywhere inside it', async () => {
    await expect(translateFolder({ translator, inputDir, outputDir: inputDir })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/is the input folder/) });
    await expect(translateFolder({ translator, inputDir, outputDir: path.join(inputDir, 'results') })).rejects.toThrow(/inside the input folder/);
    await fs.symlink(inputDir, path.join(root, 'link-to-sketches'));
    await expect(translateFolder({ translator, inputDir, outputDir: path.join(root, 'link-to-sketches', 'out') })).rejects.toThrow(/inside the input folder/);
    await expect(fs.access(path.join(inputDir, 'results'))).rejects.toThrow();
  });

  it('skips what the journal has, and stops when told between images', async () => {
    const done = new Set(['a.png']);
    const journal = { has: (f: string) => done.has(f), markDone: (f: string) => void done.add(f) };
    const outputDir = path.join(root, 'out-2');
    let seen = 0;
    const stopped = translateFolder({
      translator,
      inputDir,
      outputDir,
      journal,
      beforeImage: () => {
        if (++seen === 3) throw new Error('cancelled by the user');
      },
    });
    await expect(stopped).rejects.toThrow(/cancelled by the user/);
    expect(await listing(outputDir)).toEqual(['b.jpg']); // a.png was done before; c.webp never started
    const result = await translateFolder({ translator, inputDir, outputDir, journal });
    expect(result).toMatchObject({ translated: 2, skipped: 2, failed: [{ file: 'broken.png' }] });
  });
});

describe('the translate-folder job', () => {
  const jobModule = fileURLToPath(new URL('../../src/main/engine/jobs/kinds/translate-folder.ts', import.meta.url));
  let queue: ReturnType<typeof createJobQueue>;
  beforeAll(() => {
    queue = createJobQueue({ dataDir, workerModules: [jobModule] });
  });
  afterAll(async () => {
    await queue.close();
  });

  it('runs in the job worker, saves to the gallery, and lists the corrupt file in its result', async () => {
    const outputDir = path.join(root, 'out-job');
    const job = queue.start('translate-folder', { modelId: 'run:tiny', inputDir, outputDir, saveToGallery: true });
    const finished = await queue.waitFor(job.id);
    expect(finished.status).toBe('succeeded');
    const result = finished.result as { translated: number; failed: { file: string; reason: string }[]; galleryItemIds: number[]; modelId: string };
    expect(result.translated).toBe(4);
    expect(result.failed.map((f) => f.file)).toEqual(['broken.png']);
    expect(result.galleryItemIds).toHaveLength(4);
    expect(finished.progress).toMatchObject({ done: 5, total: 5, unit: 'image' });

    const gallery = openGallery({ dataDir });
    try {
      const items = gallery.list({ sort: 'oldest', offset: 0, limit: 10, kinds: ['translate'] });
      expect(items.total).toBe(4);
      expect(items.items.map((i) => i.title).sort()).toEqual(['a.png', 'b.jpg', 'c.webp', 'd.gif.png']);
      expect(items.items[0]).toMatchObject({ modelId: 'run:tiny', input: expect.objectContaining({ format: 'png' }) });
    } finally {
      gallery.close();
    }
  });

  it('fails with a clear message for an output folder inside the input folder', async () => {
    const job = queue.start('translate-folder', { modelId: 'run:tiny', inputDir, outputDir: path.join(inputDir, 'x') });
    const finished = await queue.waitFor(job.id);
    expect(finished.status).toBe('failed');
    expect(finished.error).toMatch(/never writes into the input folder/);
  });
});
