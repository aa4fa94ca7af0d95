// The renderer's HTTP client against a real `ganvas serve` server (in
// process, real sockets, real studio): large files go to POST /upload and
// travel as upload ids, and the server's refusals (413, 503) reach the caller
// as GanvasErrors carrying the server's message.
//
// Node has no page, so `fetch` is given what a browser adds by itself for a
// same-origin page: the page's origin for relative URLs and the session
// cookie. Nothing of the client, server or studio is replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GanvasError, type GanvasClient } from '../../../src/shared/contract.js';
import { openStudio, type Studio } from '../../../src/main/api/studio.js';
import { startServer, type RunningServer } from '../../../src/main/server/index.js';
import { createHttpClient } from '../../../src/renderer/src/lib/client.js';
import { importFiles, streamAboveBytes } from '../../../src/renderer/src/lib/import-files.js';
import { noisePng } from '../fixtures/gallery-images.js';

const TOKEN = 'http-client-token-0123456789';
const KiB = 1024;
const MiB = 1024 * 1024;
let dir: string;
let studio: Studio;
let server: RunningServer;
let client: GanvasClient;
const browserFetch = globalThis.fetch;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-http-client-'));
  mkdirSync(join(dir, 'renderer'));
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>GANvas</title>');
  studio = openStudio({ dataDir: join(dir, 'data'), transport: 'http', log: () => {} });
  // A small JSON cap, so a file that went inline instead of streamed would be refused.
  server = await startServer({ studio, rendererDir: join(dir, 'renderer'), port: 0, token: TOKEN, maxBodyBytes: 256 * KiB, uploads: { maxFileBytes: 8 * MiB }, log: () => {} });
  const origin = `http://127.0.0.1:${server.port}`;
  globalThis.fetch = (input, init) =>
    browserFetch(new URL(String(input), origin), { ...init, headers: { ...(init?.headers as Record<string, string>), Cookie: `ganvas_token=${TOKEN}` } });
  client = createHttpClient({ protocol: 'http:', host: `127.0.0.1:${server.port}` });
});

afterAll(async () => {
  globalThis.fetch = browserFetch;
  await server?.close();
  await studio?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the HTTP client', () => {
  it("shows the server's message when a request body is over its limit", async () => {
    const error = await client.call('gallery.add', { kind: 'sketch', output: 'A'.repeat(300 * KiB) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GanvasError);
    expect((error as GanvasError).message).toMatch(/larger than 256 KiB/);
  });

  it('streams a file to /upload and imports it by its upload id', async () => {
    const png = await noisePng(120, 80);
    const receipt = await client.upload!(new Blob([png as Uint8Array<ArrayBuffer>]));
    expect(receipt.bytes).toBe(png.length);
    const result = await client.call('gallery.import', { files: [{ name: 'noise.png', uploadId: receipt.uploadId }] });
    expect(result.added.map((item) => item.output.width)).toEqual([120]);
  });

  it('imports large files through /upload (the JSON cap would refuse them inline) and names the one the server refused', async () => {
    const photo = await noisePng(900, 900);
    expect(photo.length).toBeGreaterThan(streamAboveBytes);
    const files = [
      new File([photo as Uint8Array<ArrayBuffer>], 'photo.png', { type: 'image/png' }),
      new File([new Uint8Array(10 * MiB)], 'huge.raw'),
    ];
    const summary = await importFiles(client, files);
    expect(summary.added.map((item) => [item.title, item.output.width])).toEqual([['photo', 900]]);
    expect(summary.failed).toEqual([{ name: 'huge.raw', reason: expect.stringMatching(/An upload is larger than 8 MiB/) }]);
  });
});
