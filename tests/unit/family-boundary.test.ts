/**
 * The family boundary: a family is its folder under gans/ plus a registry
 * line. These tests hold the rest of the studio to that: descriptors load no
 * tfjs, no source outside gans/ names a family, and the template family,
 * switched on with GANVAS_DEV_FAMILIES, passes through the CLI's help, the
 * contract's train.families (from which the Train form and the Translate
 * options are generated), training, export and translation without any
 * code knowing it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FamilyInfo, ModelInfo } from '../../src/shared/contract.js';
import { buildOpenMojiPairs } from './fixtures/openmoji.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GANS = join(ROOT, 'src/main/engine/gans');

// Before any engine module loads: the registry reads it once, and the studio's workers inherit it.
process.env.GANVAS_DEV_FAMILIES = 'template';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

/** The modules `file` imports when it is evaluated: static, non-type imports and re-exports. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'/gm)) {
    const [, , typeOnly, names, target] = match;
    if (typeOnly) continue;
    // `import { type A, type B } from …` loads nothing either.
    const inner = /^\{([^}]*)\}$/.exec(names!.trim())?.[1];
    if (inner !== undefined && inner.split(',').every((part) => part.trim() === '' || part.trim().startsWith('type '))) continue;
    found.push(target!);
  }
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push(match[1]!);
  return found;
}

/** Every package a module pulls in at load time, following relative imports. */
function packagesReachedFrom(entry: string): Map<string, string> {
  const reached = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const target of runtimeImports(file)) {
      if (target.startsWith('.')) visit(resolve(dirname(file), target.replace(/\.js$/, '.ts')));
      else if (!reached.has(target)) reached.set(target, relative(ROOT, file));
    }
  };
  visit(entry);
  return reached;
}

