/**
 * `ganvas translate`, `ganvas export-model` and `ganvas models` on real files:
 * exit codes, outputs, and the messages a user sees.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { exportModelCommand } from '../../src/main/cli/export-model.js';
import { modelsCommand } from '../../src/main/cli/models.js';
import { translateCommand } from '../../src/main/cli/translate.js';
import { saveTinyPix2pixRun, writeImage } from './models-fixture.js';

let root: string;
let dataDir: string;
let inputDir: string;
let stderr: string[];
let stdout: string[];

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ganvas-translate-cli-'));
  dataDir = path.join(root, 'data');
  (await saveTinyPix2pixRun(path.join(dataDir, 'runs', 'tiny'))).dispose();
  inputDir = path.join(root, 'in');
  await writeImage(path.join(inputDir, 'one.png'), 16, 16, 1);
  await writeImage(path.join(inputDir, 'two.jpg'), 24, 24, 2);
  await fs.writeFile(path.join(inputDir, 'three.png'), 'this is text, not a picture');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});
beforeEach(() => {
  stderr = [];
  stdout = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void stderr.push(args.join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void stdout.push(args.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
});

it('translates one file with a model id', async () => {
  const output = path.join(root, 'single', 'one-coloured.png');
  const code = await translateCommand(['--model', 'run:tiny', '--input', path.join(inputDir, 'one.png'), '--output', output, '--data-dir', dataDir]);
  expect(code).toBe(0);
  expect(await sharp(output).metadata()).toMatchObject({ format: 'png', width: 16, height: 16 });
  expect(stdout.join('\n')).toMatch(/one-coloured\.png {2}16×16 {2}run:tiny/);
});

it('translates one file into a folder, with a model given as a run folder and options', async () => {
  const outDir = path.join(root, 'single-dir') + path.sep;
  const code = await translateCommand(['-m', path.join(dataDir, 'runs', 'tiny'), '-i', path.join(inputDir, 'two.jpg'), '-o', outDir, '--option', 'noise=true', '--option', 'seed=2']);
  expect(code).toBe(0);
  expect(await sharp(path.join(outDir, 'two.png')).metadata()).toMatchObject({ width: 24, height: 24 });
  expect(stderr.join('\n')).toMatch(/two\.jpg is 24×24; model .* was trained at 16 px/);
});

it('translates a folder; a bad file fails only itself and makes the exit code 1', async () => {
  const outDir = path.join(root, 'folder-out');
  const code = await translateCommand(['--model', 'run:tiny', '--input', inputDir, '--output', outDir, '--data-dir', dataDir]);
  expect(code).toBe(1);
  expect((await fs.readdir(outDir)).sort()).toEqual(['one.png', 'two.jpg']);
  const text = stderr.join('');
  expect(text).toMatch(/failed: three\.png: not an image/);
  expect(text).toMatch(/2 translated with run:tiny into .*folder-out, 1 failed; 1 resized to 16×16 px/);
  expect(text).toMatch(/3\/3 images/);
});

it('says what is wrong with bad arguments (exit code 2)', async () => {
  expect(await translateCommand(['--input', inputDir, '--output', path.join(root, 'x')])).toBe(2);
  expect(stderr.join('')).toMatch(/--model is required/);
  expect(await translateCommand(['--model', 'run:nope', '--input', inputDir, '--output', path.join(root, 'x'), '--data-dir', dataDir])).toBe(2);
  expect(stderr.join('')).toMatch(/No model 'run:nope'\. Models here: .*run:tiny/);
  expect(await translateCommand(['--model', 'run:tiny', '--input', inputDir, '--output', path.join(inputDir, 'out'), '--data-dir', dataDir])).toBe(2);
  expect(stderr.join('')).toMatch(/never writes into the input folder/);
  expect(await translateCommand(['--model', 'run:tiny', '--input', path.join(root, 'missing.png'), '--output', path.join(root, 'x.png'), '--data-dir', dataDir])).toBe(2);
  expect(await translateCommand(['--model', 'run:tiny', '--input', path.join(inputDir, 'one.png'), '--output', path.join(root, 'x.bmp'), '--data-dir', dataDir])).toBe(2);
  expect(stderr.join('')).toMatch(/must end in \.png, \.jpg or \.webp/);
});

it('exports a run as a model the catalogue lists and translate can use', async () => {
  const modelDir = path.join(dataDir, 'models', 'tiny-shared');
  expect(await exportModelCommand([path.join(dataDir, 'runs', 'tiny'), modelDir, '--float16', '--title', 'Tiny shared', '--licence', 'MIT'])).toBe(0);
  expect(stdout.join('\n')).toMatch(/pix2pix \(G\) at step 1, .* MB, float16/);
  expect(await exportModelCommand([path.join(dataDir, 'runs', 'tiny'), modelDir])).toBe(1);
  expect(stderr.join('')).toMatch(/already holds a model/);
  expect(await exportModelCommand([path.join(dataDir, 'runs', 'tiny')])).toBe(2);

  stdout = [];
  expect(await modelsCommand(['--data-dir', dataDir, '--family', 'pix2pix', '--json'])).toBe(0);
  const listed = JSON.parse(stdout.join('\n')) as { models: { id: string; title: string; licence: string | null }[] };
  // The studio's own bundled models are always listed beside the user's.
  expect(listed.models.map((m) => m.id).sort()).toEqual(['bundled:pix2pix-openmoji-64', 'bundled:pix2pix-openmoji-64-hints', 'bundled:pix2pix-openmoji-64-vivid', 'run:tiny', 'user:tiny-shared']);
  expect(listed.models.find((m) => m.id === 'user:tiny-shared')).toMatchObject({ title: 'Tiny shared', licence: 'MIT' });
  expect(await modelsCommand(['--family', 'dalle'])).toBe(2);

  const output = path.join(root, 'from-export.webp');
  expect(await translateCommand(['--model', 'user:tiny-shared', '--input', path.join(inputDir, 'one.png'), '--output', output, '--data-dir', dataDir])).toBe(0);
  expect(await sharp(output).metadata()).toMatchObject({ format: 'webp', width: 16, height: 16 });
});
