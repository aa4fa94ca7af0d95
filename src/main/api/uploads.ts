/**
 * Files streamed to `POST /upload` of `ganvas serve` wait in
 * `<data dir>/uploads/incoming/` until a request names them by id
 * (`gallery.import`, `upscale.images`); this is the side that finds and takes
 * them. The server's receiving side is src/main/server/uploads.ts.
 *
 * An id is `up-<pid>-<random>`: the pid says which process received the file,
 * so a process starting on the folder can delete what dead processes left
 * without touching the uploads of another one still running. Ids are checked
 * against the contract's pattern before any path is built from them, and
 * only regular files are taken (never a link planted in the folder).
 */
import { lstat, open, readdir, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import path from 'node:path';
import { UploadId } from '../../shared/contract.js';
import { UserFacingError } from '../engine/errors.js';

/** How long a received file waits for the request that uses it. */
export const UPLOAD_KEEP_MS = 60 * 60 * 1000;
/** Files still being received end in this; the rename to the bare id marks them complete. */
export const PARTIAL_SUFFIX = '.part';

export function incomingFolder(dataDir: string): string {
  return path.join(dataDir, 'uploads', 'incoming');
}

/** The file of an upload id, or a UserFacingError for an id that cannot be one of ours. */
export function uploadFile(dataDir: string, id: string): string {
  if (!UploadId.safeParse(id).success) throw new UserFacingError('invalid_request', `'${id.slice(0, 80)}' is not an upload id`);
  return path.join(incomingFolder(dataDir), id);
}

function missing(id: string): UserFacingError {
  return new UserFacingError(
    'not_found',
    `the upload ${id} is not here (uploads wait ${UPLOAD_KEEP_MS / 60_000} minutes for the request that uses them, and each is used once); send the file again`,
  );
}

/** Throws unless the upload exists as a complete, regular file. */
export async function checkUpload(dataDir: string, id: string): Promise<string> {
  const file = uploadFile(dataDir, id);
  const info = await lstat(file).catch(() => null);
  if (!info?.isFile()) throw missing(id);
  return file;
}

/** Reads an upload into memory and deletes it: each upload is used by one request. */
export async function takeUpload(dataDir: string, id: string): Promise<Buffer> {
  const file = uploadFile(dataDir, id);
  let handle;
  try {
    // O_NOFOLLOW: a link in the folder is refused instead of read through.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    throw missing(id);
  }
  try {
    if (!(await handle.stat()).isFile()) throw missing(id);
    return await handle.readFile();
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
}

/** Moves an upload to `destination` (same data folder, so a rename), for jobs that read files from disk. */
export async function moveUpload(dataDir: string, id: string, destination: string): Promise<void> {
  const file = await checkUpload(dataDir, id);
  try {
    await rename(file, destination);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missing(id);
    throw error;
  }
}

function receivingPid(name: string): number | null {
  const match = /^up-(\d{1,10})-/.exec(name);
  return match ? Number(match[1]) : null;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SweepOptions {
  now?: number;
  keepMs?: number;
  /** At start: also delete everything received by processes that are gone, whatever its age. */
  deadProcesses?: boolean;
}

/**
 * Deletes uploads nobody used within `keepMs` (complete or not), and with
 * `deadProcesses` everything received by a process that no longer runs.
 * Returns the names deleted.
 */
export async function sweepUploads(dataDir: string, options: SweepOptions = {}): Promise<string[]> {
  const folder = incomingFolder(dataDir);
  const now = options.now ?? Date.now();
  const keepMs = options.keepMs ?? UPLOAD_KEEP_MS;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of names) {
    const file = path.join(folder, name);
    const pid = receivingPid(name);
    const info = await lstat(file).catch(() => null);
    if (!info) continue;
    const stale = now - info.mtimeMs > keepMs;
    const orphaned = options.deadProcesses === true && (pid === null || (pid !== process.pid && !processIsAlive(pid)));
    if (stale || orphaned) {
      await rm(file, { recursive: true, force: true }).catch(() => {});
      deleted.push(name);
    }
  }
  return deleted;
}

/** Bytes of complete uploads waiting in the folder (what the receiver counts against its cap). */
export async function waitingUploadBytes(dataDir: string): Promise<number> {
  const folder = incomingFolder(dataDir);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return 0;
  }
  let total = 0;
  for (const name of names) {
    if (name.endsWith(PARTIAL_SUFFIX)) continue;
    const info = await lstat(path.join(folder, name)).catch(() => null);
    if (info?.isFile()) total += info.size;
  }
  return total;
}
