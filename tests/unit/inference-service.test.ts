/**
 * The inference worker, for real: a worker thread with its own tfjs runs a
 * tiny pix2pix from a training run, returns PNGs of the right size, lets the
 * latest request on a channel supersede waiting ones, keeps a bounded model
 * cache, and leaks no tensors across requests.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { createInferenceService, type InferenceService } from '../../src/main/engine/inference/index.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let root: string;
let service: InferenceService;
let square: Buffer;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-inference-'));
  for (const name of ['a', 'b', 'c']) (await saveTinyPix2pixRun(path.join(root, 'runs', name), { seed: name.charCodeAt(0) })).dispose();
  await writeImage(path.join(root, 'square.png'), 16, 16);
  square = await fs.readFile(path.join(root, 'square.png'));
  service = createInferenceService({ dataDir: root, bundledDir: path.join(root, 'no-bundled-models'), cacheSize: 2 });
});
afterAll(async () => {
  await service.close();
  await fs.rm(root, { recursive: true, force: true });
});

it('reports the backend its worker runs', async () => {
  const report = await service.backend();
  expect(report.active).toBe('wasm');
  expect(report.kernelsRegistered).toContain('Conv2DBackpropFilter');
});

it('translates an image into a PNG of the same size, deterministically', async () => {
  const first = await service.translate('run:a', square);
  expect(first.width).toBe(16);
  expect(first.height).toBe(16);
  expect(first.note).toBeNull();
  const meta = await sharp(first.image).metadata();
  expect(meta).toMatchObject({ format: 'png', width: 16, height: 16 });
  const again = await service.translate('run:a', square);
  expect(again.image.equals(first.image)).toBe(true);
  const otherModel = await service.translate('run:b', square);
  expect(otherModel.image.equals(first.image)).toBe(false);
});

it('resizes other sizes to the model\'s and the result back, and says so', async () => {
  await writeImage(path.join(root, 'wide.jpg'), 40, 24);
  const result = await service.translate('run:a', await fs.readFile(path.join(root, 'wide.jpg')));
  expect([result.width, result.height]).toEqual([40, 24]);
  expect(await sharp(result.image).metadata()).toMatchObject({ width: 40, height: 24 });
  expect(result.note).toMatch(/40×24; model 'run:a' was trained at 16 px, so it was resized to 16×16/);
  const atModelSize = await service.translate('run:a', await fs.readFile(path.join(root, 'wide.jpg')), { keepSize: false });
  expect([atModelSize.width, atModelSize.height]).toEqual([16, 16]);
});

it('enlarges the network\'s result ×2 or ×4 with ESRGAN when asked (the Doodle view\'s crisp pane), and refuses other factors', async () => {
  const plain = await service.translate('run:a', square);
  const large = await service.translate('run:a', square, { enlarge: 4 });
  expect([large.width, large.height]).toEqual([64, 64]);
  expect(await sharp(large.image).metadata()).toMatchObject({ format: 'png', width: 64, height: 64 });
  expect(large.note).toMatch(/16×16 result was enlarged ×4 with ESRGAN slim/);
  // The enlargement is of the same result: shrunk back it is close to it (mean |difference| on 0–255).
  const back = await sharp(large.image).resize(16, 16, { kernel: 'cubic' }).removeAlpha().raw().toBuffer();
  const original = await sharp(plain.image).removeAlpha().raw().toBuffer();
  let difference = 0;
  for (let i = 0; i < back.length; i++) difference += Math.abs(back[i]! - original[i]!);
  expect(difference / back.length).toBeLessThan(20);
  expect((await service.translate('run:a', square, { enlarge: 2 })).width).toBe(32);
  await expect(service.translate('run:a', square, { enlarge: 3 })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/enlarge must be 2 or 4/) });
});

it('lets the newest request on a channel replace the ones still waiting', async () => {
  const first = service.translate('run:a', square, { channel: 'doodle' });
  const replaced = service.translate('run:a', square, { channel: 'doodle' });
  const otherChannel = service.translate('run:b', square, { channel: 'preview' });
  const latest = service.translate('run:a', square, { channel: 'doodle', noise: true, seed: 4 });
  const [a, b, c, d] = await Promise.allSettled([first, replaced, otherChannel, latest]);
  expect(a.status).toBe('fulfilled'); // already running when the others came
  expect(b).toMatchObject({ status: 'rejected', reason: { code: 'cancelled' } });
  expect(c.status).toBe('fulfilled');
  expect(d.status).toBe('fulfilled');
});

it('keeps at most cacheSize models and no tensors beyond them across requests', async () => {
  await service.translate('run:a', square);
  const warm = await service.stats();
  for (let i = 0; i < 3; i++) await service.translate('run:a', square, { noise: true, seed: i });
  expect((await service.stats()).numTensors).toBe(warm.numTensors);

  await service.translate('run:b', square);
  await service.translate('run:c', square);
  const stats = await service.stats();
  expect(stats.cachedModels).toEqual(['run:b', 'run:c']);
  await service.translate('run:a', square);
  await service.translate('run:b', square);
  await service.translate('run:c', square);
  // Same two-model cache, whichever two: evicted models were freed.
  expect((await service.stats()).numTensors).toBe(stats.numTensors);
});

it('turns bad requests into errors the user can act on, and keeps serving', async () => {
  await expect(service.translate('run:missing', square)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/No model 'run:missing'\. Models here: .*run:a/) });
  await expect(service.translate('run:a', Buffer.from('definitely not an image'))).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^the image: /) });
  await expect(service.translate('run:a', square, { strength: 3 })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/Pix2Pix translate options.*run:a/) });
  await expect(service.translate('npm:esrgan-slim-x4', square)).rejects.toMatchObject({ code: 'unsupported', message: expect.stringMatching(/upscaler.*use Upscale/) });
  expect((await service.translate('run:a', square)).width).toBe(16);
});

it('rejects what is still waiting when closed', async () => {
  const closing = createInferenceService({ dataDir: root, bundledDir: path.join(root, 'no-bundled-models') });
  const running = closing.translate('run:a', square).catch((error: unknown) => error);
  const waiting = closing.translate('run:a', square).catch((error: unknown) => error);
  await closing.close();
  expect(await waiting).toMatchObject({ code: 'cancelled' });
  expect(await running).toMatchObject({ code: 'cancelled' });
  await expect(closing.translate('run:a', square)).rejects.toMatchObject({ code: 'invalid_state' });
});
