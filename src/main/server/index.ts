/**
 * `ganvas serve`: the same contract as Electron IPC, over HTTP + WebSocket,
 * for a browser on this machine (or a headless GPU box reached through an
 * SSH tunnel).
 *
 * Security model, Jupyter-like: bind 127.0.0.1 only; a random token printed
 * in the start URL; opening `/?token=…` sets an HttpOnly SameSite=Strict
 * cookie and redirects to `/`; every other request needs that cookie (or an
 * `Authorization: Bearer` header). The Host header must name this server
 * (DNS rebinding), API calls must be JSON POSTs (no simple cross-site forms)
 * and a WebSocket upgrade must come from our own Origin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Studio } from '../api/studio.js';
import { serveStatic } from './static-files.js';
import { serveMedia } from './media.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/security.js';

export interface ServeOptions {
  studio: Studio;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed token (GANVAS_TOKEN) for automation; a random one otherwise. */
  token?: string;
  /** Largest accepted API body. Imports carry base64 images, so this is generous. */
  maxBodyBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'ganvas_token';
const MIN_TOKEN_LENGTH = 16;

export function makeToken(): string {
  return randomBytes(24).toString('hex');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`request body is larger than ${Math.round(limit / 1e6)} MB`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? makeToken();
  if (token.length < MIN_TOKEN_LENGTH || !/^[\w-]+$/.test(token)) {
    throw new Error(`the token must be at least ${MIN_TOKEN_LENGTH} characters of letters, digits, _ or -`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? 300 * 1024 * 1024;
  const { studio } = options;
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  function presentedToken(req: IncomingMessage, url: URL): string | undefined {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
    return cookieValue(req.headers.cookie, COOKIE) ?? url.searchParams.get('token') ?? undefined;
  }

  function authorised(req: IncomingMessage, url: URL): boolean {
    const presented = presentedToken(req, url);
    return presented !== undefined && sameSecret(presented, token);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'API calls are POST requests');
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/json')) return send(res, 415, 'API calls must send application/json');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return send(res, 403, 'foreign origin');
    let payload: unknown;
    try {
      const body = await readBody(req, maxBodyBytes);
      payload = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return send(res, 200, JSON.stringify({ ok: false, error: { code: 'invalid_request', message: `Invalid request body: ${message}` } }), 'application/json');
    }
    const outcome = await studio.dispatch(method, payload);
    send(res, 200, JSON.stringify(outcome), 'application/json');
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 421, 'unexpected Host header');
      if (url.pathname === '/healthz') return send(res, 200, 'ok');

      // First visit with the token in the URL: remember it in a cookie and drop it from the address bar.
      const queryToken = url.searchParams.get('token');
      if (req.method === 'GET' && queryToken !== null && (url.pathname === '/' || url.pathname === '/index.html')) {
        if (!sameSecret(queryToken, token)) return send(res, 401, 'Wrong token. Use the URL that `ganvas serve` printed.');
        res.writeHead(303, {
          ...securityHeaders(),
          'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          Location: '/',
          'Cache-Control': 'no-store',
        });
        return res.end();
      }
      if (!authorised(req, url)) {
        return send(res, 401, 'GANvas needs its token. Open the URL that `ganvas serve` printed (it ends in ?token=…).');
      }
      if (url.pathname.startsWith('/api/')) return handleApi(req, res, decodeURIComponent(url.pathname.slice('/api/'.length)));
      if (url.pathname.startsWith('/media/')) return serveMedia(req, res, url.pathname, studio.context.gallery, securityHeaders());
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      return serveStatic(req, res, options.rendererDir, url.pathname, securityHeaders());
    })().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'internal error');
      console.error('ganvas serve:', error);
    });
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/events') return refuse(404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    if (!allowedOrigins().has(req.headers.origin ?? '')) return refuse(403, 'Forbidden');
    if (!authorised(req, url)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // The channel is one-way (server → browser): anything the browser sends is ignored.
      ws.on('message', () => {});
    });
  });

  const unsubscribe = studio.onEvent((event, payload) => {
    const message = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
