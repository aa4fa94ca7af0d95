// Upscales image files: decode (EXIF orientation applied, alpha kept) into
// rows read a band at a time (large files through a temporary file on disk),
// tile through the network, stream finished rows into a PNG writer, and
// convert to JPEG/WebP only at the end (libvips reads that PNG sequentially,
// so the whole result is never in memory for PNG and JPEG; WebP's encoder
// needs the whole picture). Neither the input nor the output is ever held
// whole, so memory is flat in the image's size.
// Outputs appear atomically: written under a temporary name beside the
// target, renamed when complete, deleted on failure or cancellation.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openPixelRows, type PixelRows } from '../image/index.js';
import { readHeader } from '../image/decode.js';
import { carriedMetadata, pngMetadataChunks, upscaleRecord, type CarriedMetadata } from './file-metadata.js';
import { isImageFileName } from './image-files.js';
import { loadUpscaleModel, type LoadedUpscaleModel } from './load-model.js';
import { modelWindowUpscaler } from './model-window.js';
import { chooseUpscaleModel, type UpscaleModelFolders, type UpscaleModelInfo } from './model-catalogue.js';
import { createPngRowWriter } from './png-stream.js';
import { tileLayoutFor } from './tile-layout.js';
import { countTiles, defaultMaxBandBytes, upscaleTiled, type TileLayout, type UpscaleWindow } from './tiling.js';

import { defaultOutputName, extensionFor, formatFromName, upscaleFormats, type UpscaleFormat } from './output-name.js';
export { defaultOutputName, extensionFor, formatFromName, upscaleFormats, type UpscaleFormat } from './output-name.js';

export interface UpscaleProgress {
  file: string;
  tilesDone: number;
  tilesTotal: number;
  /** Estimated milliseconds left for this image, once a tile has finished. */
  etaMs?: number;
  /** Batch position (upscaleFolder): 0-based index and count. */
  fileIndex: number;
  fileCount: number;
}

export interface UpscaleOptions {
  /** The scale (2, 3, 4); the default model for it is used unless `model` is given. */
  scale?: number;
  /** Model id, e.g. "esrgan-medium-x4", "slim"/"medium"/"thick" with `scale`, or an SRGAN model's "bundled:<name>"/"user:<name>". */
  model?: string;
  /** Where SRGAN models are looked for (the user's need `dataDir`). */
  folders?: UpscaleModelFolders;
  /** Tile side in input pixels (default: from free memory). */
  tile?: number;
  /** Output format (default: the input's if PNG/JPEG/WebP, else PNG). */
  format?: UpscaleFormat;
  /** 1–100 for JPEG/WebP (default 92). */
  quality?: number;
  overwrite?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: UpscaleProgress) => void;
}

export interface UpscaleResult {
  input: string;
  output: string;
  model: string;
  width: number;
  height: number;
  format: UpscaleFormat;
  ms: number;
}

/** A failure about one file, with a message naming it. */
export class UpscaleFileError extends Error {
  override readonly name = 'UpscaleFileError';
  constructor(readonly file: string, reason: string) {
    super(`${path.basename(file)}: ${reason}`);
  }
}

