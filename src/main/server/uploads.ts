/**
 * `POST /upload`: a file's raw bytes streamed to disk, so large files never
 * travel as base64 inside a JSON body (which costs ~4× their size in memory
 * on the way in). The answer is an upload id that `gallery.import` and
 * `upscale.images` accept in place of the bytes (see src/main/api/uploads.ts
 * for the folder and how ids are taken).
 *
 * Limits: one file is at most `maxFileBytes`; the bytes being received by
 * this process plus the complete uploads waiting to be used are at most
 * `maxWaitingBytes`, so a client cannot fill the disk. A refused body is
 * drained, not kept, and then answered, so the client reads the 413/503
 * message. Uploads nobody
 * used are deleted after `keepMs`, and at start everything left by processes
 * that have ended.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { ApiError, UploadReceipt } from '../../shared/contract.js';
import { incomingFolder, PARTIAL_SUFFIX, sweepUploads, UPLOAD_KEEP_MS, waitingUploadBytes } from '../api/uploads.js';
import { declaredLength, discardRest, tooLargeError } from './request-body.js';
import { megabytes, sendError, sendOutcome } from './responses.js';

export interface UploadLimits {
  /** Largest single upload. */
  maxFileBytes: number;
  /** Uploads being received plus complete ones not used yet, together. */
  maxWaitingBytes: number;
  /** How long an unused upload is kept. */
  keepMs: number;
}

export const defaultUploadLimits: UploadLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxWaitingBytes: 1024 * 1024 * 1024,
  keepMs: UPLOAD_KEEP_MS,
};

export interface UploadReceiver {
  receive(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Deletes unused uploads past their time; with `atStart`, also everything of processes that have ended. */
  sweep(atStart?: boolean): Promise<string[]>;
  close(): void;
}

function fullError(limits: UploadLimits, waiting: number): ApiError {
  return {
    code: 'failed',
    message: `${megabytes(waiting)} of uploads are already waiting to be used here (at most ${megabytes(limits.maxWaitingBytes)}); finish or cancel those imports, or wait ${Math.round(limits.keepMs / 60_000)} minutes for unused ones to be deleted, then try again.`,
  };
}

export function createUploadReceiver(dataDir: string, limits: UploadLimits, log: (message: string) => void): UploadReceiver {
  const folder = incomingFolder(dataDir);
  /** Bytes reserved by uploads this process is receiving now. */
  let receiving = 0;

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const declared = declaredLength(req);
    if (declared !== null && declared > limits.maxFileBytes) {
      await discardRest(req);
      return sendError(res, 413, tooLargeError(limits.maxFileBytes, 'An upload'));
    }
    if (declared === 0) return sendError(res, 400, { code: 'invalid_request', message: 'The upload is empty: send the file’s bytes as the request body' });

    let reserved = declared ?? 0;
    receiving += reserved;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      receiving -= reserved;
    };
    const waiting = await waitingUploadBytes(dataDir);
    if (waiting + receiving > limits.maxWaitingBytes) {
      release();
      await discardRest(req);
      return sendError(res, 503, fullError(limits, waiting), { 'Retry-After': '30' });
    }

    const id = `up-${process.pid}-${randomBytes(16).toString('hex')}`;
    const partial = path.join(folder, id + PARTIAL_SUFFIX);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      release();
      await discardRest(req);
      return sendError(res, 500, { code: 'failed', message: `The upload cannot be stored: ${(error as Error).message}` });
    }

    await new Promise<void>((done) => {
      const out = createWriteStream(partial, { flags: 'wx' });
      let size = 0;
      let settled = false;
      /** Stops writing, deletes the partial file and gives its room back; then answers, if there is anyone to answer. */
      const settle = async (answer: (() => void) | null) => {
        if (settled) return;
        settled = true;
        out.destroy();
        await rm(partial, { force: true }).catch(() => {});
        release();
        answer?.();
        done();
      };
      const refuse = (status: number, error: ApiError, headers?: Record<string, string>) => {
        if (settled) return;
        // Answer once the client has finished sending (see request-body.ts); the file is dropped at once.
        const drained = discardRest(req);
        void settle(null).then(async () => {
          await drained;
          sendError(res, status, error, headers);
        });
      };

      req.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limits.maxFileBytes) return refuse(413, tooLargeError(limits.maxFileBytes, 'An upload'));
        if (declared === null) {
          reserved += chunk.length;
          receiving += chunk.length;
          if (waiting + receiving > limits.maxWaitingBytes) return refuse(503, fullError(limits, waiting), { 'Retry-After': '30' });
        }
        // Disk slower than the network: stop reading until the file has taken what it has.
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => req.resume());
        }
      });
      req.on('end', () => {
        if (settled) return;
        if (size === 0) return refuse(400, { code: 'invalid_request', message: 'The upload is empty: send the file’s bytes as the request body' });
        out.end(() => {
          if (settled) return;
          settled = true;
          rename(partial, path.join(folder, id)).then(
            () => {
              release();
              const receipt: UploadReceipt = { uploadId: id, bytes: size };
              sendOutcome(res, 200, { ok: true, value: receipt });
              done();
            },
            (error: unknown) => {
              settled = false;
              void settle(() => sendError(res, 500, { code: 'failed', message: `The upload cannot be stored: ${(error as Error).message}` }));
            },
          );
        });
      });
      out.on('error', (error: NodeJS.ErrnoException) => {
        const full = error.code === 'ENOSPC' || error.code === 'EDQUOT';
        log(`upload ${id} could not be written: ${error.message}`);
        refuse(full ? 507 : 500, { code: 'failed', message: full ? 'The disk of the data folder is full; free some space and send the file again.' : `The upload cannot be stored: ${error.message}` });
      });
      // The client hung up before the end: nothing to answer, nothing to keep.
      req.on('error', () => void settle(null));
      req.on('close', () => {
        if (!req.complete) void settle(null);
      });
      // It may have hung up while the folder was checked, before these listeners existed.
      if (req.destroyed && !req.complete) void settle(null);
    });
  }

  async function sweep(atStart = false): Promise<string[]> {
    const deleted = await sweepUploads(dataDir, { keepMs: limits.keepMs, deadProcesses: atStart });
    if (deleted.length) log(`deleted ${deleted.length} unused upload${deleted.length === 1 ? '' : 's'}`);
    return deleted;
  }

  const timer = setInterval(() => void sweep(false).catch(() => {}), Math.max(1000, Math.min(limits.keepMs / 4, 10 * 60_000)));
  timer.unref();

  return { receive, sweep, close: () => clearInterval(timer) };
}
