/** The Translate view's logic: model choice, one-at-a-time sequencing, gallery entries and folder summaries. */
import { describe, expect, it } from 'vitest';
import { methods, type ModelInfo } from '../../../src/shared/contract.js';
import { chooseTranslateModel, translateModels, translateOptions } from '../../../src/renderer/src/lib/translate/model-choice.js';
import { createTranslationQueue, type QueueUpdate } from '../../../src/renderer/src/lib/translate/translation-queue.js';
import { galleryRequest } from '../../../src/renderer/src/lib/translate/gallery-entry.js';
import { describeFolderResult, endedWithoutSuccess, folderProgressLine, readFolderResult } from '../../../src/renderer/src/lib/translate/folder-summary.js';

const usesOf: Record<string, ModelInfo['uses']> = { esrgan: ['upscale'], pix2pix: ['doodle', 'translate'], cyclegan: ['translate'] };

function model(id: string, family: ModelInfo['family'], source: ModelInfo['source'] = 'trained'): ModelInfo {
  return { id, family, title: id, description: '', source, size: 64, scale: null, domains: [], step: 0, createdAt: null, licence: null, uses: usesOf[family] ?? [], translateOptionsSchema: {}, inferenceSize: 'training-size' };
}

describe('model choice', () => {
  const models = [model('npm:esrgan-slim-x4', 'esrgan', 'package'), model('run:mine', 'pix2pix'), model('bundled:pix2pix-openmoji-64-hints', 'pix2pix', 'bundled'), model('run:horses', 'cyclegan')];

  it('offers every image-to-image model and no ESRGAN', () => {
    expect(translateModels(models).map((m) => m.id)).toEqual(['run:mine', 'bundled:pix2pix-openmoji-64-hints', 'run:horses']);
  });

  it('starts with the remembered model, else the bundled one, else the first', () => {
    expect(chooseTranslateModel(models, 'run:horses')?.id).toBe('run:horses');
    expect(chooseTranslateModel(models, 'run:deleted')?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseTranslateModel(models, 'npm:esrgan-slim-x4')?.id).toBe('bundled:pix2pix-openmoji-64-hints');
    expect(chooseTranslateModel([models[0]!, models[3]!], null)?.id).toBe('run:horses');
    expect(chooseTranslateModel([models[0]!], null)).toBeUndefined();
    const vivid = model('bundled:pix2pix-openmoji-64-vivid', 'pix2pix', 'bundled');
    expect(chooseTranslateModel([vivid, ...models], null)?.id).toBe('bundled:pix2pix-openmoji-64-hints');
  });

  it('sends the view’s keepSize with the options the model’s own schema gave', () => {
    expect(translateOptions(true, { noise: true })).toEqual({ keepSize: true, noise: true });
    expect(translateOptions(false, {})).toEqual({ keepSize: false });
  });
});

