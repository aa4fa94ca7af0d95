// `POST /upload` end to end: real sockets, a real studio (SQLite gallery, job
// queue) in a temp folder, real files in `<data dir>/uploads/incoming/`. Large
// files stream to disk and are then named by id in `gallery.import` and
// `upscale.images`; the limits answer with messages; nothing is left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { incomingFolder } from '../../src/main/api/uploads.js';
import { startServer, type RunningServer } from '../../src/main/server/index.js';
import { opaquePng } from './fixtures/gallery-images.js';
import { startServeChild } from './fixtures/serve-child.js';

let dir: string;
let dataDir: string;
let studio: Studio;
let server: RunningServer;
const TOKEN = 'uploads-test-token-0123456789';
const KiB = 1024;
const MiB = 1024 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-uploads-'));
  dataDir = join(dir, 'data');
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>GANvas</title>');
  studio = openStudio({ dataDir, transport: 'http', log: () => {} });
  server = await startServer({
    studio,
    rendererDir,
    port: 0,
    token: TOKEN,
    uploads: { maxFileBytes: 1 * MiB, maxWaitingBytes: 2.5 * MiB, keepMs: 60_000 },
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  await studio?.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { Authorization: `Bearer ${TOKEN}` };

async function upload(body: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/upload`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/octet-stream', ...headers },
    body: new Blob([body as Uint8Array<ArrayBuffer>]),
  });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

/** A chunked upload (no Content-Length), as a client streaming from a pipe would send. */
function chunkedUpload(total: number): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/upload', method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    const piece = Buffer.alloc(64 * KiB, 7);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function call(method: string, payload: unknown): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
  return res.json();
}

const waiting = () => (existsSync(incomingFolder(dataDir)) ? readdirSync(incomingFolder(dataDir)) : []);

describe('POST /upload', () => {
  it('streams a file to disk, and gallery.import takes it by id (once), beside inline files', async () => {
    const big = await opaquePng(300, 200, { r: 10, g: 120, b: 200 });
    const small = await opaquePng(4, 4, { r: 250, g: 250, b: 0 });
    const receipt = await upload(big);
    expect(receipt.status).toBe(200);
    expect(receipt.json.ok).toBe(true);
    expect(receipt.json.value.bytes).toBe(big.length);
    expect(receipt.json.value.uploadId).toMatch(/^up-\d+-[a-f0-9]{32}$/);
    expect(readFileSync(join(incomingFolder(dataDir), receipt.json.value.uploadId))).toEqual(big);

    const imported = await call('gallery.import', {
      files: [
        { name: 'streamed.png', uploadId: receipt.json.value.uploadId },
        { name: 'inline.png', dataBase64: small.toString('base64') },
      ],
    });
    expect(imported.ok).toBe(true);
    expect(imported.value.added.map((item: { title: string; output: { width: number } }) => [item.title, item.output.width])).toEqual([
      ['streamed', 300],
      ['inline', 4],
    ]);
    expect(waiting()).toEqual([]);

    // An upload is used once; the second use fails that file by name and says what to do.
    const again = await call('gallery.import', { files: [{ name: 'streamed.png', uploadId: receipt.json.value.uploadId }] });
    expect(again.ok).toBe(true);
    expect(again.value.failed[0].name).toBe('streamed.png');
    expect(again.value.failed[0].reason).toMatch(/is not here.*send the file again/);
  });

  it('refuses ids that are not upload ids, and a link planted in the folder, without reading through it', async () => {
    const bad = await call('gallery.import', { files: [{ name: 'x.png', uploadId: '../../gallery.db' }] });
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('invalid_request');
    expect(bad.error.message).toMatch(/upload id/);
    const both = await call('gallery.import', { files: [{ name: 'x.png', uploadId: `up-1-${'a'.repeat(32)}`, dataBase64: 'AAAA' }] });
    expect(both.error.message).toMatch(/either dataBase64 or uploadId/);

    const outside = join(dir, 'outside.png');
    writeFileSync(outside, await opaquePng(6, 6));
    mkdirSync(incomingFolder(dataDir), { recursive: true });
    const planted = `up-${process.pid}-${'b'.repeat(32)}`;
    symlinkSync(outside, join(incomingFolder(dataDir), planted));
    const result = await call('gallery.import', { files: [{ name: 'planted.png', uploadId: planted }] });
    expect(result.value.added).toEqual([]);
    expect(result.value.failed[0].reason).toMatch(/is not here/);
    expect(existsSync(outside)).toBe(true);
    rmSync(join(incomingFolder(dataDir), planted), { force: true });
  });

  it('answers 413 with a message for a file over the limit, declared or chunked, and keeps no part of it', async () => {
    const declared = await upload(new Uint8Array(2 * MiB));
    expect(declared.status).toBe(413);
    expect(declared.json.error.message).toMatch(/An upload is larger than 1 MiB/);
    const chunked = await chunkedUpload(2 * MiB);
    expect(chunked.status).toBe(413);
    expect(chunked.json.error.message).toMatch(/larger than 1 MiB/);
    expect(waiting()).toEqual([]);
    expect((await upload(new Uint8Array(0))).status).toBe(400);
  });

  it('answers 503 once the uploads waiting to be used reach the limit, and accepts again when they are used', async () => {
    const first = await upload(new Uint8Array(900 * KiB).fill(1));
    const second = await upload(new Uint8Array(900 * KiB).fill(2));
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await upload(new Uint8Array(900 * KiB).fill(3));
    expect(third.status).toBe(503);
    expect(third.json.error.message).toMatch(/already waiting to be used/);
    // Using one (here as a file that is not an image: it fails, and is still used up) frees its room.
    const used = await call('gallery.import', { files: [{ name: 'ones.bin', uploadId: first.json.value.uploadId }] });
    expect(used.value.failed).toHaveLength(1);
    expect((await upload(new Uint8Array(900 * KiB).fill(3))).status).toBe(200);
  });

  it('refuses uploads that are not octet-stream POSTs from this origin with the token', async () => {
    const png = await opaquePng(4, 4);
    expect((await upload(png, { 'Content-Type': 'text/plain' })).status).toBe(415);
    expect((await upload(png, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await upload(png, { Authorization: 'Bearer nope-nope-nope-nope' })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/upload`, { headers: auth })).status).toBe(405);
  });

  it('keeps nothing of an upload whose client hangs up halfway, and gives its room back', async () => {
    for (const name of waiting()) rmSync(join(incomingFolder(dataDir), name), { force: true });
    let partials: string[] = [];
    await new Promise<void>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/upload', method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(800 * KiB) } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100 * KiB));
      setTimeout(() => {
        partials = waiting().filter((name) => name.endsWith('.part'));
        req.destroy();
        resolve();
      }, 200);
    });
    expect(partials).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waiting()).toEqual([]);
    // 2 × 900 KiB fit in 2.5 MiB only if the 800 KiB the aborted upload reserved were given back.
    expect((await upload(new Uint8Array(900 * KiB))).status).toBe(200);
    expect((await upload(new Uint8Array(900 * KiB))).status).toBe(200);
  });

  it('moves uploads into an upscale job, which upscales them like inline files', async () => {
    for (const name of waiting()) rmSync(join(incomingFolder(dataDir), name), { force: true });
    const png = await opaquePng(24, 16, { r: 30, g: 160, b: 90 });
    const receipt = await upload(png);
    const started = await call('upscale.images', { files: [{ name: 'field.png', uploadId: receipt.json.value.uploadId }], scale: 2, modelId: 'npm:esrgan-slim-x2' });
    expect(started.ok).toBe(true);
    expect(waiting()).toEqual([]);
    const finished = await studio.context.jobs.waitFor(started.value.id);
    expect(finished.status).toBe('succeeded');
    const ids = (finished.result as { galleryItemIds: number[] }).galleryItemIds;
    const item = await call('gallery.get', { id: ids[0] });
    expect(item.value.output.width).toBe(48);

    // A missing upload fails the whole request before anything moves: the others stay uploaded.
    const kept = await upload(png);
    const refused = await call('upscale.images', {
      files: [
        { name: 'kept.png', uploadId: kept.json.value.uploadId },
        { name: 'gone.png', uploadId: `up-${process.pid}-${'c'.repeat(32)}` },
      ],
      scale: 2,
    });
    expect(refused.ok).toBe(false);
    expect(refused.error.message).toMatch(/is not here/);
    expect(waiting()).toEqual([kept.json.value.uploadId]);
  });
});

