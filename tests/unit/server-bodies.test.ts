// Request bodies against a real server: one too large gets a 413 with a JSON
// message the client can show (not a reset connection), bodies read at once
// share one byte budget, and a body that is cut off gives its bytes back.
// The default limits are checked on a `ganvas serve` child; the budget on an
// in-process server with small limits, so the test sends kilobytes, not gigabytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStudio, type Studio } from '../../src/main/api/studio.js';
import { startServer, type RunningServer } from '../../src/main/server/index.js';
import { CHILD_TOKEN, startServeChild, type ServeChild } from './fixtures/serve-child.js';

let dir: string;
let child: ServeChild;
let studio: Studio;
let small: RunningServer;
const TOKEN = 'bodies-test-token-0123456789';
const KiB = 1024;
const MiB = 1024 * 1024;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ganvas-bodies-'));
  child = await startServeChild({ dataDir: join(dir, 'child-data') });
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>GANvas</title>');
  studio = openStudio({ dataDir: join(dir, 'data'), transport: 'http', log: () => {} });
  small = await startServer({ studio, rendererDir, port: 0, token: TOKEN, maxBodyBytes: 1 * MiB, maxBodyBytesInFlight: 2 * MiB, log: () => {} });
});

afterAll(async () => {
  await child?.stop();
  await small?.close();
  await studio?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs `total` bytes of a JSON-looking body in 1 MiB pieces (never all in
 * memory), with or without a Content-Length, and resolves with the answer.
 * `pauseAfter` stops sending after that many bytes until `resume` is called.
 */
function postBody(
  port: number,
  token: string,
  total: number,
  options: { chunked?: boolean; expectContinue?: boolean; pauseAfter?: number; path?: string } = {},
): { answer: Promise<Answer>; resume: () => void; abort: () => void } {
  const head = Buffer.from('{"files":[{"name":"big.png","dataBase64":"');
  const piece = Buffer.alloc(MiB, 'A');
  let resumeSending: () => void = () => {};
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  if (!options.chunked) headers['Content-Length'] = String(total);
  if (options.expectContinue) headers.Expect = '100-continue';
  const req = httpRequest({ host: '127.0.0.1', port, path: options.path ?? '/api/gallery.import', method: 'POST', headers, agent: false });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
  let sent = 0;
  const send = async () => {
    req.write(head);
    sent = head.length;
    while (sent < total && !req.destroyed) {
      if (options.pauseAfter !== undefined && sent >= options.pauseAfter) {
        await new Promise<void>((resume) => (resumeSending = resume));
        options.pauseAfter = undefined;
      }
      const size = Math.min(piece.length, total - sent, options.pauseAfter !== undefined ? options.pauseAfter - sent : Infinity);
      const more = req.write(piece.subarray(0, size));
      sent += size;
      if (!more) await new Promise((drained) => req.once('drain', drained));
    }
    if (!req.destroyed) req.end();
  };
  if (options.expectContinue) req.on('continue', () => void send());
  else void send();
  return { answer, resume: () => resumeSending(), abort: () => req.destroy() };
}

async function childStillServes(): Promise<void> {
  expect(child.alive(), child.output()).toBe(true);
  const res = await fetch(`${child.base}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${CHILD_TOKEN}`, 'Content-Type': 'application/json' }, body: '{}' });
  expect((await res.json()).value.name).toBe('GANvas');
}

function expectOutcomeError(answer: Answer, pattern: RegExp): void {
  const outcome = JSON.parse(answer.body) as { ok: boolean; error: { code: string; message: string } };
  expect(outcome.ok).toBe(false);
  expect(outcome.error.message).toMatch(pattern);
}