/** A promise the test resolves or rejects by hand, to control when each translation finishes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('translating single images in order', () => {
  it('runs one image at a time, in order, and goes on after a failure', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const started: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const updates: QueueUpdate<string>[] = [];
    const queue = createTranslationQueue<{ key: number; name: string }, string>(
      async ({ name }) => {
        started.push(name);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const d = deferred<string>();
        pending.set(name, d);
        try {
          return await d.promise;
        } finally {
          inFlight--;
        }
      },
      (update) => updates.push(update),
    );

    const [a, b, c] = [1, 2, 3];
    queue.add([{ key: a, name: 'a.png' }, { key: b, name: 'b.png' }]);
    expect(queue.running).toBe(true);
    await Promise.resolve();
    expect(started).toEqual(['a.png']);
    // Added while the first is running: joins the end.
    queue.add([{ key: c, name: 'c.png' }]);
    pending.get('a.png')!.resolve('A');
    await expect.poll(() => started.length).toBe(2);
    expect(started).toEqual(['a.png', 'b.png']);
    pending.get('b.png')!.reject(new Error('b.png: unsupported image format'));
    await expect.poll(() => started.length).toBe(3);
    pending.get('c.png')!.resolve('C');
    await queue.idle();

    expect(queue.running).toBe(false);
    expect(maxInFlight).toBe(1);
    expect(updates.filter((u) => u.status !== 'waiting')).toEqual([
      { key: a, status: 'translating' },
      { key: a, status: 'done', value: 'A' },
      { key: b, status: 'translating' },
      { key: b, status: 'failed', error: 'b.png: unsupported image format' },
      { key: c, status: 'translating' },
      { key: c, status: 'done', value: 'C' },
    ]);
  });

  it('drops waiting images on clear but lets the running one finish, then runs again on the next add', async () => {
    const done: string[] = [];
    const first = deferred<string>();
    const queue = createTranslationQueue<{ key: number; name: string }, string>(
      async ({ name }) => {
        const value = name === 'one' ? await first.promise : name.toUpperCase();
        done.push(name);
        return value;
      },
      () => {},
    );
    queue.add(['one', 'two', 'three'].map((name, i) => ({ key: i + 1, name })));
    expect(queue.clearWaiting()).toEqual([2, 3]);
    first.resolve('ONE');
    await queue.idle();
    expect(done).toEqual(['one']);
    queue.add([{ key: 4, name: 'four' }]);
    await queue.idle();
    expect(done).toEqual(['one', 'four']);
  });
});

describe('saving a translated image', () => {
  it('builds a gallery.add request the contract accepts, with options, note and inference time', () => {
    const request = galleryRequest({
      name: 'cat.png',
      inputBase64: 'aW5wdXQ=',
      outputBase64: 'b3V0cHV0',
      modelId: 'run:mine',
      modelTitle: 'My sketches',
      options: { keepSize: true, noise: true },
      ms: 41.6,
      note: 'cat.png is 80×80; resized',
    });
    expect(request).toEqual({
      kind: 'translate',
      title: 'cat.png',
      input: 'aW5wdXQ=',
      output: 'b3V0cHV0',
      modelId: 'run:mine',
      settings: { keepSize: true, noise: true, model: 'My sketches', note: 'cat.png is 80×80; resized' },
      timings: { inference: 42 },
    });
    expect(methods['gallery.add'].request.safeParse(request).success).toBe(true);
  });
});

describe('folder job summary', () => {
  const jobResult = {
    translated: 212,
    skipped: 0,
    failed: [{ file: 'photo.heic', reason: 'unsupported image format' }],
    resized: 0,
    modelId: 'run:mine',
    galleryItemIds: [],
  };

  it('says how many were translated and names each failure', () => {
    const result = readFolderResult(jobResult)!;
    expect(describeFolderResult(result)).toBe('Translated 212 · 1 failed: photo.heic: unsupported image format');
  });

  it('mentions earlier runs, resizing and gallery items, and shortens long failure lists', () => {
    const result = readFolderResult({
      translated: 2,
      skipped: 5,
      resized: 2,
      galleryItemIds: [7, 8],
      failed: ['a', 'b', 'c', 'd', 'e'].map((f) => ({ file: `${f}.png`, reason: `${f}.png: cannot be decoded` })),
    })!;
    expect(describeFolderResult(result)).toBe(
      'Translated 2 · 5 done earlier · 5 failed: a.png: cannot be decoded; b.png: cannot be decoded; c.png: cannot be decoded; and 2 more · 2 resized for the model and back · 2 saved to the Gallery',
    );
  });

  it('reads a malformed result as nothing rather than throwing', () => {
    expect(readFolderResult(undefined)).toBeNull();
    expect(readFolderResult({ done: [] })).toBeNull();
    expect(readFolderResult({ translated: 1, failed: [null, { file: 3 }, { file: 'x.png' }] })?.failed).toEqual([{ file: 'x.png', reason: 'unknown reason' }]);
  });

  it('describes progress and endings in words', () => {
    const progress = { done: 12, total: 212, unit: 'image', fraction: 12 / 212, etaSeconds: 200, rate: 1 };
    expect(folderProgressLine('running', progress)).toBe('12 of 212 images · about 3 min 20 s left');
    expect(folderProgressLine('queued', progress)).toBe('Waiting for the engine…');
    expect(folderProgressLine('running', { ...progress, done: 0, total: 0, etaSeconds: null })).toBe('Reading the folder…');
    expect(endedWithoutSuccess({ status: 'cancelled', progress })).toContain('Cancelled after 12 of 212 images');
    expect(endedWithoutSuccess({ status: 'failed', progress, error: 'The input folder /x does not exist' })).toBe('The input folder /x does not exist');
    expect(endedWithoutSuccess({ status: 'succeeded', progress })).toBeNull();
  });
});
