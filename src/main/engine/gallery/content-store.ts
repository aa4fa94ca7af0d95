/**
 * Content-addressed image files on disk: `<root>/<aa>/<sha256>.<ext>`.
 *
 * Files are only ever created by writing a temp file in the target folder,
 * fsyncing it, renaming it into place and fsyncing the folder, so a file under
 * its final name is always complete: a crash leaves at most a `.tmp` file,
 * which the recovery pass on the next start removes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const HASH_FILE = /^([a-f0-9]{64})\.([a-z0-9]+)$/;
export const TEMP_SUFFIX = '.tmp';

export interface StoredFile {
  hash: string;
  /** Absolute path of the file. */
  file: string;
}

export class ContentStore {
  constructor(readonly root: string) {}

  pathFor(hash: string, extension: string): string {
    return path.join(this.root, hash.slice(0, 2), `${hash}.${extension}`);
  }

  /** Writes `data` under its hash unless a complete copy is already there. */
  async put(hash: string, extension: string, data: Buffer): Promise<string> {
    const target = this.pathFor(hash, extension);
    if (fs.existsSync(target)) return target;
    const folder = path.dirname(target);
    await fs.promises.mkdir(folder, { recursive: true });
    const temp = path.join(folder, `.${hash}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    const handle = await fs.promises.open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.promises.rename(temp, target);
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
    await syncFolder(folder);
    return target;
  }

  remove(hash: string, extension: string): void {
    fs.rmSync(this.pathFor(hash, extension), { force: true });
  }

  /** Every file under the store that is named by a hash, and every leftover temp file. */
  scan(): { stored: StoredFile[]; temp: string[] } {
    const stored: StoredFile[] = [];
    const temp: string[] = [];
    if (!fs.existsSync(this.root)) return { stored, temp };
    for (const shard of fs.readdirSync(this.root, { withFileTypes: true })) {
      if (!shard.isDirectory()) continue;
      const folder = path.join(this.root, shard.name);
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const file = path.join(folder, entry.name);
        if (entry.name.endsWith(TEMP_SUFFIX)) temp.push(file);
        else {
          const match = HASH_FILE.exec(entry.name);
          if (match?.[1] && entry.isFile()) stored.push({ hash: match[1], file });
        }
      }
    }
    return { stored, temp };
  }
}

/**
 * Makes a rename durable. Folders cannot be opened for fsync on Windows, where
 * NTFS journals the rename itself, so failure to open is not an error there.
 */
async function syncFolder(folder: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    await handle?.close();
  }
}
