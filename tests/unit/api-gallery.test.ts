// gallery.add through the real dispatcher and studio: a result is stored with its input, model, settings and timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { openStudio, type Studio } from '../../src/main/api/studio.js';

let dir: string;
let studio: Studio;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-api-gallery-'));
  studio = openStudio({ dataDir: dir, transport: 'http', log: () => {} });
});
afterAll(async () => {
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

const png = (colour: string, width = 64, height = 64) =>
  sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer().then((b) => b.toString('base64'));

describe('gallery.add', () => {
  it('stores sketch + result with model, settings and timings, and announces it', async () => {
    const events: unknown[] = [];
    const off = studio.onEvent((event, payload) => event === 'gallery.changed' && events.push(payload));
    const outcome = await studio.dispatch('gallery.add', {
      kind: 'sketch',
      title: 'cat doodle',
      input: await png('#ffffff'),
      output: await png('#ffcc00'),
      modelId: 'bundled:pix2pix-openmoji-64',
      settings: { noise: false },
      timings: { inference: 61.5, total: 80 },
      tags: ['cats'],
    });
    off();
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const item = outcome.value as { id: number; input: { width: number } | null; output: { width: number }; modelId: string; timings: Record<string, number>; tags: string[] };
    expect(item.input?.width).toBe(64);
    expect(item.modelId).toBe('bundled:pix2pix-openmoji-64');
    expect(item.timings).toEqual({ inference: 61.5, total: 80 });
    expect(item.tags).toEqual(['cats']);
    expect(events).toEqual([{ reason: 'added', ids: [item.id] }]);

    const listed = await studio.dispatch('gallery.list', { kinds: ['sketch'] });
    expect(listed.ok && (listed.value as { total: number }).total).toBe(1);
  });

  it('refuses a result that is not an image, naming which image, and stores nothing', async () => {
    const outcome = await studio.dispatch('gallery.add', { kind: 'sketch', input: await png('#fff'), output: Buffer.from('not an image').toString('base64') });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toMatch(/output image/i);
    const listed = await studio.dispatch('gallery.list', {});
    expect(listed.ok && (listed.value as { total: number }).total).toBe(1);
  });
});
