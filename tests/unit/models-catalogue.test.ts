/**
 * The catalogue lists bundled, user-exported, trained and npm models from
 * real folders, resolves ids to where they load from, and says which ids
 * exist when one does not.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { UserFacingError } from '../../src/main/engine/errors.js';
import { createModelCatalogue, locateModelFolder } from '../../src/main/engine/models/index.js';
import { exportModel } from '../../src/main/engine/models/export-model.js';
import { saveTinyPix2pixRun } from './models-fixture.js';

let root: string;
let dataDir: string;
let bundledDir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-catalogue-'));
  dataDir = path.join(root, 'data');
  bundledDir = path.join(root, 'install-models');
  const runDir = path.join(dataDir, 'runs', 'sketch-run');
  (await saveTinyPix2pixRun(runDir, {}, 7)).dispose();
  await exportModel(runDir, path.join(bundledDir, 'pix2pix-tiny'), { card: { title: 'Tiny doodles', description: 'Line art to colour', licence: 'CC BY-SA 4.0' } });
  await exportModel(runDir, path.join(dataDir, 'models', 'shared-by-a-friend'), { float16: true });
  // Things that are not models, or broken ones: never fail the whole list.
  await fs.mkdir(path.join(dataDir, 'models', 'broken'), { recursive: true });
  await fs.writeFile(path.join(dataDir, 'models', 'broken', 'model.json'), '{ not json');
  await fs.mkdir(path.join(dataDir, 'models', 'empty-folder'), { recursive: true });
  await fs.mkdir(path.join(dataDir, 'runs', 'not-started-yet'), { recursive: true });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

it('lists models from every source, with what the UI shows about them', async () => {
  const catalogue = createModelCatalogue({ dataDir, bundledDir });
  const { models, problems } = await catalogue.scan();
  const byId = new Map(models.map((m) => [m.id, m]));

  expect(byId.get('bundled:pix2pix-tiny')).toMatchObject({ family: 'pix2pix', source: 'bundled', title: 'Tiny doodles', licence: 'CC BY-SA 4.0', size: 16, step: 7 });
  expect(byId.get('user:shared-by-a-friend')).toMatchObject({ family: 'pix2pix', source: 'imported', size: 16 });
  expect(byId.get('run:sketch-run')).toMatchObject({ family: 'pix2pix', source: 'trained', size: 16, step: 7, licence: null });
  expect(byId.get('run:sketch-run')!.createdAt).toBeGreaterThan(Date.parse('2020-01-01'));
  expect(byId.get('npm:esrgan-slim-x4')).toMatchObject({ family: 'esrgan', source: 'package', scale: 4, size: null, licence: 'MIT' });

  expect([...byId.keys()].some((id) => /broken|empty-folder|not-started-yet/.test(id))).toBe(false);
  expect(problems).toHaveLength(1);
  expect(problems[0]!.path).toBe(path.join(dataDir, 'models', 'broken'));
  expect(problems[0]!.reason).toMatch(/not valid JSON/);

  const pix2pixOnly = await catalogue.list({ family: 'pix2pix' });
  expect(pix2pixOnly.map((m) => m.id).sort()).toEqual(['bundled:pix2pix-tiny', 'run:sketch-run', 'user:shared-by-a-friend']);
  expect((await catalogue.list({ family: 'esrgan' })).every((m) => m.id.startsWith('npm:esrgan-'))).toBe(true);
});

it('resolves ids to the folder to load, and names the models that exist when one does not', async () => {
  const catalogue = createModelCatalogue({ dataDir, bundledDir });
  expect(await catalogue.resolve('run:sketch-run')).toMatchObject({ kind: 'run', runDir: path.join(dataDir, 'runs', 'sketch-run') });
  expect(await catalogue.resolve('bundled:pix2pix-tiny')).toMatchObject({ kind: 'exported', dir: path.join(bundledDir, 'pix2pix-tiny') });
  expect(await catalogue.resolve('npm:esrgan-slim-x2')).toMatchObject({ kind: 'upscaler', upscaleId: 'esrgan-slim-x2' });

  const missing = await catalogue.resolve('run:nope').catch((error: unknown) => error);
  expect(missing).toBeInstanceOf(UserFacingError);
  expect(missing).toMatchObject({ code: 'not_found' });
  expect((missing as Error).message).toMatch(/^No model 'run:nope'\. Models here: .*bundled:pix2pix-tiny.*run:sketch-run/);
  // A path in an id never reaches the file system.
  await expect(catalogue.resolve('user:../runs/sketch-run')).rejects.toMatchObject({ code: 'not_found' });
  await expect(catalogue.resolve('sketch-run')).rejects.toThrow(/ids look like bundled:NAME/);
  await expect(catalogue.resolve('user:broken')).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/cannot be read.*not valid JSON/) });
});

it('notices a new checkpoint: the version changes when the run saves again', async () => {
  const catalogue = createModelCatalogue({ dataDir, bundledDir });
  const runDir = path.join(dataDir, 'runs', 'growing');
  (await saveTinyPix2pixRun(runDir, {}, 1)).dispose();
  const first = await catalogue.resolve('run:growing');
  (await saveTinyPix2pixRun(runDir, {}, 2)).dispose();
  const second = await catalogue.resolve('run:growing');
  expect(second.info.step).toBe(2);
  expect(second.version).not.toBe(first.version);
});

it('locates a model given as a folder: exported, a run, or a run\'s checkpoint folder', async () => {
  expect(await locateModelFolder(path.join(bundledDir, 'pix2pix-tiny'))).toMatchObject({ kind: 'exported' });
  expect(await locateModelFolder(path.join(dataDir, 'runs', 'sketch-run'))).toMatchObject({ kind: 'run' });
  expect(await locateModelFolder(path.join(dataDir, 'runs', 'sketch-run', 'checkpoint'))).toMatchObject({ kind: 'run', runDir: path.join(dataDir, 'runs', 'sketch-run') });
  await expect(locateModelFolder(path.join(dataDir, 'runs', 'not-started-yet'))).rejects.toThrow(/neither a model folder .* nor a training run/);
});
