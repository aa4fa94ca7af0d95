/**
 * The studio's trash for things that are folders and files rather than
 * gallery rows: training runs, the records of their jobs, and models the user
 * put in `<data dir>/models/`. Deleting moves them into `<data dir>/trash/`
 * (a rename inside the data folder: instant, and nothing is copied), so Undo
 * can put them back; like the gallery's trash, it is emptied when the studio
 * starts next.
 *
 * One deletion is one entry, found by any of its keys (`run:doodles`,
 * `job:<id>`, `user:<name>`): a run and every job that trained it go and come
 * back together.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join, relative, isAbsolute } from 'node:path';
import { UserFacingError } from './errors.js';

export interface Trash {
  /** Moves the paths that exist into one entry found by `keys`; paths that do not exist are skipped. */
  put(keys: readonly string[], paths: readonly string[]): Promise<void>;
  has(key: string): boolean;
  /** Moves the entry holding `key` back where it was and returns all its keys. */
  takeBack(key: string): Promise<string[]>;
  /** Settles when what earlier starts left in the trash is gone. */
  readonly emptied: Promise<void>;
}

interface Entry {
  keys: string[];
  dir: string;
  moved: { from: string; to: string }[];
}

export function trashFolder(dataDir: string): string {
  return join(dataDir, 'trash');
}

/** Opens the trash and empties what earlier starts left in it (in the background; problems go to `log`). */
export function openTrash(dataDir: string, log: (message: string) => void = () => {}): Trash {
  const root = trashFolder(dataDir);
  const entries: Entry[] = [];

  // Listed now, removed in the background: what this session deletes later is never in this list.
  let leftovers: string[] = [];
  try {
    leftovers = readdirSync(root);
  } catch {
    // No trash yet.
  }
  const emptied = Promise.all(
    leftovers.map((name) =>
      rm(join(root, name), { recursive: true, force: true }).catch((error: unknown) =>
        log(`could not empty ${join(root, name)} from the trash: ${error instanceof Error ? error.message : String(error)}`),
      ),
    ),
  ).then(() => undefined);

  function inside(path: string): boolean {
    const within = relative(dataDir, path);
    return within !== '' && !within.startsWith('..') && !isAbsolute(within);
  }

  async function moveAll(pairs: { from: string; to: string }[]): Promise<void> {
    const done: { from: string; to: string }[] = [];
    try {
      for (const pair of pairs) {
        await rename(pair.from, pair.to);
        done.push(pair);
      }
    } catch (error) {
      // Half a move would leave a run without its records (or the reverse): put back what moved.
      for (const pair of done.reverse()) await rename(pair.to, pair.from).catch(() => undefined);
      throw error;
    }
  }

  return {
    emptied,
    async put(keys, paths) {
      for (const path of paths) if (!inside(path)) throw new Error(`${path} is not inside the data folder ${dataDir}`);
      const present = paths.filter((path) => existsSync(path));
      const dir = join(root, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
      await mkdir(dir, { recursive: true });
      const moved = present.map((from, index) => ({ from, to: join(dir, `${index}-${basename(from)}`) }));
      try {
        await moveAll(moved);
      } catch (error) {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        throw error;
      }
      entries.push({ keys: [...keys], dir, moved });
    },

    has(key) {
      return entries.some((entry) => entry.keys.includes(key));
    },

    async takeBack(key) {
      const index = entries.findIndex((entry) => entry.keys.includes(key));
      if (index < 0) throw new UserFacingError('not_found', `'${key}' is not in the trash (it is emptied when the studio starts)`);
      const entry = entries[index]!;
      const taken = entry.moved.find((pair) => existsSync(pair.from));
      if (taken) {
        throw new UserFacingError(
          'invalid_state',
          `cannot put '${key}' back: ${taken.from} exists again (something new was made there since); move or rename it first`,
        );
      }
      await moveAll(entry.moved.map((pair) => ({ from: pair.to, to: pair.from })));
      entries.splice(index, 1);
      await rm(entry.dir, { recursive: true, force: true }).catch(() => undefined);
      return entry.keys;
    },
  };
}
