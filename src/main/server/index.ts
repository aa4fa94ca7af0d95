/**
 * `ganvas serve`: the same contract as Electron IPC, over HTTP + WebSocket,
 * for a browser on this machine (or a headless GPU box reached through an
 * SSH tunnel).
 *
 * Security model, Jupyter-like: bind 127.0.0.1 only; a random token printed
 * in the start URL; opening `/?token=…` (the entry URL, and only that one)
 * sets an HttpOnly SameSite=Strict cookie and redirects to `/`; every other
 * request needs that cookie or an `Authorization: Bearer` header, so the
 * token never has to travel in other URLs (logs, Referer, history). The Host
 * header must name this server
 * (DNS rebinding), API calls must be JSON POSTs (no simple cross-site forms)
 * and a WebSocket upgrade must come from our own Origin.
 *
 * Robustness model: nothing a client sends ends the process. Every socket
 * and stream has an error path (client errors, aborted requests, bad
 * WebSocket frames, files vanishing while served), and input the server
 * cannot read (a broken %-escape, an unparseable address) is a 400.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Studio } from '../api/studio.js';
import { serveStatic } from './static-files.js';
import { serveMedia } from './media.js';
import { createEventSockets, defaultEventSocketLimits, type EventSocketLimits } from './event-sockets.js';
import { decodePercent, readCookie, requestUrl } from './request-target.js';
import { securityHeaders, send, sendError } from './responses.js';

export { securityHeaders } from './responses.js';

export interface ServeOptions {
  studio: Studio;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed token (GANVAS_TOKEN) for automation; a random one otherwise. */
  token?: string;
  /** Largest accepted API body. Imports carry base64 images, so this is generous. */
  maxBodyBytes?: number;
  eventSockets?: Partial<EventSocketLimits>;
  log?: (message: string) => void;
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

type Credentials = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'unreadable'; message: string };

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
  const log = options.log ?? ((message: string) => console.error(`ganvas serve: ${message}`));
  const maxBodyBytes = options.maxBodyBytes ?? 300 * 1024 * 1024;
  const { studio } = options;
  const eventSockets = createEventSockets({ ...defaultEventSocketLimits, ...options.eventSockets }, log);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** The Authorization header or the cookie; a `?token=` is only read on the entry URL, which trades it for the cookie. */
  function presentedCredentials(req: IncomingMessage): Credentials {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return { kind: 'token', token: auth.slice('Bearer '.length).trim() };
    const cookie = readCookie(req.headers.cookie, COOKIE);
    if (!cookie.found) return { kind: 'none' };
    if (cookie.value === null) {
      return { kind: 'unreadable', message: `The ${COOKIE} cookie is malformed (broken %-escape). Clear this site's cookies and open the URL that \`ganvas serve\` printed.` };
    }
    return { kind: 'token', token: cookie.value };
  }

  /** null when the request may go on; otherwise the status and text of the refusal. */
  function refusal(req: IncomingMessage): { status: number; message: string } | null {
    const credentials = presentedCredentials(req);
    if (credentials.kind === 'unreadable') return { status: 400, message: credentials.message };
    if (credentials.kind === 'token' && sameSecret(credentials.token, token)) return null;
    return { status: 401, message: 'GANvas needs its token. Open the URL that `ganvas serve` printed (it ends in ?token=…).' };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, encodedMethod: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'API calls are POST requests');
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/json')) return send(res, 415, 'API calls must send application/json');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return send(res, 403, 'foreign origin');
    const method = decodePercent(encodedMethod);
    if (method === null) return sendError(res, 400, { code: 'invalid_request', message: 'The method name in the address has a broken %-escape' });
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
    // A client that resets mid-request makes these emit 'error'; that is its business, not a reason to stop.
    req.on('error', () => {});
    res.on('error', () => {});
    void (async () => {
      const url = requestUrl(req.url);
      if (!url) return send(res, 400, 'The request address cannot be read');
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
      const refused = refusal(req);
      if (refused) return send(res, refused.status, refused.message);
      if (url.pathname.startsWith('/api/')) return handleApi(req, res, url.pathname.slice('/api/'.length));
      if (url.pathname.startsWith('/media/')) return serveMedia(req, res, url.pathname, studio.context.gallery, securityHeaders());
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      const pathname = decodePercent(url.pathname);
      if (pathname === null) return send(res, 400, 'The address has a broken %-escape');
      return serveStatic(req, res, options.rendererDir, pathname, securityHeaders(), log);
    })().catch((error: unknown) => {
      log(`${req.method} ${String(req.url).slice(0, 200)}: ${error instanceof Error && error.stack ? error.stack : String(error)}`);
      send(res, 500, 'internal error');
    });
  });

  // Malformed requests, oversized headers, resets: answer 400/431 when the socket can still take it, never throw.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(req.url);
    const refused = (): { status: number; reason: string } | null => {
      if (!url) return { status: 400, reason: 'Bad Request' };
      if (url.pathname !== '/events') return { status: 404, reason: 'Not Found' };
      if (!allowedHosts().has(req.headers.host ?? '')) return { status: 421, reason: 'Misdirected Request' };
      if (!allowedOrigins().has(req.headers.origin ?? '')) return { status: 403, reason: 'Forbidden' };
      const auth = refusal(req);
      if (auth) return auth.status === 400 ? { status: 400, reason: 'Bad Request' } : { status: 401, reason: 'Unauthorized' };
      return null;
    };
    eventSockets.upgrade(req, socket, head, refused());
  });

  const unsubscribe = studio.onEvent((event, payload) => eventSockets.broadcast(JSON.stringify({ event, payload })));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, an error here (e.g. too many open files on accept) is logged; the server keeps serving.
  server.on('error', (error) => log(`server error: ${error.message}`));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      eventSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
