/**
 * Requests for folder jobs are checked completely before anything is queued,
 * against the job kind's own schema: a model that is not in the catalogue, an
 * upscaler given to translation, an empty input folder, or a tile the chosen
 * upscaler cannot use is an immediate error, and no job, upload or output
 * folder is left behind. (They used to be queued and fail a moment later, and
 * again at every retry.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src/shared/contract.js';
import { smallestUpscaleTiles } from '../../src/shared/upscale-tiles.js';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { listUpscaleModels, loadUpscaleModel } from '../../src/main/engine/upscale/index.js';
import { smallestTile, tileLayoutFor } from '../../src/main/engine/upscale/tile-layout.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let root: string;
let dataDir: string;
let sketches: string;
let studio: Studio;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ganvas-request-checks-'));
  dataDir = path.join(root, 'data');
  (await saveTinyPix2pixRun(path.join(dataDir, 'runs', 'tiny'))).dispose();
  sketches = path.join(root, 'sketches');
  await writeImage(path.join(sketches, 'a.png'), 16, 16, 1);
  studio = openStudio({ dataDir, transport: 'http', log: () => {} });
}, 60_000);
afterAll(async () => {
  await studio.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function refusal(method: string, request: unknown): Promise<{ code: string; message: string }> {
  const outcome = await studio.dispatch(method, request);
  if (outcome.ok) throw new Error(`${method} was accepted: ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

const jobCount = () => studio.context.jobs.list().length;

describe('translate.folder', () => {
  it('refuses a model id the catalogue does not have, naming the ones it has', async () => {
    const error = await refusal('translate.folder', { modelId: 'run:nope', inputDir: sketches, outputDir: path.join(root, 'out-a') });
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/^No model 'run:nope'\. Models here: .*run:tiny/);
    expect(jobCount()).toBe(0);
    expect(fs.existsSync(path.join(root, 'out-a'))).toBe(false);
  });

  it('refuses an upscaler: it is not a translation model', async () => {
    const error = await refusal('translate.folder', { modelId: 'npm:esrgan-slim-x2', inputDir: sketches, outputDir: path.join(root, 'out-b') });
    expect(error).toMatchObject({ code: 'unsupported', message: expect.stringMatching(/is an upscaler, not a translation model/) });
    expect(jobCount()).toBe(0);
  });

  it('refuses an input folder without images, and makes no output folder', async () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(empty, '.hidden.png'), 'hidden');
    fs.mkdirSync(path.join(empty, 'sub'));
    const error = await refusal('translate.folder', { modelId: 'run:tiny', inputDir: empty, outputDir: path.join(root, 'out-c') });
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe(`The input folder ${empty} has no images to translate: GANvas reads the .png, .jpg, .jpeg, .webp, .gif, .tif, .tiff, .avif, .svg files directly inside it (not in sub-folders). Nothing was written.`);
    expect(jobCount()).toBe(0);
    expect(fs.existsSync(path.join(root, 'out-c'))).toBe(false);
  });

  it('refuses unknown keys', async () => {
    const error = await refusal('translate.folder', { modelId: 'run:tiny', inputDir: sketches, outputDir: path.join(root, 'out-d'), overwrite: true });
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/Unrecognized key.*overwrite/);
    expect(jobCount()).toBe(0);
  });

  it('refuses options the model’s family does not take, before queueing', async () => {
    for (const options of [{ noise: 'yes' }, { direction: 'BtoA' }]) {
      const error = await refusal('translate.folder', { modelId: 'run:tiny', inputDir: sketches, outputDir: path.join(root, 'out-f'), options });
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/Invalid Pix2Pix translate options/);
    }
    expect(jobCount()).toBe(0);
  });

  it('refuses enlarge for a folder (it is the Doodle view’s crisp preview of one image), saying where to upscale', async () => {
    const error = await refusal('translate.folder', { modelId: 'run:tiny', inputDir: sketches, outputDir: path.join(root, 'out-g'), options: { enlarge: 2 } });
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/options\.enlarge.*single images only.*Upscale view/);
    expect(jobCount()).toBe(0);
  });

  it('queues a good request, which then runs', async () => {
    const outcome = await studio.dispatch('translate.folder', { modelId: 'run:tiny', inputDir: sketches, outputDir: path.join(root, 'out-e') });
    expect(outcome.ok).toBe(true);
    const job = await studio.context.jobs.waitFor((outcome as { value: JobInfo }).value.id);
    expect(job.status, job.error).toBe('succeeded');
    expect(fs.readdirSync(path.join(root, 'out-e'))).toEqual(['a.png']);
    expect(studio.context.jobs.paramsOf(job.id)).toEqual({ modelId: 'run:tiny', inputDir: sketches, outputDir: path.join(root, 'out-e'), saveToGallery: false });
  }, 60_000);
});

describe('upscale.images', () => {
  let photo: string;
  beforeAll(async () => {
    photo = (await sharp({ create: { width: 24, height: 16, channels: 3, background: '#3a7' } }).png().toBuffer()).toString('base64');
  });
  const uploads = () => (fs.existsSync(path.join(dataDir, 'uploads')) ? fs.readdirSync(path.join(dataDir, 'uploads')) : []);

  it('refuses a tile the chosen model cannot use before writing or queueing anything', async () => {
    const before = jobCount();
    const slim = await refusal('upscale.images', { files: [{ name: 'a.png', dataBase64: photo }], scale: 2, modelId: 'npm:esrgan-slim-x2', tile: 40 });
    expect(slim).toMatchObject({ code: 'invalid_request' });
    expect(slim.message).toContain('tile: Too small');
    const thick = await refusal('upscale.images', { files: [{ name: 'a.png', dataBase64: photo }], scale: 2, modelId: 'npm:esrgan-thick-x2', tile: 60 });
    expect(thick).toEqual({ code: 'invalid_request', message: 'Invalid request for upscale.images: tile: tile size must be a whole number from 88 to 2048 for esrgan-thick-x2, got 60' });
    const huge = await refusal('upscale.images', { files: [{ name: 'a.png', dataBase64: photo }], scale: 2, tile: 4096 });
    expect(huge.code).toBe('invalid_request');
    expect(jobCount()).toBe(before);
    expect(uploads()).toEqual([]);
  });

  it('runs with the smallest tile it accepts for the model', async () => {
    const outcome = await studio.dispatch('upscale.images', { files: [{ name: 'a.png', dataBase64: photo }], scale: 2, modelId: 'npm:esrgan-medium-x2', tile: smallestUpscaleTiles.medium });
    expect(outcome.ok).toBe(true);
    const job = await studio.context.jobs.waitFor((outcome as { value: JobInfo }).value.id);
    expect(job.status, job.error).toBe('succeeded');
  }, 60_000);

  it('knows each installed model\'s smallest tile without loading it: the numbers match the loaded networks', async () => {
    const installed = listUpscaleModels().filter((model) => model.scale === 2 && model.family === 'esrgan');
    expect(installed.map((model) => model.variant).sort()).toEqual(['medium', 'slim', 'thick']);
    for (const info of installed) {
      const loaded = await loadUpscaleModel(info);
      try {
        expect(smallestTile(loaded), info.id).toBe(info.smallestTile);
        expect(() => tileLayoutFor(loaded, info.smallestTile)).not.toThrow();
        expect(() => tileLayoutFor(loaded, info.smallestTile - 1)).toThrow(RangeError);
      } finally {
        loaded.model.dispose();
      }
    }
  }, 120_000);
});
