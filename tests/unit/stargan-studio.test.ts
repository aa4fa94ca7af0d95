/**
 * StarGAN through the studio's API, as the Train and Translate views drive
 * it: a time estimate before any data is known, a training job on a real
 * multi-domain folder, the run in the model list with its domains by name
 * and its translate options (one blend weight per domain), an exported
 * model that keeps the domains and only G, and translation by name and
 * blend, with bad targets refused as the user's mistake.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDomainEmojiDataset } from '../../src/main/engine/data/emoji-styles.js';
import type { ModelInfo } from '../../src/shared/contract.js';

const root = mkdtempSync(join(tmpdir(), 'ganvas-stargan-studio-'));
const dataDir = join(root, 'studio');
const emoji = join(root, 'emoji');
let studio: Awaited<ReturnType<typeof open>>;
const open = async () => (await import('../../src/main/api/studio.js')).openStudio({ dataDir, transport: 'http', log: () => {} });

beforeAll(async () => {
  studio = await open();
  await buildDomainEmojiDataset(emoji, ['twemoji', 'noto', 'fluent-emoji-flat'], { size: 16, limit: 6 });
}, 120_000);
afterAll(async () => {
  await studio.close();
  rmSync(root, { recursive: true, force: true });
});

async function ok<T>(method: string, request: unknown): Promise<T> {
  const outcome = await studio.dispatch(method, request);
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value as T;
}

describe('StarGAN in the studio', () => {
  it('estimates, trains as a job, lists its domains, exports only G with them, and translates by name and blend', async () => {
    const family = 'stargan';
    const estimate = await ok<{ secondsPerStep: number; steps: number }>('train.estimate', { family, config: { size: 16, steps: 10, batchSize: 2, ngf: 4, ndf: 4, blocks: 1 } });
    expect(estimate.secondsPerStep).toBeGreaterThan(0);

    const job = await ok<{ id: string }>('train.start', { family, dataDir: emoji, run: 'styles', config: { size: 16, steps: 6, batchSize: 2, ngf: 4, ndf: 4, blocks: 1, sampleEvery: 3, checkpointEvery: 3 } });
    for (let finished = false; !finished; ) {
      const info = await ok<{ status: string; error?: string }>('jobs.get', { id: job.id });
      if (info.status === 'failed') throw new Error(info.error);
      finished = info.status === 'succeeded';
      if (!finished) await new Promise((done) => setTimeout(done, 100));
    }
    const { models } = await ok<{ models: ModelInfo[] }>('models.list', { use: 'translate' });
    const model = models.find((candidate) => candidate.id === 'run:styles')!;
    // Label order is the folders' sorted order.
    expect(model).toMatchObject({ family, step: 6, domains: ['fluent-emoji-flat', 'noto', 'twemoji'], inferenceSize: 'any' });
    const properties = model.translateOptionsSchema['properties'] as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(properties)).toEqual(['domain', 'mix', 'from', 'strip']);
    expect(Object.keys(properties['mix']!.properties!)).toEqual(['fluent-emoji-flat', 'noto', 'twemoji']);

    const { exportModel } = await import('../../src/main/engine/models/export-model.js');
    const exported = await exportModel(join(dataDir, 'runs', 'styles'), join(dataDir, 'models', 'styles-export'));
    expect(Object.keys(exported.manifest.networks)).toEqual(['G']);
    expect((exported.manifest.config as { domains: string[] }).domains).toEqual(['fluent-emoji-flat', 'noto', 'twemoji']);

    const png = (await sharp(join(emoji, 'test', 'noto', (await import('node:fs')).readdirSync(join(emoji, 'test', 'noto'))[0]!)).resize(24, 20).png().toBuffer()).toString('base64');
    const toTwemoji = await ok<{ image: string; width: number; height: number }>('translate.image', { modelId: 'user:styles-export', image: png, options: { domain: 'twemoji' } });
    const blended = await ok<{ image: string }>('translate.image', { modelId: 'user:styles-export', image: png, options: { mix: { twemoji: 0.5, noto: 0.5 } } });
    const strip = await ok<{ image: string }>('translate.image', { modelId: 'user:styles-export', image: png, options: { domain: 'twemoji', strip: 3 } });
    const size = async (image: string) => {
      const meta = await sharp(Buffer.from(image, 'base64')).metadata();
      return [meta.width, meta.height];
    };
    expect(await size(toTwemoji.image)).toEqual([24, 20]);
    expect(await size(strip.image)).toEqual([24 * 4, 20]);
    expect(blended.image).not.toBe(toTwemoji.image);

    for (const [options, message] of [
      [{ domain: 'crayon' }, /unknown domain 'crayon'; this model's domains are fluent-emoji-flat, noto, twemoji/],
      [{ mix: { noto: 0.5, twemoji: 0.2 } }, /must sum to 1/],
      [{}, /choose a target domain/],
    ] as const) {
      const bad = await studio.dispatch('translate.image', { modelId: 'user:styles-export', image: png, options });
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.error.code).toBe('invalid_request');
        expect(bad.error.message).toMatch(message);
      }
    }
  }, 300_000);
});