describe('the boundary', () => {
  it('descriptors and the registry load no tfjs, so the main thread, contract and CLI help can read them', () => {
    const entries = [join(GANS, 'registry.ts'), join(GANS, 'family-info.ts'), join(ROOT, 'src/main/engine/train/run-config.ts'), join(ROOT, 'src/main/engine/models/catalogue.ts')];
    for (const entry of entries) {
      const tfjs = [...packagesReachedFrom(entry)].filter(([name]) => name.startsWith('@tensorflow/'));
      expect(tfjs, `${relative(ROOT, entry)} reaches tfjs through ${tfjs.map(([, via]) => via).join(', ')}`).toEqual([]);
    }
  });

  it('no source file outside gans/ names a family id (the bench aside)', () => {
    const named = sourceFiles(join(ROOT, 'src'))
      .filter((file) => !file.startsWith(GANS + '/') && !file.includes('/src/main/bench/'))
      .filter((file) => /['"](pix2pix|srgan|cyclegan|stargan|template)['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(named).toEqual([]);
  });
});

describe('the template family, through the studio', () => {
  const root = mkdtempSync(join(tmpdir(), 'ganvas-boundary-'));
  const dataDir = join(root, 'studio');
  const pairs = join(root, 'pairs');
  mkdirSync(dataDir, { recursive: true });
  let studio: Awaited<ReturnType<typeof open>>;
  const open = async () => (await import('../../src/main/api/studio.js')).openStudio({ dataDir, transport: 'http', log: () => {} });

  beforeAll(async () => {
    studio = await open();
    await buildOpenMojiPairs(pairs, { count: 8, size: 32, start: 700 });
  }, 60_000);
  afterAll(async () => {
    await studio.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function ok<T>(method: string, request: unknown): Promise<T> {
    const outcome = await studio.dispatch(method, request);
    if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code} ${outcome.error.message}`);
    return outcome.value as T;
  }

  it('is in ganvas train --help, written from the registry', () => {
    const help = execFileSync(process.execPath, [join(ROOT, 'bin/ganvas.js'), 'train', '--help'], { encoding: 'utf8', env: { ...process.env } });
    expect(help).toMatch(/^ {2}template +Aligned pairs/m);
    expect(help).toMatch(/^ {2}pix2pix +Aligned pairs/m);
    expect(help).toMatch(/--scale N +srgan: super-resolution factor/);
    const without = execFileSync(process.execPath, [join(ROOT, 'bin/ganvas.js'), 'train', '--help'], { encoding: 'utf8', env: { ...process.env, GANVAS_DEV_FAMILIES: '' } });
    expect(without).not.toMatch(/^ {2}template /m);
  });

  it('comes with its settings and translate options as JSON Schema in train.families', async () => {
    const { families } = await ok<{ families: FamilyInfo[] }>('train.families', {});
    const template = families.find((family) => family.id === 'template')!;
    expect(template).toMatchObject({ dataset: 'paired', uses: ['translate'], inferenceSize: 'training-size' });
    const properties = template.configSchema['properties'] as Record<string, { default?: unknown; title?: string }>;
    expect(properties['ngf']).toMatchObject({ default: 8, title: 'Generator filters (ngf)' });
    expect(template.configSchema['additionalProperties']).toBe(false);
    expect((template.translateOptionsSchema['properties'] as Record<string, unknown>)['mirror']).toMatchObject({ type: 'boolean', default: false });
    expect(families.map((family) => family.id)).toEqual(expect.arrayContaining(['pix2pix', 'srgan', 'template']));
  });

  it('refuses unknown and prototype settings before anything is queued', async () => {
    const base = { family: 'template', dataDir: pairs, run: 'refused' };
    for (const config of [{ bogus: 1 }, JSON.parse('{"__proto__": {"steps": 1}}'), { lr: { G: 1e-3, X: 1 } }]) {
      const outcome = await studio.dispatch('train.start', { ...base, config });
      expect(outcome.ok, JSON.stringify(config)).toBe(false);
      if (!outcome.ok) expect(outcome.error.code).toBe('invalid_request');
    }
    expect((await ok<{ jobs: unknown[] }>('jobs.list', {})).jobs).toEqual([]);
  });

  it('trains as a job, measures its step time, exports with its own inference networks and translates with its options', async () => {
    const estimate = await ok<{ secondsPerStep: number; totalSeconds: number; steps: number }>('train.estimate', { family: 'template', config: { size: 32, steps: 30 } });
    expect(estimate.steps).toBe(30);
    expect(estimate.secondsPerStep).toBeGreaterThan(0);
    expect(estimate.totalSeconds).toBeCloseTo(estimate.secondsPerStep * 30, 6);

    const job = await ok<{ id: string }>('train.start', { family: 'template', dataDir: pairs, run: 'tiny', config: { size: 32, steps: 6, sampleEvery: 3, checkpointEvery: 3 } });
    for (let finished = false; !finished; ) {
      const info = await ok<{ status: string; error?: string }>('jobs.get', { id: job.id });
      if (info.status === 'failed') throw new Error(info.error);
      finished = info.status === 'succeeded';
      if (!finished) await new Promise((done) => setTimeout(done, 100));
    }
    const { models } = await ok<{ models: ModelInfo[] }>('models.list', { use: 'translate' });
    const model = models.find((candidate) => candidate.id === 'run:tiny')!;
    expect(model).toMatchObject({ family: 'template', uses: ['translate'], step: 6 });
    expect(Object.keys(model.translateOptionsSchema['properties'] as object)).toEqual(['mirror']);

    // Export keeps the networks the descriptor names, and nothing else.
    const { exportModel } = await import('../../src/main/engine/models/export-model.js');
    const exported = await exportModel(join(dataDir, 'runs', 'tiny'), join(dataDir, 'models', 'tiny-export'));
    expect(Object.keys(exported.manifest.networks)).toEqual(['G']);

    // A white 32 px square with a black bar on the left: not symmetric, so mirroring shows.
    const bar = Buffer.alloc(32 * 32 * 3, 255);
    for (let y = 4; y < 28; y++) for (let x = 4; x < 14; x++) bar.fill(0, (y * 32 + x) * 3, (y * 32 + x) * 3 + 3);
    const sketch = (await sharp(bar, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer()).toString('base64');
    const plain = await ok<{ image: string }>('translate.image', { modelId: 'user:tiny-export', image: sketch, options: {} });
    const mirrored = await ok<{ image: string }>('translate.image', { modelId: 'user:tiny-export', image: sketch, options: { mirror: true } });
    const pixels = async (png: string) => sharp(Buffer.from(png, 'base64')).raw().toBuffer();
    const [a, b] = [await pixels(plain.image), await pixels(mirrored.image)];
    // The mirrored result is the plain one flipped left to right.
    expect(b.subarray(0, 3)).toEqual(a.subarray((31 * 1) * 3, 31 * 3 + 3));

    // Options the family does not know are the user's mistake, with the contract's code.
    const bad = await studio.dispatch('translate.image', { modelId: 'user:tiny-export', image: sketch, options: { noise: true } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('invalid_request');
      expect(bad.error.message).toMatch(/Invalid Template translate options: \(settings\): Unrecognized key: "noise".*user:tiny-export/);
    }
  }, 180_000);
});

describe('one parse of the settings per run', () => {
  it('parses a fresh run’s settings once; a resumed run parses the request once and reads the checkpoint’s settings twice (to compare, then to load)', async () => {
    const { runTraining } = await import('../../src/main/engine/train/run.js');
    const { template } = await import('../../src/main/engine/gans/template/index.js');
    const { initBackend } = await import('../../src/main/engine/backend/index.js');
    await initBackend({ prefer: 'wasm' });
    const root = mkdtempSync(join(tmpdir(), 'ganvas-parse-count-'));
    try {
      await buildOpenMojiPairs(join(root, 'pairs'), { count: 4, size: 16, start: 700 });
      let parses = 0;
      const counting = { ...template, configSchema: template.configSchema.transform((config) => ((parses += 1), config)) };
      const request = { family: counting, dataDir: join(root, 'pairs'), runDir: join(root, 'run'), requested: { size: 16, ngf: 4, ndf: 4, steps: 2, checkpointEvery: 2, sampleEvery: 100 }, resume: false };
      await runTraining(request);
      expect(parses).toBe(1);
      parses = 0;
      await runTraining({ ...request, requested: { steps: 4 }, resume: true });
      expect(parses).toBe(3);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
