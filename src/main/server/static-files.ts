/**
 * Serves the built renderer to the browser. Unknown paths fall back to
 * index.html (hash routes never reach here, but deep links might).
 *
 * Only regular files whose real path (links resolved) is inside the renderer
 * folder are served: a link in there pointing elsewhere is refused, not
 * followed. Files are opened once and streamed from that handle, so a file
 * that vanishes mid-request ends that response, never the server.
 */
import { open, realpath } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, relative, sep, isAbsolute } from 'node:path';
import { streamFile } from './media.js';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

function inside(root: string, file: string): boolean {
  const rest = relative(root, file);
  return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest));
}

type Found = { kind: 'file'; path: string } | { kind: 'missing' } | { kind: 'outside' };

/** What a path in the renderer folder is once links are resolved. */
async function lookUp(root: string, candidate: string): Promise<Found> {
  const real = await realpath(candidate).catch(() => null);
  if (real === null) return { kind: 'missing' };
  if (!inside(root, real)) return { kind: 'outside' };
  return { kind: 'file', path: real };
}

function plain(res: ServerResponse, status: number, headers: Record<string, string>, text: string): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/** `pathname` is already percent-decoded. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rendererDir: string,
  pathname: string,
  headers: Record<string, string>,
  log: (message: string) => void = () => {},
): Promise<void> {
  const notBuilt = () => plain(res, 503, headers, 'The studio UI is not built yet. Run `npm run build` in the GANvas folder, then reload.');
  if (pathname.includes('\0')) return plain(res, 400, headers, 'The address cannot name a file');
  const root = await realpath(rendererDir).catch(() => null);
  if (root === null) return notBuilt();
  const wanted = normalize(pathname).replace(/^([/\\])+/, '');
  const candidate = join(root, wanted || 'index.html');
  if (!inside(root, candidate)) return plain(res, 403, headers, 'forbidden');

  let found = await lookUp(root, candidate);
  if (found.kind === 'outside') return plain(res, 403, headers, 'forbidden');
  let handle = found.kind === 'file' ? await open(found.path, 'r').catch(() => null) : null;
  let info = handle ? await handle.stat().catch(() => null) : null;
  if (!handle || !info?.isFile()) {
    await handle?.close().catch(() => {});
    found = await lookUp(root, join(root, 'index.html'));
    handle = found.kind === 'file' ? await open(found.path, 'r').catch(() => null) : null;
    info = handle ? await handle.stat().catch(() => null) : null;
    if (!handle || !info?.isFile()) {
      await handle?.close().catch(() => {});
      return notBuilt();
    }
  }
  const file = (found as { path: string }).path;
  const isAsset = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...headers,
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  streamFile(req, res, handle, (error) => log(`${file} could not be sent: ${error.message}`));
}
