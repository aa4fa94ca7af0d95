/**
 * Reading API request bodies without letting clients choose how much memory
 * the server uses. Three 276 MB bodies at once once took the server to
 * 2.6 GB (and it kept 1.8 GB); a 320 MB one got a connection reset instead
 * of a message.
 *
 * - One body is at most `maxBytes`: a declared Content-Length over it is
 *   refused before a byte is read (also before `100 Continue`), a chunked
 *   body as soon as it passes it.
 * - All bodies being read or handled at once share `BytesInFlight`; a body
 *   that does not fit gets 503 and a message to try again.
 * - A refused body is read to its end and thrown away (not kept), and only
 *   then answered: a client still sending (browsers read the answer after
 *   the upload) would otherwise see the connection close under it, and the
 *   reset drops the 413/503 waiting in its socket. Large files go to `POST /upload` instead,
 *   which streams to disk (uploads.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { ApiError } from '../../shared/contract.js';
import { megabytes } from './responses.js';

/** Bytes held for request bodies by every request together. */
export class BytesInFlight {
  private used = 0;
  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export type BodyRead =
  | { ok: true; body: Buffer; release(): void }
  /** status 0: the client went away; there is nobody to answer. */
  | { ok: false; status: number; error?: ApiError; headers?: Record<string, string> };

/** Content-Length as a number, or null when the body is chunked (or the header is unusable). */
export function declaredLength(req: IncomingMessage): number | null {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d{1,15}$/.test(header)) return null;
  return Number(header);
}

export function tooLargeError(limit: number, what = 'An API request'): ApiError {
  return {
    code: 'invalid_request',
    message: `${what} is larger than ${megabytes(limit)}, the most this server accepts at once. Send large files to POST /upload first and name them by uploadId.`,
  };
}

export function busyError(inFlight: BytesInFlight): ApiError {
  return {
    code: 'failed',
    message: `The studio is already receiving ${megabytes(inFlight.inUse)} of other requests (at most ${megabytes(inFlight.limit)} at once); try again when they have finished.`,
  };
}

/** The most of a refused chunked body we read and discard before closing the connection instead. */
const MAX_DISCARD_BYTES = 1024 * 1024 * 1024;

/**
 * Lets the rest of a refused body flow past without keeping it, and settles
 * when it has ended (or the connection has). A declared body is drained to
 * its end; a chunked one up to MAX_DISCARD_BYTES, since it could go on for
 * ever (Node's requestTimeout ends one that trickles).
 */
export function discardRest(req: IncomingMessage): Promise<void> {
  req.removeAllListeners('data');
  if (req.complete || req.destroyed) return Promise.resolve();
  const limit = declaredLength(req) ?? MAX_DISCARD_BYTES;
  let discarded = 0;
  return new Promise((resolve) => {
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limit) req.socket.destroy();
    });
    req.once('end', () => resolve());
    req.once('close', () => resolve());
    req.resume();
  });
}

export function readBody(req: IncomingMessage, maxBytes: number, inFlight: BytesInFlight): Promise<BodyRead> {
  const declared = declaredLength(req);
  if (declared !== null && declared > maxBytes) {
    return discardRest(req).then(() => ({ ok: false, status: 413, error: tooLargeError(maxBytes) }));
  }
  if (declared !== null && !inFlight.take(declared)) {
    return discardRest(req).then(() => ({ ok: false, status: 503, error: busyError(inFlight), headers: { 'Retry-After': '5' } }));
  }
  let reserved = declared ?? 0;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    inFlight.give(reserved);
  };

  return new Promise<BodyRead>((resolve) => {
    // A declared length is filled in place: no list of chunks and no second copy to join them.
    const whole = declared !== null ? Buffer.allocUnsafe(declared) : null;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let refused = false;
    const finish = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      if (!result.ok) release();
      resolve(result);
    };
    const refuse = (status: number, error: ApiError, headers?: Record<string, string>) => {
      refused = true;
      chunks.length = 0;
      // Give the bytes back now; answer once the client has finished sending.
      release();
      void discardRest(req).then(() => finish({ ok: false, status, error, ...(headers ? { headers } : {}) }));
    };
    req.on('data', (chunk: Buffer) => {
      if (settled || refused) return;
      if (size + chunk.length > maxBytes) return refuse(413, tooLargeError(maxBytes));
      if (whole) {
        chunk.copy(whole, size);
      } else {
        if (!inFlight.take(chunk.length)) return refuse(503, busyError(inFlight), { 'Retry-After': '5' });
        reserved += chunk.length;
        chunks.push(chunk);
      }
      size += chunk.length;
    });
    req.on('end', () => {
      if (settled || refused) return;
      const body = whole ? whole.subarray(0, size) : Buffer.concat(chunks, size);
      chunks.length = 0;
      finish({ ok: true, body, release });
    });
    // Aborted bodies end here: release what they held, answer nobody.
    req.on('error', () => !refused && finish({ ok: false, status: 0 }));
    req.on('close', () => !refused && finish({ ok: false, status: 0 }));
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as JSON: `{}` for an empty body; an ApiError naming what is wrong otherwise. */
export function parseJsonBody(body: Buffer): { ok: true; value: unknown } | { ok: false; error: ApiError } {
  if (body.length === 0) return { ok: true, value: {} };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, error: { code: 'invalid_request', message: 'Invalid request body: it is not valid UTF-8 text' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'invalid_request', message: `Invalid request body: not JSON (${reason.slice(0, 200)})` } };
  }
}
