/**
 * Serves the built renderer to the browser. Unknown paths fall back to
 * index.html (hash routes never reach here, but deep links might).
 *
 * Files are opened once and streamed from that handle, so a file that
 * vanishes or turns out to be a folder mid-request ends that response, never
 * the server.
 */
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
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

/** `pathname` is already percent-decoded. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
  headers: Record<string, string>,
  log: (message: string) => void = () => {},
): Promise<void> {
  const relative = normalize(pathname).replace(/^([/\\])+/, '');
  let file = join(root, relative || 'index.html');
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers);
    res.end('forbidden');
    return;
  }
  let handle = await open(file, 'r').catch(() => null);
  let info = handle ? await handle.stat().catch(() => null) : null;
  if (!handle || !info?.isFile()) {
    await handle?.close().catch(() => {});
    file = join(root, 'index.html');
    handle = await open(file, 'r').catch(() => null);
    info = handle ? await handle.stat().catch(() => null) : null;
    if (!handle || !info?.isFile()) {
      await handle?.close().catch(() => {});
      res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The studio UI is not built yet. Run `npm run build` in the GANvas folder, then reload.');
      return;
    }
  }
  const isAsset = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    ...headers,
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  streamFile(req, res, handle, (error) => log(`${file} could not be sent: ${error.message}`));
}
