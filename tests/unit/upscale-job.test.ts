/**
 * `upscale.images` end to end below the UI: uploads through the real handler
 * into the real job queue and worker, ESRGAN on real photo crops, results in
 * the real gallery, a corrupt file failing alone, and cancel mid-batch.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, JobProgressEvent } from '../../src/shared/contract.js';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { distinctNames, safeUploadName, upscaleHandlers } from '../../src/main/api/upscale.js';
import type { UpscaleJobResult } from '../../src/main/engine/jobs/kinds/upscale.js';
import { chooseUpscaleModel } from '../../src/main/engine/upscale/model-catalogue.js';

const photos = '/usr/share/backgrounds/mate/nature';

async function photoCrop(file: string, format: 'jpeg' | 'png', width = 96, height = 64, left = 900): Promise<string> {
  const bytes = await sharp(file).extract({ left, top: 700, width, height })[format]().toBuffer();
  return bytes.toString('base64');
}

let dataDir: string;
let studio: Studio;
let handlers: ReturnType<typeof upscaleHandlers>;
const events: { event: EventName; payload: unknown }[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ganvas-upscale-job-'));
  studio = openStudio({ dataDir, transport: 'http', log: () => {} });
  studio.onEvent((event, payload) => events.push({ event, payload }));
  handlers = upscaleHandlers(studio.context);
});

afterAll(async () => {
  await studio.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function untilAnnounced(ids: number[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const announced = events.some((e) => e.event === 'gallery.changed' && ids.every((id) => (e.payload as { ids: number[] }).ids.includes(id)));
    if (announced) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gallery.changed for ${ids.join(', ')} never arrived`);
}

describe('upload names', () => {
  it('keeps names recognisable but inside our folder, and distinct', () => {
    expect(safeUploadName('../../etc/passwd')).toBe('passwd');
    expect(safeUploadName('C:\\Users\\me\\photo.jpg')).toBe('photo.jpg');
    expect(safeUploadName('.hidden.png')).toBe('hidden.png');
    expect(safeUploadName('a:b?.png')).toBe('a_b_.png');
    expect(safeUploadName('...')).toBe('image');
    expect(distinctNames(['a.jpg', 'A.jpg', 'a.jpg', 'b.png'])).toEqual(['a.jpg', 'A (2).jpg', 'a (3).jpg', 'b.png']);
  });
});

describe('upscale.images', () => {
  it('upscales two photo crops ×2, keeps their formats, stores them in the gallery, and fails only the corrupt file', async () => {
    const files = [
      { name: 'wood.jpg', dataBase64: await photoCrop(join(photos, 'Wood.jpg'), 'jpeg') },
      { name: 'broken.jpg', dataBase64: Buffer.from('this is not a JPEG at all, just text').toString('base64') },
      { name: 'garden.png', dataBase64: await photoCrop(join(photos, 'Garden.jpg'), 'png') },
    ];
    const started = await handlers['upscale.images']({ files, scale: 2, modelId: 'npm:esrgan-slim-x2' });
    expect(started.kind).toBe('upscale');
    expect(started.title).toContain('×2');
    const job = await studio.context.jobs.waitFor(started.id);
    expect(job.status).toBe('succeeded');
    const result = job.result as UpscaleJobResult;

    expect(result.modelId).toBe('npm:esrgan-slim-x2');
    expect(result.done.map((d) => d.name)).toEqual(['wood.jpg', 'garden.png']);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.name).toBe('broken.jpg');
    expect(result.failed[0]!.reason).toMatch(/^broken\.jpg: /);

    for (const [index, name] of ['wood.jpg', 'garden.png'].entries()) {
      const item = studio.context.gallery.get(result.galleryItemIds[index]!);
      expect(item.kind).toBe('upscale');
      expect(item.title).toBe(name);
      expect(item.modelId).toBe('npm:esrgan-slim-x2');
      expect([item.input?.width, item.input?.height]).toEqual([96, 64]);
      expect([item.output.width, item.output.height]).toEqual([192, 128]);
      expect(item.output.format).toBe(name.endsWith('.png') ? 'png' : 'jpeg');
      expect(item.settings).toMatchObject({ scale: 2, tile: 'auto', model: 'slim' });
      expect(item.timings.total).toBeGreaterThan(0);
    }
    const progress = events.filter((e) => e.event === 'job.progress').map((e) => e.payload as JobProgressEvent).filter((p) => p.id === job.id);
    // The queue forwards progress at most every 100 ms, so on a fast machine wood.jpg's tiles may all
    // pass between two messages; each message says which image and tile it is at.
    const messages = progress.map((p) => p.progress.message ?? '');
    expect(messages.some((m) => /^(wood\.jpg: tile \d+\/\d+ \(image 1 of 3\)|garden\.png: tile \d+\/\d+ \(image 3 of 3\))$/.test(m)), messages.join(' | ')).toBe(true);
    expect(job.progress.unit).toBe('tile');
    expect(job.progress.done).toBe(job.progress.total);
    await untilAnnounced(result.galleryItemIds);
    // Outputs are under the data folder; the uploads are gone once they are in the gallery.
    const [folder] = readdirSync(join(dataDir, 'upscaled'));
    expect(readdirSync(join(dataDir, 'upscaled', folder!)).sort()).toEqual(['garden-x2.png', 'wood-x2.jpg']);
    for (let i = 0; i < 50 && existsSync(join(dataDir, 'uploads', folder!)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(dataDir, 'uploads', folder!))).toBe(false);
  });

  it('upscales ×4 with the default model and leaks no tensors across jobs', async () => {
    const files = [{ name: 'meadow.jpg', dataBase64: await photoCrop(join(photos, 'GreenMeadow.jpg'), 'jpeg') }];
    const first = await studio.context.jobs.waitFor((await handlers['upscale.images']({ files, scale: 4 })).id);
    expect(first.status).toBe('succeeded');
    const after1 = await studio.context.jobs.stats();
    const second = await studio.context.jobs.waitFor((await handlers['upscale.images']({ files, scale: 4 })).id);
    const after2 = await studio.context.jobs.stats();
    const item = studio.context.gallery.get((second.result as UpscaleJobResult).galleryItemIds[0]!);
    expect([item.output.width, item.output.height]).toEqual([384, 256]);
    // Slim, until a bundled SRGAN model marked the default for ×4 is in models/ (then that one).
    expect(item.modelId).toBe(chooseUpscaleModel({ scale: 4 }).catalogueId);
    expect(after2.numTensors).toBe(after1.numTensors);
  });

  it('refuses a model that does not match the scale before queueing anything', async () => {
    const files = [{ name: 'x.jpg', dataBase64: await photoCrop(join(photos, 'Wood.jpg'), 'jpeg') }];
    await expect(handlers['upscale.images']({ files, scale: 3, modelId: 'npm:esrgan-slim-x2' })).rejects.toThrow(/×2, not ×3/);
  });

  it('cancels between tiles: finished images stay in the gallery, the rest are reported as not started', async () => {
    // Small tiles make several tiles per image, so the cancel lands mid-batch.
    const files = await Promise.all(
      ['Dune.jpg', 'Storm.jpg', 'Aqua.jpg', 'Blinds.jpg'].map(async (name, i) => ({
        name: name.toLowerCase(),
        dataBase64: await photoCrop(join(photos, name), 'jpeg', 192, 128, 400 + i * 10),
      })),
    );
    const started = await handlers['upscale.images']({ files, scale: 2, tile: 96 });
    for (let i = 0; i < 2000; i++) {
      const info = studio.context.jobs.get(started.id);
      if (info && info.progress.total > 0 && info.progress.done > info.progress.total / 4) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    studio.context.jobs.cancel(started.id);
    const job = await studio.context.jobs.waitFor(started.id);
    expect(job.status).toBe('cancelled');
    const result = job.result as UpscaleJobResult;
    expect(result.cancelled.length).toBeGreaterThan(0);
    expect(result.done.length + result.cancelled.length).toBe(4);
    expect(job.progress.done).toBeLessThan(job.progress.total);
    // No half-written files: only finished images have outputs.
    const outputs = readdirSync(join(dataDir, 'upscaled')).flatMap((folder) => readdirSync(join(dataDir, 'upscaled', folder)));
    expect(outputs.filter((name) => name.includes('.part'))).toEqual([]);
    for (const id of result.galleryItemIds) expect(studio.context.gallery.get(id).kind).toBe('upscale');
    // The originals stay for a retry.
    expect(readdirSync(join(dataDir, 'uploads')).length).toBeGreaterThan(0);
  });
});
