// `ganvas serve` as a real child process against clients that misbehave on
// purpose: raw WebSocket frames no browser sends, requests cut off halfway,
// malformed request lines, a stored image that turned into a folder. The
// server must close that one connection and go on serving everyone else.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { opaquePng } from './fixtures/gallery-images.js';
import { CHILD_TOKEN, startServeChild, type ServeChild } from './fixtures/serve-child.js';

let dir: string | undefined;
let server: ServeChild | undefined;

// One server for the file; a test that killed it must not take the next one down too.
beforeEach(async () => {
  if (server?.alive()) return;
  dir ??= mkdtempSync(join(tmpdir(), 'ganvas-hostile-'));
  server = await startServeChild({ dataDir: join(dir, 'data') });
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Waits for `promise`, or fails at once with the server's output if the server ends first. */
async function unlessServerDies<T>(promise: Promise<T>): Promise<T> {
  const died = server!.exited.then((code) => {
    throw new Error(`ganvas serve ended (${code}):\n${server!.output().slice(-2000)}`);
  });
  return Promise.race([promise, died]);
}

const auth = { Authorization: `Bearer ${CHILD_TOKEN}` };

async function call(method: string, payload: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server!.base}/api/${method}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

async function stillServing(): Promise<void> {
  expect(server!.alive(), server!.output()).toBe(true);
  const health = await fetch(`${server!.base}/healthz`);
  expect(health.status).toBe(200);
  const info = await call('app.info', {});
  expect(info.json.value.name).toBe('GANvas');
}

/** A TCP socket that has done a real WebSocket upgrade on /events and now sends whatever the test wants. */
async function upgradedSocket(): Promise<Socket> {
  const socket = connect(server!.port, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    [
      'GET /events HTTP/1.1',
      `Host: 127.0.0.1:${server!.port}`,
      `Origin: http://127.0.0.1:${server!.port}`,
      `Cookie: ganvas_token=${CHILD_TOKEN}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  const answer = await unlessServerDies(new Promise<string>((resolve) => socket.once('data', (data: Buffer) => resolve(data.toString('latin1')))));
  expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  return socket;
}

/** A client frame masked as RFC 6455 §5.3 requires (the mask is all zeros here, which is allowed). */
function maskedFrame(firstByte: number, payload: Buffer): Buffer {
  const mask = Buffer.alloc(4);
  if (payload.length < 126) return Buffer.concat([Buffer.from([firstByte, 0x80 | payload.length]), mask, payload]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(payload.length));
  return Buffer.concat([Buffer.from([firstByte, 0x80 | 127]), length, mask, payload]);
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
  });
}

async function healthyListener(): Promise<{ ws: WebSocket; next: () => Promise<{ event: string }> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server!.port}/events`, { headers: { Origin: `http://127.0.0.1:${server!.port}`, Cookie: `ganvas_token=${CHILD_TOKEN}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const next = () => new Promise<{ event: string }>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
  return { ws, next };
}

describe('ganvas serve against hostile clients', () => {
  it('closes only the socket that sends a bad WebSocket frame; the server and the other sockets carry on', async () => {
    const healthy = await healthyListener();
    const frames: [string, Buffer][] = [
      // "hi" as a text frame without the mask every client frame must have.
      ['unmasked', Buffer.from([0x81, 0x02, 0x68, 0x69])],
      ['invalid UTF-8 in a text frame', maskedFrame(0x81, Buffer.from([0xff, 0xfe, 0xfd]))],
      ['reserved opcode 3', maskedFrame(0x83, Buffer.alloc(0))],
      ['a frame over maxPayload', maskedFrame(0x82, Buffer.alloc(1024 * 1024))],
    ];
    for (const [what, frame] of frames) {
      const socket = await upgradedSocket();
      socket.write(frame);
      await unlessServerDies(closed(socket));
      expect(server!.alive(), `${what}: ${server!.output()}`).toBe(true);
    }
    await stillServing();

    // The healthy socket still gets events.
    const heard = healthy.next();
    const png = await opaquePng(8, 8);
    const imported = await call('gallery.import', { files: [{ name: 'after.png', dataBase64: png.toString('base64') }] });
    expect(imported.json.ok).toBe(true);
    expect((await unlessServerDies(heard)).event).toBe('gallery.changed');
    healthy.ws.close();
  });

  it('survives requests cut off halfway, resets during a WebSocket handshake and malformed request lines', async () => {
    // A JSON body that never arrives in full.
    const partial = connect(server!.port, '127.0.0.1');
    partial.on('error', () => {});
    await new Promise((resolve) => partial.once('connect', resolve));
    partial.write(`POST /api/app.info HTTP/1.1\r\nHost: 127.0.0.1:${server!.port}\r\nAuthorization: Bearer ${CHILD_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    partial.resetAndDestroy();

    // An upgrade refused (foreign Origin) from a client that resets at once.
    const refused = connect(server!.port, '127.0.0.1');
    refused.on('error', () => {});
    await new Promise((resolve) => refused.once('connect', resolve));
    refused.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${server!.port}\r\nOrigin: http://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    refused.resetAndDestroy();

    // A request line no HTTP parser accepts gets 400, not a dropped server.
    const garbage = connect(server!.port, '127.0.0.1');
    garbage.on('error', () => {});
    const answer = new Promise<string>((resolve) => {
      let text = '';
      garbage.on('data', (data: Buffer) => (text += data.toString('latin1')));
      garbage.on('close', () => resolve(text));
    });
    garbage.write('\u0000\u0001 NOT HTTP AT ALL\r\n\r\n');
    expect(await unlessServerDies(answer)).toMatch(/^HTTP\/1\.1 400/);

    await new Promise((resolve) => setTimeout(resolve, 200));
    await stillServing();
  });

  it('answers 404 for a stored image that cannot be read as a file, instead of an unhandled stream error', async () => {
    const png = await opaquePng(10, 6, { r: 200, g: 10, b: 10 });
    const imported = await call('gallery.import', { files: [{ name: 'red.png', dataBase64: png.toString('base64') }] });
    const hash = imported.json.value.added[0].output.hash as string;
    // Find the stored file and put a folder in its place (as a half-finished restore or a user's mistake might).
    const images = join(dir!, 'data', 'images');
    const stored = readdirSync(images, { recursive: true, encoding: 'utf8' })
      .map((name) => join(images, name))
      .find((file) => file.includes(hash) && statSync(file).isFile());
    expect(stored).toBeDefined();
    rmSync(stored!);
    mkdirSync(stored!);
    const res = await fetch(`${server!.base}/media/image/${hash}`, { headers: auth });
    expect(res.status).toBe(404);
    await stillServing();
  });
});
