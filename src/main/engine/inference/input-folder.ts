/**
 * The images a folder translation reads: the image files directly in the
 * input folder, hidden files left out, in code-point order so every machine
 * lists them alike. Apart from translate-folder.ts (which loads tfjs) so the
 * main thread can refuse an empty folder before it queues a job.
 */
import { readdir } from 'node:fs/promises';
import { UserFacingError } from '../errors.js';
import { byCodePoint, imageExtensions, isImageFile } from '../data/image-files.js';

/** The folder has no image to translate; nothing was written. */
export class EmptyInputFolderError extends UserFacingError {
  constructor(readonly folder: string) {
    super(
      'invalid_request',
      `The input folder ${folder} has no images to translate: GANvas reads the ${imageExtensions.join(', ')} files directly inside it (not in sub-folders). Nothing was written.`,
    );
    this.name = 'EmptyInputFolderError';
  }
}

/** The images of `inputDir`, in a stable order; EmptyInputFolderError when there are none. */
export async function inputImages(inputDir: string): Promise<string[]> {
  const files = await listInputImages(inputDir);
  if (files.length === 0) throw new EmptyInputFolderError(inputDir);
  return files;
}

async function listInputImages(inputDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(inputDir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserFacingError(
      'invalid_request',
      code === 'ENOENT' ? `The input folder ${inputDir} does not exist` : code === 'ENOTDIR' ? `${inputDir} is a file, not a folder` : `The input folder ${inputDir} cannot be read (${code ?? String(error)})`,
    );
  }
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.') && isImageFile(e.name)).map((e) => e.name).sort(byCodePoint);
}
