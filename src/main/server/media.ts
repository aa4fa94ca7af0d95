/**
 * `/media/image/<hash>` and `/media/thumb/<hash>`: stored gallery images for
 * the browser, content-addressed, so cacheable forever. The file is opened
 * once and streamed from that handle; one deleted between lookup and send
 * (e.g. the trash was emptied) is a 404 or a cut-short response, never an
 * unhandled stream error.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { pipeline } from 'node:stream';
import type { Gallery } from '../engine/gallery/index.js';
import { mediaFile } from '../api/media.js';

const types: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/** Sends an open file after the headers (or nothing, for HEAD) and closes it, whatever happens to either side. */
export function streamFile(req: IncomingMessage, res: ServerResponse, handle: FileHandle, onError: (error: Error) => void): void {
  if (req.method === 'HEAD') {
    res.end();
    void handle.close().catch(() => {});
    return;
  }
  pipeline(handle.createReadStream(), res, (error) => {
    // A client that leaves early is normal; anything else is worth a line in the log.
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') onError(error);
  });
}

export async function serveMedia(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  gallery: Gallery,
  headers: Record<string, string>,
): Promise<void> {
  const file = mediaFile(gallery, pathname.slice('/media/'.length));
  const handle = file ? await open(file, 'r').catch(() => null) : null;
  const info = handle ? await handle.stat().catch(() => null) : null;
  if (!file || !handle || !info?.isFile()) {
    await handle?.close().catch(() => {});
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
  streamFile(req, res, handle, () => {});
}
