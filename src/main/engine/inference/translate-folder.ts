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
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { UserFacingError } from '../errors.js';
import { ImageDecodeError, type EncodeFormat } from '../image/index.js';
import { byCodePoint, isImageFile } from '../data/image-files.js';
import type { Translator } from '../models/load-translator.js';
import { translateImage } from './translate-image.js';
import { checkFolders, outputNames } from './folder-names.js';
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

export { checkFolders, outputNames } from './folder-names.js';

export interface TranslatedFile {
  input: Buffer;
  output: Buffer;
  ms: number;
  resized: boolean;
}

/**
 * One input file through the model into `outputPath`, written under a
 * temporary name and renamed, so the output is whole or absent. The temporary
 * name is unique to this call: two processes that both got the same image
 * (a queue worker presumed dead that was only slow) never write into one file.
 */
export async function translateFileTo(
  translator: Translator,
  inputPath: string,
  outputPath: string,
  format: EncodeFormat,
  options: Record<string, unknown>,
  file: string = path.basename(inputPath),
): Promise<TranslatedFile> {
  const temp = `${outputPath}.${randomBytes(4).toString('hex')}.ganvas-tmp`;
  try {
    const input = await readFile(inputPath);
    const translated = await translateImage(translator, input, options, file);
    const output = await translated.encode(format, { quality: 92 });
    await writeFile(temp, output);
    await rename(temp, outputPath);
    return { input, output, ms: translated.ms, resized: translated.resized !== null };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
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
      try {
        const written = await translateFileTo(job.translator, path.join(job.inputDir, file), outputPath, format, job.options ?? {}, file);
        if (written.resized) result.resized += 1;
        await job.onTranslated?.({ file, input: written.input, output: written.output, outputPath, ms: written.ms });
        job.journal?.markDone(file);
        result.translated += 1;
      } catch (error) {
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
