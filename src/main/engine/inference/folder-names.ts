/**
 * Where a folder translation writes: the output folder check and the output
 * names. tfjs-free, so the studio's main thread can plan a folder job for
 * the Redis queue with exactly the names the workers write.
 */
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { UserFacingError } from '../errors.js';
import type { EncodeFormat } from '../image/encode.js';

/** The real path of `p`, or of its nearest existing ancestor plus the rest (the output folder may not exist yet). */
async function realPathOf(p: string): Promise<string> {
  const absolute = path.resolve(p);
  try {
    return await realpath(absolute);
  } catch {
    const parent = path.dirname(absolute);
    if (parent === absolute) return absolute;
    return path.join(await realPathOf(parent), path.basename(absolute));
  }
}

/** Refuses an output folder that is the input folder or inside it. */
export async function checkFolders(inputDir: string, outputDir: string): Promise<void> {
  const input = await realPathOf(inputDir);
  const output = await realPathOf(outputDir);
  const relative = path.relative(input, output);
  if (relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))) {
    throw new UserFacingError(
      'invalid_request',
      relative === ''
        ? `The output folder is the input folder (${inputDir}); GANvas never writes into the input folder: choose another output folder`
        : `The output folder ${outputDir} is inside the input folder ${inputDir}; GANvas never writes into the input folder: choose a folder outside it`,
    );
  }
}

/** Output names: same base name; JPEG and WebP keep their format, the rest become PNG. Clashes (a.gif, a.png) get the old extension kept. */
export function outputNames(files: string[]): Map<string, { name: string; format: EncodeFormat }> {
  const names = new Map<string, { name: string; format: EncodeFormat }>();
  const used = new Set<string>();
  for (const file of files) {
    const ext = path.extname(file).toLowerCase();
    const format: EncodeFormat = ext === '.jpg' || ext === '.jpeg' ? 'jpeg' : ext === '.webp' ? 'webp' : 'png';
    const base = path.basename(file, path.extname(file));
    let name = format === 'png' ? `${base}.png` : file;
    if (used.has(name.toLowerCase())) name = `${file}.${format === 'jpeg' ? 'jpg' : format}`;
    used.add(name.toLowerCase());
    names.set(file, { name, format });
  }
  return names;
}