describe('unused uploads are deleted', () => {
  it('at start, when the process that received them has ended; not those of a process still running', async () => {
    const childData = join(dir, 'child-data');
    const folder = incomingFolder(childData);
    mkdirSync(folder, { recursive: true });
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(ended.stdout);
    const dead = [`up-${deadPid}-${'d'.repeat(32)}`, `up-${deadPid}-${'e'.repeat(32)}.part`];
    const live = `up-${process.pid}-${'f'.repeat(32)}`;
    for (const name of [...dead, live]) writeFileSync(join(folder, name), 'bytes');
    const child = await startServeChild({ dataDir: childData });
    try {
      expect(readdirSync(folder).sort()).toEqual([live]);
    } finally {
      await child.stop();
    }
  });

  it('after they have waited their time, while the server runs', async () => {
    const quickDir = join(dir, 'quick');
    mkdirSync(join(quickDir, 'renderer'), { recursive: true });
    const quickStudio = openStudio({ dataDir: join(quickDir, 'data'), transport: 'http', log: () => {} });
    const quick = await startServer({ studio: quickStudio, rendererDir: join(quickDir, 'renderer'), port: 0, token: TOKEN, uploads: { keepMs: 300 }, log: () => {} });
    try {
      const res = await fetch(`http://127.0.0.1:${quick.port}/upload`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: new Blob([new Uint8Array([1, 2, 3])]) });
      const id = ((await res.json()) as { value: { uploadId: string } }).value.uploadId;
      const file = join(incomingFolder(join(quickDir, 'data')), id);
      expect(existsSync(file)).toBe(true);
      const until = Date.now() + 10_000;
      while (existsSync(file) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(existsSync(file)).toBe(false);
    } finally {
      await quick.close();
      await quickStudio.close();
    }
  });
});
