import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { DatasetError, nameList, plural } from './dataset-error.js';

/** Extensions read as images; anything else in a dataset folder is reported, not read. */
export const imageExtensions = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif', '.svg'] as const;

export function isImageFile(fileName: string): boolean {
  return (imageExtensions as readonly string[]).includes(extname(fileName).toLowerCase());
}

/** Code-point order, so the same folder lists the same way on every machine and locale. */
export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface ImageListing {
  /** Absolute paths, sorted by their path relative to the listed folder. */
  files: string[];
  warnings: string[];
}

export interface ListOptions {
  /** Descend into sub-folders (default true). Dot-files and dot-folders are always ignored. */
  recursive?: boolean;
}

/** Fails with a user-facing message unless `dir` exists and is a folder. */
export async function requireFolder(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new DatasetError(`${dir} does not exist: choose an existing folder`, dir);
  }
  if (!info.isDirectory()) {
    throw new DatasetError(`${dir} is a file, not a folder: choose the folder that holds the images`, dir);
  }
}

export async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Visible sub-folder names of `dir`, sorted. */
export async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byCodePoint);
}

/**
 * Every image under `dir`. Files with other extensions become one warning
 * (they are usually notes or labels the user keeps beside the images).
 */
export async function listImages(dir: string, options: ListOptions = {}): Promise<ImageListing> {
  await requireFolder(dir);
  const recursive = options.recursive ?? true;
  const files: string[] = [];
  const skipped: string[] = [];
  const visit = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (recursive) await visit(path);
      } else if (isImageFile(entry.name)) {
        files.push(path);
      } else if (entry.isFile()) {
        skipped.push(relative(dir, path));
      }
    }
  };
  await visit(dir);
  const key = (path: string) => relative(dir, path).split(sep).join('/');
  files.sort((a, b) => byCodePoint(key(a), key(b)));
  const warnings =
    skipped.length === 0
      ? []
      : [`${dir}: ${plural(skipped.length, 'file')} skipped (not images): ${nameList(skipped.sort(byCodePoint))}`];
  return { files, warnings };
}

/** The user-facing form of "no images here". */
export function noImagesError(dir: string): DatasetError {
  return new DatasetError(`${dir} has no images (looked for ${imageExtensions.join(', ')})`, dir);
}
