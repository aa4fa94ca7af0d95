/**
 * Every image of a folder through one model, into another folder. Shared by
 * the `translate-folder` job and `ganvas translate`, so both behave the same:
 *
 * - never writes into the input folder (refused up front, also through symlinks);
 * - an input folder without images is an error (EmptyInputFolderError), not
 *   "0 translated", and no output folder is made for it;
 * - a file that cannot be read fails only itself, listed with the reason;
 * - outputs keep their names; PNG unless the input was JPEG or WebP (kept);
 * - each output is written to a temporary name and renamed, so a cancel or
 *   crash never leaves a half-written image; a journal lets a resumed run skip
 *   what is done.
 */
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UserFacingError } from '../errors.js';
import { ImageDecodeError, type EncodeFormat } from '../image/index.js';
import { byCodePoint, isImageFile } from '../data/image-files.js';
import type { Translator } from '../models/load-translator.js';
import { translateImage } from './translate-image.js';
import { inputImages } from './input-folder.js';

export interface FolderTranslation {
  translator: Translator;
  inputDir: string;
  outputDir: string;
  options?: Record<string, unknown>;
  /** Finished files; those it already has are skipped (a resumed job). */
  journal?: { has(item: string): boolean; markDone(item: string): void };
  /** Runs before each image; throw to stop (a job passes its pause/cancel check). */
  beforeImage?: () => Promise<void> | void;
  onProgress?: (progress: { done: number; total: number; file: string | null }) => void;
  /** Each finished image, e.g. to save it in the gallery. A failure here fails only that file. */
  onTranslated?: (item: { file: string; input: Buffer; output: Buffer; outputPath: string; ms: number }) => Promise<void> | void;
}

export interface FolderTranslationResult {
  translated: number;
  /** Done in an earlier run of the same job. */
  skipped: number;
  failed: { file: string; reason: string }[];
  /** Images that were not the model's size and were resized to it and back. */
  resized: number;
}

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

export async function translateFolder(job: FolderTranslation): Promise<FolderTranslationResult> {
  await checkFolders(job.inputDir, job.outputDir);
  const files = await inputImages(job.inputDir);
  const names = outputNames(files);
  await mkdir(job.outputDir, { recursive: true });
  const result: FolderTranslationResult = { translated: 0, skipped: 0, failed: [], resized: 0 };
  const total = files.length;
  let done = 0;
  job.onProgress?.({ done, total, file: null });
  for (const file of files) {
    await job.beforeImage?.();
    if (job.journal?.has(file)) {
      result.skipped += 1;
    } else {
      const { name, format } = names.get(file)!;
      const outputPath = path.join(job.outputDir, name);
      const temp = `${outputPath}.ganvas-tmp`;
      try {
        const input = await readFile(path.join(job.inputDir, file));
        const translated = await translateImage(job.translator, input, job.options ?? {}, file);
        const bytes = await translated.encode(format, { quality: 92 });
        await writeFile(temp, bytes);
        await rename(temp, outputPath);
        if (translated.resized) result.resized += 1;
        await job.onTranslated?.({ file, input, output: bytes, outputPath, ms: translated.ms });
        job.journal?.markDone(file);
        result.translated += 1;
      } catch (error) {
        await rm(temp, { force: true });
        // Whole-run problems (invalid options, a broken model) would fail every file the same way: stop at once.
        if (error instanceof UserFacingError) throw error;
        const reason = error instanceof ImageDecodeError ? error.reason : error instanceof Error ? error.message : String(error);
        result.failed.push({ file, reason });
      }
    }
    done += 1;
    job.onProgress?.({ done, total, file });
  }
  return result;
}
