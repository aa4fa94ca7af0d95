/**
 * The engine's API methods through the real studio and dispatcher: the same
 * path IPC and HTTP take. Base64 in and out, errors as contract outcomes.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let root: string;
let studio: Studio;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-inference-api-'));
  (await saveTinyPix2pixRun(path.join(root, 'runs', 'tiny'))).dispose();
  studio = openStudio({ dataDir: root, transport: 'http', log: () => {} });
});
afterAll(async () => {
  await studio.close();
  await fs.rm(root, { recursive: true, force: true });
});

it('lists models, translates base64 images and reports the backend', async () => {
  const listed = await studio.dispatch('models.list', { family: 'pix2pix' });
  expect(listed).toMatchObject({ ok: true, value: { models: expect.arrayContaining([expect.objectContaining({ id: 'run:tiny', size: 16 })]) } });

  await writeImage(path.join(root, 'in.png'), 16, 16);
  const image = (await fs.readFile(path.join(root, 'in.png'))).toString('base64');
  const translated = await studio.dispatch('translate.image', { modelId: 'run:tiny', image, options: { channel: 'doodle' } });
  expect(translated.ok).toBe(true);
  const value = (translated as { value: { image: string; width: number; height: number; modelId: string } }).value;
  expect(value).toMatchObject({ width: 16, height: 16, modelId: 'run:tiny' });
  expect(await sharp(Buffer.from(value.image, 'base64')).metadata()).toMatchObject({ format: 'png', width: 16, height: 16 });

  expect(await studio.dispatch('engine.backend', {})).toMatchObject({ ok: true, value: { active: 'wasm' } });
});

it('answers bad requests with the contract error codes', async () => {
  expect(await studio.dispatch('translate.image', { modelId: 'run:gone', image: 'aGVsbG8=' })).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringMatching(/Models here: .*run:tiny/) } });
  expect(await studio.dispatch('translate.image', { modelId: 'run:tiny', image: 'aGVsbG8=' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  expect(await studio.dispatch('models.list', { family: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
});
