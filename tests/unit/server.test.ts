// The HTTP/WebSocket transport against a real studio (real gallery in a temp dir).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import WebSocket from 'ws';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { startServer, type RunningServer } from '../../src/main/server/index.js';

let dir: string;
let studio: Studio;
let server: RunningServer;
let base: string;
const TOKEN = 'unit-test-token-0123456789';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-server-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>GANvas</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("studio")');
  // Links planted in the renderer folder, pointing outside it: a file, a folder, and a link to a link.
  mkdirSync(join(dir, 'outside'));
  writeFileSync(join(dir, 'outside', 'secret.txt'), 'SECRET-OUTSIDE-THE-RENDERER');
  symlinkSync(join(dir, 'outside', 'secret.txt'), join(rendererDir, 'assets', 'secret.js'));
  symlinkSync(join(dir, 'outside'), join(rendererDir, 'elsewhere'));
  symlinkSync(join(rendererDir, 'assets', 'secret.js'), join(rendererDir, 'chained.js'));
  // A link that stays inside is fine.
  symlinkSync(join(rendererDir, 'assets', 'app.js'), join(rendererDir, 'app-link.js'));
  studio = openStudio({ dataDir: join(dir, 'data'), transport: 'http', log: () => {} });
  server = await startServer({ studio, rendererDir, port: 0, token: TOKEN });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  await studio?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw request so we control Host and Origin headers exactly (fetch forbids setting them). */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

const auth = () => ({ Authorization: `Bearer ${TOKEN}` });
async function api(method: string, payload: unknown, headers: Record<string, string> = auth()) {
  const res = await raw(`/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(payload) });
  return { status: res.status, json: res.status === 200 ? JSON.parse(res.body) : null, body: res.body };
}

describe('ganvas serve security', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await raw('/')).status).toBe(401);
    expect((await raw('/?token=wrong-token-wrong-token')).status).toBe(401);
    expect((await api('app.info', {}, {})).status).toBe(401);
    expect((await api('app.info', {}, { Authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
    expect((await raw('/media/thumb/' + 'a'.repeat(64))).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly SameSite=Strict cookie and then serves the app', async () => {
    const first = await raw(`/?token=${TOKEN}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/ganvas_token=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await raw('/', { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('GANvas');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const res = await raw('/healthz', { headers: { Host: 'evil.example:80' } });
    expect(res.status).toBe(421);
    const api = await raw('/api/app.info', { method: 'POST', headers: { Host: `evil.example:${server.port}`, 'Content-Type': 'application/json', ...auth() }, body: '{}' });
    expect(api.status).toBe(421);
  });

  it('refuses API calls from a foreign Origin and non-JSON posts (no cross-site forms)', async () => {
    expect((await api('app.info', {}, { ...auth(), Origin: 'http://evil.example' })).status).toBe(403);
    const form = await raw('/api/app.info', { method: 'POST', headers: { ...auth(), 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
  });

  it('refuses WebSocket upgrades from another Origin or without the token, accepts ours and delivers events', async () => {
    const url = `ws://127.0.0.1:${server.port}/events`;
    const attempt = (headers: Record<string, string>) =>
      new Promise<'open' | number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('open', () => {
          resolve('open');
          ws.close();
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt({ Origin: 'http://evil.example', ...auth() })).toBe(403);
    expect(await attempt({ Origin: `http://127.0.0.1:${server.port}` })).toBe(401);
    expect(await attempt({ Origin: `http://127.0.0.1:${server.port}`, Cookie: 'ganvas_token=wrong-wrong-wrong-wrong' })).toBe(401);

    const ws = new WebSocket(url, { headers: { Origin: `http://127.0.0.1:${server.port}`, Cookie: `ganvas_token=${TOKEN}` } });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const received = new Promise<{ event: string; payload: { reason: string; ids: number[] } }>((resolve) => ws.on('message', (data) => resolve(JSON.parse(String(data)))));
    const png = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#3366cc' } }).png().toBuffer();
    const imported = await api('gallery.import', { files: [{ name: 'blue.png', dataBase64: png.toString('base64') }] });
    expect(imported.json.ok).toBe(true);
    const message = await received;
    expect(message.event).toBe('gallery.changed');
    expect(message.payload.reason).toBe('added');
    expect(message.payload.ids).toEqual([imported.json.value.added[0].id]);
    ws.close();

    // The stored image is served by hash, with the cookie, and only by a known hash.
    const hash = imported.json.value.added[0].output.hash as string;
    const image = await raw(`/media/image/${hash}`, { headers: auth() });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect((await raw(`/media/image/${'0'.repeat(64)}`, { headers: auth() })).status).toBe(404);
    // Dot segments are resolved before routing, so this never reaches the data folder (it gets the app page).
    const traversal = await raw(`/media/image/../../gallery.db`, { headers: auth() });
    expect(traversal.body).not.toContain('SQLite format');
    expect((await raw(`/media/image/..%2F..%2Fgallery.db`, { headers: auth() })).status).toBe(404);
  });

  it('answers bad payloads with a validation error, not a crash', async () => {
    const bad = await api('gallery.get', { id: 'seven' });
    expect(bad.json.ok).toBe(false);
    expect(bad.json.error.code).toBe('invalid_request');
    expect(bad.json.error.issues[0].path).toBe('id');
    const unknown = await api('gallery.dropTables', {});
    expect(unknown.json.error.code).toBe('unknown_method');
    const broken = await raw('/api/app.info', { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth() }, body: '{not json' });
    expect(JSON.parse(broken.body).error.code).toBe('invalid_request');
    // Still alive afterwards.
    expect((await api('app.info', {})).json.value.name).toBe('GANvas');
  });
});

/** Sends bytes as they are (no client library fixing them up) and returns the status line of the answer. */
function rawStatusLine(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (text.includes('\r\n')) {
        resolve(text.split('\r\n')[0]!);
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0]!));
    socket.write(bytes);
  });
}

