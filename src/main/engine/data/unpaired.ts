import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ImageDecodeError } from '../image/index.js';
import { cropFlipAt, writeCrop } from './augment.js';
import { checkStepAndBatch, prefetchBatches, type BatchSource } from './batch-stream.js';
import { DatasetError, plural } from './dataset-error.js';
import { isFolder, listImages, noImagesError, requireFolder } from './image-files.js';
import { EpochOrder } from './sample-order.js';
import { loadSquare, probeAll, resolveCrop, type TrainingCropOptions } from './training-crop.js';
import { UnreadableItems } from './unreadable-items.js';

export interface UnpairedOptions extends TrainingCropOptions {
  /** 'train' (trainA/ + trainB/, default) or 'test' (testA/ + testB/). */
  split?: 'train' | 'test';
}

/** One image of each domain per row, drawn independently. NHWC in [-1, 1]; the caller disposes both. */
export interface UnpairedBatch {
  step: number;
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

export interface UnpairedDataset extends BatchSource<UnpairedBatch> {
  readonly kind: 'unpaired';
  /** The larger of the two domains, as CycleGAN counts an epoch. */
  readonly size: number;
  readonly sizes: { a: number; b: number };
  readonly warnings: string[];
  readonly split: 'train' | 'test';
  readonly splits: ('train' | 'test')[];
  readonly files: { a: readonly string[]; b: readonly string[] };
}

/**
 * A CycleGAN dataset: `trainA/` and `trainB/` (and optionally `testA/`, `testB/`),
 * the reference code's layout. A and B images are unrelated, so each side has its
 * own shuffle, crop and flip.
 */
export async function openUnpairedDataset(dir: string, options: UnpairedOptions): Promise<UnpairedDataset> {
  const crop = resolveCrop(options);
  const split = options.split ?? 'train';
  await requireFolder(dir);
  const splits: ('train' | 'test')[] = [];
  for (const s of ['train', 'test'] as const) {
    if ((await isFolder(join(dir, `${s}A`))) && (await isFolder(join(dir, `${s}B`)))) splits.push(s);
  }
  for (const side of ['A', 'B']) {
    if (!(await isFolder(join(dir, `${split}${side}`)))) {
      throw new DatasetError(
        `${split}${side}/ is missing in ${dir}: an unpaired dataset needs ${split}A/ and ${split}B/ (one folder per domain)`,
        dir,
      );
    }
  }
  const warnings: string[] = [];
  const sides = await Promise.all(['A', 'B'].map((side) => readableImages(join(dir, `${split}${side}`), dir, warnings)));
  const [filesA, filesB] = sides as [string[], string[]];

  const sideOf = (files: string[], list: number) => ({
    files,
    order: new EpochOrder(files.length, crop.seed, list),
    unreadable: new UnreadableItems(warnings, dir),
    load: (index: number) => loadSquare(files[index]!, relative(dir, files[index]!), crop.loadSize),
  });
  const domainA = sideOf(filesA, 0);
  const domainB = sideOf(filesB, 1);
  const room = { x: crop.loadSize - crop.size, y: crop.loadSize - crop.size };

  const batchAt = async (step: number, batchSize: number): Promise<UnpairedBatch> => {
    checkStepAndBatch(step, batchSize);
    const perImage = crop.size * crop.size * 3;
    const data = [new Float32Array(batchSize * perImage), new Float32Array(batchSize * perImage)] as const;
    await Promise.all(
      [domainA, domainB].flatMap((domain, list) =>
        Array.from({ length: batchSize }, async (_, i) => {
          const sample = step * batchSize + i;
          const image = await domain.unreadable.load(domain.order, sample, domain.load);
          const target = list === 0 ? data[0] : data[1];
          writeCrop(image, cropFlipAt({ seed: crop.seed, sample, list }, room, crop.flip), crop.size, crop.size, target, i * perImage);
        }),
      ),
    );
    const shape: [number, number, number, number] = [batchSize, crop.size, crop.size, 3];
    return { step, a: tf.tensor4d(data[0], shape), b: tf.tensor4d(data[1], shape) };
  };

  return {
    kind: 'unpaired',
    size: Math.max(filesA.length, filesB.length),
    sizes: { a: filesA.length, b: filesB.length },
    warnings,
    split,
    splits,
    files: { a: filesA, b: filesB },
    batchAt,
    batches: (fromStep, batchSize, opts) => {
      checkStepAndBatch(fromStep, batchSize);
      return prefetchBatches((step) => batchAt(step, batchSize), fromStep, opts?.prefetch ?? crop.prefetch, (b) => {
        b.a.dispose();
        b.b.dispose();
      });
    },
  };
}

/** The images of one folder whose headers read; the others become warnings. */
export async function readableImages(folder: string, root: string, warnings: string[]): Promise<string[]> {
  const listing = await listImages(folder);
  warnings.push(...listing.warnings);
  if (listing.files.length === 0) throw noImagesError(folder);
  const headers = await probeAll(listing.files.map((file) => ({ file, name: relative(root, file) })));
  const readable = listing.files.filter((_, i) => {
    const header = headers[i]!;
    if (header instanceof ImageDecodeError) warnings.push(`${header.message}; skipped`);
    return !(header instanceof ImageDecodeError);
  });
  if (readable.length === 0) {
    throw new DatasetError(`${folder}: none of its ${plural(listing.files.length, 'image')} can be read; see the warnings`, folder);
  }
  return readable;
}
