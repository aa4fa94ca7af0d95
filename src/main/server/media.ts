import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { Gallery } from '../engine/gallery/index.js';
import { mediaFile } from '../api/media.js';

const types: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/** `/media/image/<hash>` and `/media/thumb/<hash>`: content-addressed, so cacheable forever. */
export async function serveMedia(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  gallery: Gallery,
  headers: Record<string, string>,
): Promise<void> {
  const file = mediaFile(gallery, pathname.slice('/media/'.length));
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('no such image');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'private, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