function outputFormat(decodedFormat: string, options: UpscaleOptions, output: string): UpscaleFormat {
  if (options.format) return options.format;
  const byName = formatFromName(output);
  if (byName) return byName;
  return (upscaleFormats as readonly string[]).includes(decodedFormat) ? (decodedFormat as UpscaleFormat) : 'png';
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('the upscale was cancelled');
  error.name = 'AbortError';
  return error;
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

async function resolveModel(options: UpscaleOptions): Promise<LoadedUpscaleModel> {
  const info: UpscaleModelInfo = chooseUpscaleModel({ scale: options.scale, model: options.model }, options.folders);
  return loadUpscaleModel(info);
}

/** What turns windows into larger windows: a loaded model here; the memory bench passes a cheap stand-in. */
export interface WindowUpscaler {
  id: string;
  scale: number;
  layout: TileLayout;
  upscaleWindow: UpscaleWindow;
}

function modelUpscaler(loaded: LoadedUpscaleModel, tile: number | undefined): WindowUpscaler {
  return { id: loaded.info.id, scale: loaded.info.scale, layout: tileLayoutFor(loaded, tile), upscaleWindow: modelWindowUpscaler(loaded) };
}

/** Upscales one file with an already-loaded model; errors are about this file. */
async function upscaleOne(
  input: string,
  output: string,
  loaded: LoadedUpscaleModel,
  options: UpscaleOptions,
  batch: { fileIndex: number; fileCount: number },
): Promise<UpscaleResult> {
  return upscaleFileWith(input, output, modelUpscaler(loaded, options.tile), options, batch);
}

/** upscaleFile's whole path (checks, decoding, tiling, writing) with any window upscaler. */
export async function upscaleFileWith(
  input: string,
  output: string,
  upscaler: WindowUpscaler,
  options: UpscaleOptions = {},
  batch: { fileIndex: number; fileCount: number } = { fileIndex: 0, fileCount: 1 },
): Promise<UpscaleResult> {
  const started = Date.now();
  if (options.signal?.aborted) throw abortError(options.signal);
  if (path.resolve(input) === path.resolve(output)) throw new UpscaleFileError(input, 'the output would replace the input; choose another output name');
  if (!options.overwrite && (await exists(output))) {
    throw new UpscaleFileError(input, `${output} already exists; choose another output or pass --overwrite`);
  }
  // ICC-tagged RGB photos keep their own colour space (and the output its profile): see file-metadata.ts.
  const image = await openPixelRows(input, { keepIccProfile: true }); // ImageDecodeError already names the file and the reason
  try {
    const software = upscaleRecord(upscaler.id, upscaler.scale);
    const header = await readHeader(input).catch(() => null); // the pixels decoded, so this only fails for SVG-like inputs
    const carried = header ? carriedMetadata(header, image.inIccProfile ?? false, software) : { software };
    return await upscaleRows(image, input, output, upscaler, options, batch, started, carried);
  } finally {
    await image.close();
  }
}

async function upscaleRows(
  image: PixelRows,
  input: string,
  output: string,
  upscaler: WindowUpscaler,
  options: UpscaleOptions,
  batch: { fileIndex: number; fileCount: number },
  started: number,
  carried: CarriedMetadata,
): Promise<UpscaleResult> {
  const { scale, layout } = upscaler;
  const format = outputFormat(image.format, options, output);
  const width = image.width * scale;
  const height = image.height * scale;
  if (format === 'webp' && (width > 16383 || height > 16383)) {
    throw new UpscaleFileError(input, `the result (${width}×${height}) is larger than WebP allows (16383 px a side); use --format png or jpeg`);
  }
  const tilesTotal = countTiles(image.width, image.height, layout, { scale, channels: image.channels, maxBandBytes: defaultMaxBandBytes });
  const report = (tilesDone: number) => {
    const elapsed = Date.now() - started;
    const etaMs = tilesDone > 0 ? Math.round((elapsed / tilesDone) * (tilesTotal - tilesDone)) : undefined;
    options.onProgress?.({ file: input, tilesDone, tilesTotal, etaMs, ...batch });
  };
  report(0);

  await mkdir(path.dirname(path.resolve(output)), { recursive: true });
  const token = randomBytes(4).toString('hex');
  const partial = path.join(path.dirname(path.resolve(output)), `.${path.basename(output)}.${token}.part`);
  // PNG goes straight to the output folder; other formats via a fast-compressed PNG in the temp folder.
  const pngPath = format === 'png' ? partial : path.join(os.tmpdir(), `ganvas-upscale-${process.pid}-${token}.png`);
  const writer = createPngRowWriter(pngPath, { width, height, channels: image.channels }, { compressionLevel: format === 'png' ? 6 : 1, chunks: pngMetadataChunks(carried) });
  try {
    await upscaleTiled(image, upscaler.upscaleWindow, {
      scale,
      layout,
      signal: options.signal,
      onTile: (done) => report(done),
      onRows: (rows) => writer.writeRows(rows),
    });
    await writer.finish();
    if (format !== 'png') {
      const quality = options.quality ?? 92;
      // The PNG's profile, EXIF and XMP go on; EXIF's Software records the upscale.
      const pipeline = sharp(pngPath, { limitInputPixels: false, sequentialRead: true }).keepMetadata().withExifMerge({ IFD0: { Software: carried.software } });
      await (format === 'jpeg'
        ? pipeline.flatten({ background: '#ffffff' }).jpeg({ quality, mozjpeg: false })
        : pipeline.webp({ quality })
      ).toFile(partial);
    }
    if (!options.overwrite && (await exists(output))) {
      throw new UpscaleFileError(input, `${output} appeared while upscaling; it was left alone (pass --overwrite to replace it)`);
    }
    await rename(partial, output);
  } catch (error) {
    await writer.abort();
    await rm(partial, { force: true });
    throw error;
  } finally {
    if (pngPath !== partial) await rm(pngPath, { force: true });
  }
  return { input, output, model: upscaler.id, width, height, format, ms: Date.now() - started };
}

/** Upscales one image file into `output` (see UpscaleOptions). */
export async function upscaleFile(input: string, output: string, options: UpscaleOptions = {}): Promise<UpscaleResult> {
  const loaded = await resolveModel(options);
  return upscaleOne(input, output, loaded, options, { fileIndex: 0, fileCount: 1 });
}

export interface FolderResult {
  done: UpscaleResult[];
  failed: { file: string; reason: string }[];
  /** Files not tried because the batch was cancelled. */
  cancelled: string[];
}

/**
 * Upscales every image directly in `inDir` into `outDir` (same base names,
 * extension of the output format). One bad file fails only itself. Never
 * writes into `inDir`. Cancelling stops between tiles and reports the rest as cancelled.
 */
export async function upscaleFolder(inDir: string, outDir: string, options: UpscaleOptions = {}): Promise<FolderResult> {
  const source = path.resolve(inDir);
  const target = path.resolve(outDir);
  if (source === target) throw new Error(`the output folder must differ from the input folder (${inDir}); GANvas never writes into the input folder`);
  let names: string[];
  try {
    names = (await readdir(source, { withFileTypes: true })).filter((e) => e.isFile() && isImageFileName(e.name)).map((e) => e.name).sort();
  } catch (error) {
    throw new Error(`${inDir}: cannot read the folder (${(error as Error).message})`);
  }
  const loaded = await resolveModel(options);
  await mkdir(target, { recursive: true });
  const result: FolderResult = { done: [], failed: [], cancelled: [] };
  for (const [index, name] of names.entries()) {
    if (options.signal?.aborted) {
      result.cancelled.push(...names.slice(index));
      break;
    }
    const input = path.join(source, name);
    const format = options.format ?? formatFromName(name) ?? 'png';
    const output = path.join(target, `${path.basename(name, path.extname(name))}${extensionFor(format)}`);
    try {
      result.done.push(await upscaleOne(input, output, loaded, { ...options, format }, { fileIndex: index, fileCount: names.length }));
    } catch (error) {
      if (isAbort(error)) {
        result.cancelled.push(...names.slice(index));
        break;
      }
      result.failed.push({ file: name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