describe('addresses and cookies the server cannot read', () => {
  it('answers 400, not 500, for a broken %-escape in an API path, a page path or the token cookie', async () => {
    const api = await raw('/api/%E0%A4%A', { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth() }, body: '{}' });
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body).error.message).toMatch(/%-escape/);
    expect((await raw('/%E0%A4%A', { headers: auth() })).status).toBe(400);
    expect((await raw('/assets/%ZZ.js', { headers: auth() })).status).toBe(400);
    const cookie = await raw('/', { headers: { Cookie: 'other=1; ganvas_token=%E0%A4%A' } });
    expect(cookie.status).toBe(400);
    expect(cookie.body).toMatch(/cookie is malformed/);
    // Someone else's broken cookie on the same host is not ours to judge.
    expect((await raw('/', { headers: { Cookie: 'theirs=%E0%A4%A', ...auth() } })).status).toBe(200);
  });

  it('answers 400 for a request target that is not a URL at all', async () => {
    expect(await rawStatusLine(`GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect((await api('app.info', {})).json.value.name).toBe('GANvas');
  });
});

describe('what the static file server hands out', () => {
  it('serves only regular files whose real path is inside the renderer folder', async () => {
    expect((await raw('/assets/app.js', { headers: auth() })).body).toContain('studio');
    expect((await raw('/app-link.js', { headers: auth() })).body).toContain('studio');
    for (const path of ['/assets/secret.js', '/elsewhere/secret.txt', '/chained.js', '/elsewhere']) {
      const res = await raw(path, { headers: auth() });
      expect(res.body, path).not.toContain('SECRET-OUTSIDE');
      expect(res.status, path).toBe(403);
    }
  });
});

describe('where the token is accepted', () => {
  it('takes ?token= on the entry URL only; everything else needs the cookie or the Authorization header', async () => {
    expect((await raw(`/?token=${TOKEN}`)).status).toBe(303);
    expect((await raw(`/index.html?token=${TOKEN}`)).status).toBe(303);
    expect((await raw(`/assets/app.js?token=${TOKEN}`)).status).toBe(401);
    expect((await raw(`/media/image/${'a'.repeat(64)}?token=${TOKEN}`)).status).toBe(401);
    const call = await raw(`/api/app.info?token=${TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(call.status).toBe(401);
    expect((await raw('/assets/app.js', { headers: { Cookie: `ganvas_token=${TOKEN}` } })).status).toBe(200);

    const upgrade = await new Promise<'open' | number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events?token=${TOKEN}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
      ws.on('open', () => {
        resolve('open');
        ws.close();
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(upgrade).toBe(401);
  });
});
