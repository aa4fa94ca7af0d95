import { basename, extname, join, relative, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ImageDecodeError, type ImageHeader, type RawImage } from '../image/index.js';
import { cropFlipAt, writeCrop } from './augment.js';
import { checkStepAndBatch, prefetchBatches, type BatchSource } from './batch-stream.js';
import { DatasetError, nameList, plural } from './dataset-error.js';
import { byCodePoint, isFolder, listImages, noImagesError, requireFolder } from './image-files.js';
import { EpochOrder } from './sample-order.js';
import { resolveSplit } from './splits.js';
import { loadSideBySide, loadSquare, probeAll, resolveCrop, type TrainingCropOptions } from './training-crop.js';
import { UnreadableItems } from './unreadable-items.js';

/** One training pair: a side-by-side A|B file, or two files matched by name in A/ and B/. */
export type ImagePair = { name: string; file: string } | { name: string; a: string; b: string };

export interface PairedOptions extends TrainingCropOptions {
  /** Which side is the input: 'AtoB' (default) gives batch.a = A, batch.b = B; 'BtoA' swaps them. */
  direction?: 'AtoB' | 'BtoA';
  /** 'train' (default), 'val' or 'test' when the folder has such sub-folders. */
  split?: string;
}

/** NHWC float32 in [-1, 1]; `a` is the model's input, `b` its target. The caller disposes both. */
export interface PairedBatch {
  step: number;
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

export interface PairedDataset extends BatchSource<PairedBatch> {
  readonly kind: 'paired';
  readonly layout: 'side-by-side' | 'folders';
  /** Number of usable pairs. */
  readonly size: number;
  /** Things the user may want to fix; grows when an unreadable file is met during training. */
  readonly warnings: string[];
  readonly split: string | undefined;
  readonly splits: string[];
  readonly pairs: readonly ImagePair[];
}

/** Aspect ratios may differ this much (rounding in exported sizes) and still line up. */
const aspectTolerance = 0.01;

/** What a folder must look like to train Pix2Pix, for messages that refuse one. */
export const PAIRED_LAYOUTS =
  'Pix2Pix trains on pairs, in one of two layouts: A/ and B/ folders with files of matching names (A/cat.png ↔ B/cat.png), ' +
  'or side-by-side images exactly twice as wide as high (A on the left half, B on the right)';

/**
 * A pix2pix dataset. Layouts:
 * - side-by-side: every image is A|B, split in the middle (the reference code's format);
 *   only images exactly twice as wide as high are taken as pairs (the
 *   reference datasets, e.g. facades, are 512×256), so a folder of plain
 *   photos is refused with the accepted layouts instead of trained on as
 *   nonsense halves;
 * - folders: `A/` and `B/`, matched by file name without extension (`A/cat.png` ↔ `B/cat.jpg`),
 *   including sub-folders (`A/x/cat.png` ↔ `B/x/cat.png`).
 * Either may sit inside `train/`, `val/`, `test/`.
 *
 * Size rule: A and B are both resized to loadSize² (so any two sizes work, as in
 * pix2pix), but only if they have the same aspect ratio (within 1 %); otherwise
 * the two cannot line up pixel for pixel and the pair is skipped with a warning.
 */
export async function openPairedDataset(dir: string, options: PairedOptions): Promise<PairedDataset> {
  const crop = resolveCrop(options);
  const direction = options.direction ?? 'AtoB';
  await requireFolder(dir);
  const { folder, split, splits } = await resolveSplit(dir, options.split);
  const warnings: string[] = [];
  const hasA = await isFolder(join(folder, 'A'));
  const hasB = await isFolder(join(folder, 'B'));
  if (hasA !== hasB) {
    const [present, missing] = hasA ? ['A', 'B'] : ['B', 'A'];
    throw new DatasetError(
      `${join(folder, missing)}/ is missing: a paired dataset with a ${present}/ folder needs a ${missing}/ folder beside it, with files of the same names`,
      folder,
    );
  }
  const layout = hasA ? 'folders' : 'side-by-side';
  const candidates = hasA ? await matchFolders(folder, warnings) : await sideBySideFiles(folder, warnings);
  const pairs = await keepAlignable(folder, candidates, crop.size, warnings);

  const order = new EpochOrder(pairs.length, crop.seed);
  const unreadable = new UnreadableItems(warnings, folder);
  const room = { x: crop.loadSize - crop.size, y: crop.loadSize - crop.size };
  const name = (file: string) => relative(folder, file);
  const loadPair = async (index: number): Promise<[RawImage, RawImage]> => {
    const pair = pairs[index]!;
    if ('file' in pair) return loadSideBySide(pair.file, name(pair.file), crop.loadSize);
    return Promise.all([loadSquare(pair.a, name(pair.a), crop.loadSize), loadSquare(pair.b, name(pair.b), crop.loadSize)]);
  };

  const batchAt = async (step: number, batchSize: number): Promise<PairedBatch> => {
    checkStepAndBatch(step, batchSize);
    const perImage = crop.size * crop.size * 3;
    const aData = new Float32Array(batchSize * perImage);
    const bData = new Float32Array(batchSize * perImage);
    await Promise.all(
      Array.from({ length: batchSize }, async (_, i) => {
        const sample = step * batchSize + i;
        const [imageA, imageB] = await unreadable.load(order, sample, loadPair);
        // One crop and flip for both sides, so A and B stay aligned.
        const cropFlip = cropFlipAt({ seed: crop.seed, sample }, room, crop.flip);
        writeCrop(imageA, cropFlip, crop.size, crop.size, aData, i * perImage);
        writeCrop(imageB, cropFlip, crop.size, crop.size, bData, i * perImage);
      }),
    );
    const shape: [number, number, number, number] = [batchSize, crop.size, crop.size, 3];
    const a = tf.tensor4d(aData, shape);
    const b = tf.tensor4d(bData, shape);
    return direction === 'AtoB' ? { step, a, b } : { step, a: b, b: a };
  };

  return {
    kind: 'paired',
    layout,
    size: pairs.length,
    warnings,
    split,
    splits,
    pairs,
    batchAt,
    batches: (fromStep, batchSize, opts) => {
      checkStepAndBatch(fromStep, batchSize);
      return prefetchBatches(
        (step) => batchAt(step, batchSize),
        fromStep,
        opts?.prefetch ?? crop.prefetch,
        disposePaired,
      );
    },
  };
}

function disposePaired(batch: PairedBatch): void {
  batch.a.dispose();
  batch.b.dispose();
}

async function sideBySideFiles(folder: string, warnings: string[]): Promise<ImagePair[]> {
  const listing = await listImages(folder);
  warnings.push(...listing.warnings);
  if (listing.files.length === 0) throw noImagesError(folder);
  return listing.files.map((file) => ({ name: relative(folder, file), file }));
}

/** "x/cat" for A/x/cat.png: the key two files must share to be a pair. */
function stemKey(root: string, file: string): string {
  const rel = relative(root, file).split(sep).join('/');
  return rel.slice(0, rel.length - extname(rel).length);
}

async function filesByStem(root: string, side: string, warnings: string[]): Promise<Map<string, string>> {
  const listing = await listImages(root);
  warnings.push(...listing.warnings);
  const byStem = new Map<string, string>();
  for (const file of listing.files) {
    const key = stemKey(root, file);
    const kept = byStem.get(key);
    if (kept) {
      warnings.push(`${side}/: ${basename(kept)} and ${basename(file)} have the same name; using ${basename(kept)}`);
    } else {
      byStem.set(key, file);
    }
  }
  return byStem;
}

async function matchFolders(folder: string, warnings: string[]): Promise<ImagePair[]> {
  const inA = await filesByStem(join(folder, 'A'), 'A', warnings);
  const inB = await filesByStem(join(folder, 'B'), 'B', warnings);
  if (inA.size === 0) throw noImagesError(join(folder, 'A'));
  if (inB.size === 0) throw noImagesError(join(folder, 'B'));
  const pairs: ImagePair[] = [];
  const onlyA: string[] = [];
  for (const [key, a] of inA) {
    const b = inB.get(key);
    if (b) pairs.push({ name: key, a, b });
    else onlyA.push(relative(folder, a));
  }
  const onlyB = [...inB].filter(([key]) => !inA.has(key)).map(([, b]) => relative(folder, b));
  if (pairs.length === 0) {
    throw new DatasetError(
      `no A/B pairs: A/ has ${plural(inA.size, 'image')}, B/ has ${inB.size}, none share a file name; ` +
        `examples: ${nameList([...onlyA.slice(0, 3), ...onlyB.slice(0, 3)], 6)}`,
      folder,
    );
  }
  if (onlyA.length > 0) warnings.push(`${plural(onlyA.length, 'image')} in A/ with no partner in B/ (skipped): ${nameList(onlyA)}`);
  if (onlyB.length > 0) warnings.push(`${plural(onlyB.length, 'image')} in B/ with no partner in A/ (skipped): ${nameList(onlyB)}`);
  pairs.sort((p, q) => byCodePoint(p.name, q.name));
  return pairs;
}

const aspect = (h: ImageHeader) => h.width / h.height;

/** Reads every header once: drops unreadable files and pairs that cannot line up. */
async function keepAlignable(folder: string, pairs: ImagePair[], size: number, warnings: string[]): Promise<ImagePair[]> {
  const files = pairs.flatMap((p) => ('file' in p ? [p.file] : [p.a, p.b]));
  const headers = await probeAll(files.map((file) => ({ file, name: relative(folder, file) })));
  const headerOf = new Map(files.map((file, i) => [file, headers[i]!]));
  const kept: ImagePair[] = [];
  const small: string[] = [];
  const notPairs: { name: string; width: number; height: number }[] = [];
  for (const pair of pairs) {
    const sides = ('file' in pair ? [pair.file] : [pair.a, pair.b]).map((f) => headerOf.get(f)!);
    const broken = sides.find((h): h is ImageDecodeError => h instanceof ImageDecodeError);
    if (broken) {
      warnings.push(`${broken.message}; pair skipped`);
      continue;
    }
    const [first, second] = sides as ImageHeader[];
    if ('file' in pair && !looksLikePair(first!)) {
      notPairs.push({ name: pair.name, width: first!.width, height: first!.height });
      continue;
    }
    if (second && !first!.scalable && !second.scalable) {
      if (Math.abs(aspect(first!) / aspect(second) - 1) > aspectTolerance) {
        warnings.push(
          `${pair.name}: A is ${first!.width}×${first!.height} but B is ${second.width}×${second.height}; ` +
            'A and B of a pair need the same shape to line up, so the pair is skipped',
        );
        continue;
      }
    }
    const width = 'file' in pair ? Math.floor(first!.width / 2) : first!.width;
    if (!first!.scalable && (width < size || first!.height < size)) small.push(pair.name);
    kept.push(pair);
  }
  if (notPairs.length > 0 && kept.length === 0) {
    const example = notPairs[0]!;
    throw new DatasetError(
      `${folder}: no image here looks like a pair (${plural(notPairs.length, 'image')} not twice as wide as high; ` +
        `${example.name} is ${example.width}×${example.height}). ${PAIRED_LAYOUTS}.`,
      folder,
    );
  }
  if (notPairs.length > 0) {
    warnings.push(
      `${plural(notPairs.length, 'image')} not exactly twice as wide as high, so not side-by-side A|B pairs (skipped): ` +
        nameList(notPairs.map((p) => `${p.name} (${p.width}×${p.height})`)),
    );
  }
  if (small.length > 0) {
    warnings.push(`${plural(small.length, 'pair')} smaller than the ${size} px training size will be upscaled (blurry): ${nameList(small)}`);
  }
  if (kept.length === 0) throw new DatasetError(`${folder}: no usable pairs; see the warnings for each file`, folder);
  return kept;
}

/** A side-by-side A|B image: exactly twice as wide as high (a drawing that scales: within the aspect tolerance). */
function looksLikePair(header: ImageHeader): boolean {
  if (header.scalable) return Math.abs(aspect(header) / 2 - 1) <= aspectTolerance;
  return header.width === 2 * header.height;
}