describe('request bodies over the limit (ganvas serve defaults)', () => {
  it('answers a 320 MB body with 413 and a JSON message, not a reset connection', async () => {
    const answer = await postBody(child.port, CHILD_TOKEN, 320 * MiB).answer;
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toBe('application/json');
    expectOutcomeError(answer, /larger than 72 MiB/);
    await childStillServes();
  });

  it('answers a chunked body (no Content-Length) with 413 as soon as it passes the limit', async () => {
    const answer = await postBody(child.port, CHILD_TOKEN, 100 * MiB, { chunked: true }).answer;
    expect(answer.status).toBe(413);
    expectOutcomeError(answer, /larger than 72 MiB/);
    await childStillServes();
  });

  /**
   * A raw client that does not read while it sends, as browsers do: whatever
   * the server answers meanwhile waits in the socket, and a connection closed
   * under the sender resets it and drops that answer. Resolves with the status
   * line read after sending, or with the connection error.
   */
  async function sendThenRead(target: string, headers: string, total: number, chunked: boolean): Promise<string> {
    const socket = connect(child.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const lost = new Promise<string>((resolve) => socket.once('error', (error: NodeJS.ErrnoException) => resolve(`connection ${error.code}`)));
    const write = (data: string | Buffer) => (socket.write(data) ? Promise.resolve() : new Promise<void>((drained) => socket.once('drain', () => drained())));
    const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${total}`;
    await write(`POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${child.port}\r\nAuthorization: Bearer ${CHILD_TOKEN}\r\n${headers}${framing}\r\n\r\n`);
    const piece = Buffer.alloc(MiB, 'A');
    const sending = (async () => {
      for (let sent = 0; sent < total && !socket.destroyed; sent += MiB) {
        await write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece.subarray(0, Math.min(MiB, total - sent)));
      }
      if (chunked && !socket.destroyed) await write('0\r\n\r\n');
      return 'sent';
    })();
    const outcome = await Promise.race([sending, lost]);
    if (outcome !== 'sent') return outcome;
    socket.resume();
    const head = await Promise.race([
      new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (data: Buffer) => {
          text += data.toString('latin1');
          if (text.includes('\r\n')) resolve(text.split('\r\n')[0]!);
        });
      }),
      lost,
    ]);
    socket.destroy();
    return head;
  }

  it('lets a client that reads only after sending (as browsers do) finish a refused body and then read the 413', async () => {
    // Chunked, 276 MB: more than the first 64 MiB past the limit must be drained.
    expect(await sendThenRead('/api/gallery.import', 'Content-Type: application/json\r\n', 276 * MiB, true)).toMatch(/^HTTP\/1\.1 413/);
    // Declared, with Connection: close: answering before the body is in would close the connection under the client.
    expect(await sendThenRead('/api/gallery.import', 'Content-Type: application/json\r\nConnection: close\r\n', 120 * MiB, false)).toMatch(/^HTTP\/1\.1 413/);
    expect(await sendThenRead('/upload', 'Content-Type: application/octet-stream\r\nConnection: close\r\n', 300 * MiB, false)).toMatch(/^HTTP\/1\.1 413/);
    await childStillServes();
  });

  it('refuses an oversized body announced with Expect: 100-continue before the client sends it', async () => {
    const attempt = postBody(child.port, CHILD_TOKEN, 500 * MiB, { expectContinue: true });
    const answer = await attempt.answer;
    expect(answer.status).toBe(413);
    expectOutcomeError(answer, /larger than 72 MiB/);
    attempt.abort();
    await childStillServes();
  });
});

describe('bodies read at once share one budget', () => {
  it('answers 503 with a message when other bodies hold the budget, and accepts again once they are done', async () => {
    // Two bodies of 900 KiB each hold 1.8 of the 2 MiB; a third does not fit.
    const first = postBody(small.port, TOKEN, 900 * KiB, { pauseAfter: 100 * KiB });
    const second = postBody(small.port, TOKEN, 900 * KiB, { pauseAfter: 100 * KiB });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const third = await postBody(small.port, TOKEN, 900 * KiB).answer;
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBeDefined();
    expectOutcomeError(third, /already receiving/);
    first.resume();
    second.resume();
    // Both are complete JSON-looking bodies that are not JSON: 400 each, after which the budget is free.
    expect((await first.answer).status).toBe(400);
    expect((await second.answer).status).toBe(400);
    expect((await postBody(small.port, TOKEN, 900 * KiB).answer).status).toBe(400);
  });

  it('gives back what a body held when its client hangs up halfway', async () => {
    for (let round = 0; round < 4; round++) {
      // 1.5 MiB declared is within the 2 MiB budget only if the previous round's was released.
      const socket = connect(small.port, '127.0.0.1');
      socket.on('error', () => {});
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`POST /api/app.info HTTP/1.1\r\nHost: 127.0.0.1:${small.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${Math.round(0.95 * MiB)}\r\n\r\n{"a":`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const res = await fetch(`http://127.0.0.1:${small.port}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({}) });
    expect(res.status).toBe(200);
    // Not JSON, so 400; a leaked budget would make it 503.
    const big = await postBody(small.port, TOKEN, Math.round(0.95 * MiB)).answer;
    expect(big.status).toBe(400);
  });
});

describe('bodies the server cannot read', () => {
  async function post(body: Uint8Array): Promise<Answer> {
    const res = await fetch(`http://127.0.0.1:${small.port}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: new Blob([body as Uint8Array<ArrayBuffer>]) });
    return { status: res.status, headers: {}, body: await res.text() };
  }

  it('answers 400 with a message for invalid UTF-8 and for text that is not JSON', async () => {
    const invalid = await post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    expect(invalid.status).toBe(400);
    expectOutcomeError(invalid, /not valid UTF-8/);
    const notJson = await post(new TextEncoder().encode('{"a": 1,'));
    expect(notJson.status).toBe(400);
    expectOutcomeError(notJson, /not JSON/);
  });
});
