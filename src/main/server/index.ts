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
 * header must name this server (DNS rebinding), API calls must be JSON POSTs
 * and uploads octet-stream POSTs (no simple cross-site forms), and a
 * WebSocket upgrade must come from our own Origin.
 *
 * Robustness model: nothing a client sends ends the process or makes it hold
 * memory it chose. Every socket and stream has an error path (client errors,
 * aborted requests, bad WebSocket frames, files vanishing while served);
 * bodies are bounded per request and in total (request-body.ts), large files
 * stream to disk (uploads.ts), and input the server cannot read is a 400.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Studio } from '../api/studio.js';
import { serveStatic } from './static-files.js';
import { serveMedia } from './media.js';
import { BytesInFlight, parseJsonBody, readBody, tooLargeError } from './request-body.js';
import { createUploadReceiver, defaultUploadLimits, type UploadLimits } from './uploads.js';
import { createEventSockets, defaultEventSocketLimits, type EventSocketLimits } from './event-sockets.js';
import { decodePercent, readCookie, requestUrl } from './request-target.js';
import { securityHeaders, send, sendError, sendOutcome } from './responses.js';

export { securityHeaders } from './responses.js';

export interface ServeOptions {
  studio: Studio;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed token (GANVAS_TOKEN) for automation; a random one otherwise. */
  token?: string;
  /** Largest JSON API body. One inline image (the contract allows ~70 MB of base64) must fit. */
  maxBodyBytes?: number;
  /** All JSON API bodies being read or handled at once. */
  maxBodyBytesInFlight?: number;
  uploads?: Partial<UploadLimits>;
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
export const DEFAULT_MAX_BODY_BYTES = 72 * 1024 * 1024;
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 160 * 1024 * 1024;

export function makeToken(): string {
  return randomBytes(24).toString('hex');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

type Credentials = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'unreadable'; message: string };

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

function isEntryUrl(url: URL): boolean {
  return url.pathname === '/' || url.pathname === '/index.html';
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? makeToken();
  if (token.length < MIN_TOKEN_LENGTH || !/^[\w-]+$/.test(token)) {
    throw new Error(`the token must be at least ${MIN_TOKEN_LENGTH} characters of letters, digits, _ or -`);
  }
  const log = options.log ?? ((message: string) => console.error(`ganvas serve: ${message}`));
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bodiesInFlight = new BytesInFlight(Math.max(maxBodyBytes, options.maxBodyBytesInFlight ?? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT));
  const { studio } = options;
  const uploads = createUploadReceiver(studio.context.dataDir, { ...defaultUploadLimits, ...options.uploads }, log);
  const eventSockets = createEventSockets({ ...defaultEventSocketLimits, ...options.eventSockets }, log);
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** null when the request may go on; otherwise the status and text of the refusal. */
  function refusal(req: IncomingMessage): { status: number; message: string } | null {
    const credentials = presentedCredentials(req);
    if (credentials.kind === 'unreadable') return { status: 400, message: credentials.message };
    if (credentials.kind === 'token' && sameSecret(credentials.token, token)) return null;
    return { status: 401, message: 'GANvas needs its token. Open the URL that `ganvas serve` printed (it ends in ?token=…).' };
  }

  function foreignOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin !== undefined && !allowedOrigins().has(origin);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, encodedMethod: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'API calls are POST requests');
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/json')) return send(res, 415, 'API calls must send application/json');
    if (foreignOrigin(req)) return send(res, 403, 'foreign origin');
    const method = decodePercent(encodedMethod);
    if (method === null) return sendError(res, 400, { code: 'invalid_request', message: 'The method name in the address has a broken %-escape' });
    const read = await readBody(req, maxBodyBytes, bodiesInFlight);
    if (!read.ok) {
      if (read.status !== 0 && read.error) sendError(res, read.status, read.error, read.headers);
      return;
    }
    try {
      const payload = parseJsonBody(read.body);
      if (!payload.ok) return sendError(res, 400, payload.error);
      sendOutcome(res, 200, await studio.dispatch(method, payload.value));
    } finally {
      read.release();
    }
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'Uploads are POST requests with the file as the body');
    const contentType = req.headers['content-type'] ?? '';
    // Not a type a cross-site form can send, so a foreign page cannot upload without a CORS preflight we never grant.
    if (!contentType.startsWith('application/octet-stream')) return send(res, 415, 'Uploads must send application/octet-stream');
    if (foreignOrigin(req)) return send(res, 403, 'foreign origin');
    return uploads.receive(req, res);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    if (!url) return send(res, 400, 'The request address cannot be read');
    if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 421, 'unexpected Host header');
    if (url.pathname === '/healthz') return send(res, 200, 'ok');

    // The entry URL: trade the token in the address for a cookie and drop it from the address bar.
    const queryToken = url.searchParams.get('token');
    if (req.method === 'GET' && queryToken !== null && isEntryUrl(url)) {
      if (!sameSecret(queryToken, token)) return send(res, 401, 'Wrong token. Use the URL that `ganvas serve` printed.');
      res.writeHead(303, {
        ...securityHeaders(),
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    const refused = refusal(req);
    if (refused) return send(res, refused.status, refused.message);
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url.pathname.slice('/api/'.length));
    if (url.pathname === '/upload') return handleUpload(req, res);
    if (url.pathname.startsWith('/media/')) return serveMedia(req, res, url.pathname, studio.context.gallery, securityHeaders());
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    const pathname = decodePercent(url.pathname);
    if (pathname === null) return send(res, 400, 'The address has a broken %-escape');
    return serveStatic(req, res, options.rendererDir, pathname, securityHeaders(), log);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // A client that resets mid-request makes these emit 'error'; that is its business, not a reason to stop.
    req.on('error', () => {});
    res.on('error', () => {});
    route(req, res).catch((error: unknown) => {
      log(`${req.method} ${String(req.url).slice(0, 200)}: ${error instanceof Error && error.stack ? error.stack : String(error)}`);
      send(res, 500, 'internal error');
    });
  }

  const server = createServer(handle);
  // `Expect: 100-continue` with a body we would refuse: say so before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    const url = requestUrl(req.url);
    const limit = url?.pathname === '/upload' ? { ...defaultUploadLimits, ...options.uploads }.maxFileBytes : maxBodyBytes;
    if (Number.isFinite(declared) && declared > limit) {
      req.on('error', () => {});
      res.on('error', () => {});
      res.shouldKeepAlive = false;
      return sendError(res, 413, tooLargeError(limit, url?.pathname === '/upload' ? 'An upload' : 'An API request'));
    }
    res.writeContinue();
    handle(req, res);
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

  await uploads.sweep(true).catch((error: unknown) => log(`could not clean old uploads: ${(error as Error).message}`));
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
      uploads.close();
      eventSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
