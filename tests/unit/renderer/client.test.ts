// The renderer's client over the Electron-shaped bridge, wired to a real studio
// exactly as the preload wires it to IPC: every call goes through the real
// dispatcher, engine and SQLite gallery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanvasError, type EventPayload, type GanvasClient, type PreloadBridge } from '../../../src/shared/contract.js';
import { openStudio, type Studio } from '../../../src/main/api/studio.js';
import { createElectronClient } from '../../../src/renderer/src/lib/client.js';
import { GalleryResultsCache } from '../../../src/renderer/src/lib/gallery-results.js';
import { opaquePng } from '../fixtures/gallery-images.js';

let dir: string;
let studio: Studio;
let client: GanvasClient;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-renderer-client-'));
  studio = openStudio({ dataDir: dir, transport: 'electron', log: () => {} });
  const bridge: PreloadBridge = {
    call: (method, request) => studio.dispatch(method, request),
    on: (event, listener) => studio.onEvent((name, payload) => name === event && listener(payload)),
  };
  client = createElectronClient(bridge);
});

afterAll(async () => {
  await studio.close();
  rmSync(dir, { recursive: true, force: true });
});

const until = (condition: () => boolean) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = () => (condition() ? resolve() : Date.now() - started > 5000 ? reject(new Error('timed out')) : setTimeout(check, 10));
    check();
  });

describe('the renderer client over the Electron bridge', () => {
  it('reports its transport and media URLs on the ganvas-media protocol', async () => {
    expect(client.transport).toBe('electron');
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ name: 'GANvas', transport: 'electron', dataDir: dir });
    const hash = 'a'.repeat(64);
    expect(client.mediaUrl(hash, 'thumb')).toBe(`ganvas-media://thumb/${hash}`);
    expect(client.mediaUrl(hash, 'image')).toBe(`ganvas-media://image/${hash}`);
  });

  it('imports files, hears gallery.changed, and turns failures into GanvasError', async () => {
    const heard: EventPayload<'gallery.changed'>[] = [];
    const stop = client.on('gallery.changed', (payload) => heard.push(payload));
    const png = await opaquePng(16, 12);
    const result = await client.call('gallery.import', {
      files: [
        { name: 'red.png', dataBase64: png.toString('base64') },
        { name: 'notes.txt', dataBase64: Buffer.from('hello').toString('base64') },
      ],
    });
    expect(result.added.map((item) => item.title)).toEqual(['red']);
    expect(result.failed.map((failure) => failure.name)).toEqual(['notes.txt']);
    await until(() => heard.some((event) => event.reason === 'added'));
    expect(heard.find((event) => event.reason === 'added')?.ids).toEqual([result.added[0]!.id]);

    stop();
    const before = heard.length;
    await client.call('gallery.update', { id: result.added[0]!.id, favourite: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toHaveLength(before);

    await expect(client.call('gallery.get', { id: 987_654 })).rejects.toMatchObject({ name: 'GanvasError', code: 'not_found' });
    const invalid = await client.call('gallery.update', { id: 1, tags: ['a,b'] }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(GanvasError);
    expect((invalid as GanvasError).code).toBe('invalid_request');
    expect((invalid as GanvasError).issues?.[0]?.path).toMatch(/^tags/);
  });

  it('pages real gallery results and sees deletions after invalidation', async () => {
    const files = await Promise.all(
      [0, 1, 2, 3, 4].map(async (n) => ({ name: `page-${n}.png`, dataBase64: (await opaquePng(8, 8, { r: 40 * n, g: 100, b: 200 })).toString('base64') })),
    );
    await client.call('gallery.import', { files });
    let changes = 0;
    const cache = new GalleryResultsCache((query, offset, limit) => client.call('gallery.list', { ...query, offset, limit }), () => changes++, 2);
    const results = cache.results({ text: 'page-', sort: 'oldest' });
    results.ensure(0, 1);
    await until(() => results.total !== undefined);
    expect(results.total).toBe(5);
    results.ensure(0, 5);
    await until(() => results.item(4) !== undefined);
    expect([0, 1, 2, 3, 4].map((index) => results.item(index)?.title)).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);

    const doomed = results.item(1)!;
    await client.call('gallery.delete', { ids: [doomed.id] });
    cache.invalidateAll();
    results.ensure(0, 5);
    await until(() => results.total === 4 && !results.loading);
    expect(results.indexOf(doomed.id)).toBe(-1);
    expect([0, 1, 2, 3].map((index) => results.item(index)?.title)).toEqual(['page-0', 'page-2', 'page-3', 'page-4']);
    expect(results.item(4)).toBeUndefined();

    await client.call('gallery.restore', { ids: [doomed.id] });
    cache.invalidateAll();
    results.ensure(0, 5);
    await until(() => results.total === 5 && !results.loading);
    expect(results.item(1)?.id).toBe(doomed.id);
    expect(changes).toBeGreaterThan(0);
  });
});
