import { join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cropFlipAt, writeCrop } from './augment.js';
import { checkStepAndBatch, prefetchBatches, type BatchSource } from './batch-stream.js';
import { DatasetError, nameList, plural } from './dataset-error.js';
import { isImageFile, requireFolder, subfolders } from './image-files.js';
import { readdir } from 'node:fs/promises';
import { EpochOrder } from './sample-order.js';
import { loadSquare, resolveCrop, type TrainingCropOptions } from './training-crop.js';
import { readableImages } from './unpaired.js';
import { UnreadableItems } from './unreadable-items.js';
import { resolveSplit } from './splits.js';

export interface DomainOptions extends TrainingCropOptions {
  /** 'train' (default), 'val' or 'test', when the folder has those splits, each with the same domain sub-folders. */
  split?: string;
}

/**
 * Images with the domain each came from. `labels` is one-hot [batch, domains]
 * (domain order = `dataset.domains`); `domainIndex[i]` is the same as an index.
 * The caller disposes `images` and `labels`.
 */
export interface DomainBatch {
  step: number;
  images: tf.Tensor4D;
  labels: tf.Tensor2D;
  domainIndex: number[];
}

export interface DomainDataset extends BatchSource<DomainBatch> {
  readonly kind: 'domains';
  /** All images of all domains. */
  readonly size: number;
  /** Folder names, sorted: the label order. */
  readonly domains: string[];
  readonly domainSizes: number[];
  readonly warnings: string[];
  /** The split read ('train', 'test'…), or undefined for a folder without splits. */
  readonly split: string | undefined;
  /** The splits the folder has (empty: the folder is one set). */
  readonly splits: string[];
  /** Every image, with its domain index, in a fixed order (domain, then file name). */
  readonly files: readonly { file: string; domain: number }[];
}

/**
 * A StarGAN dataset: one sub-folder per domain (`photo/`, `monet/`, `ukiyoe/`…),
 * at least two, none empty; or `train/` and `test/` (or `val/`) splits that
 * each hold those sub-folders (the held-out split is for sample grids and
 * scores). One shuffle runs over all images, so domains appear in
 * proportion to their size, as StarGAN samples its training set.
 */
export async function openDomainDataset(root: string, options: DomainOptions): Promise<DomainDataset> {
  const crop = resolveCrop(options);
  await requireFolder(root);
  const { folder: dir, split, splits } = await resolveSplit(root, options.split);
  const domains = await subfolders(dir);
  if (domains.length < 2) {
    throw new DatasetError(
      `a domain dataset needs at least 2 sub-folders, one per domain (e.g. photo/ and painting/); ${dir} has ${
        domains.length === 0 ? 'none' : `only ${domains[0]}/`
      }`,
      dir,
    );
  }
  const warnings: string[] = [];
  const loose = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && isImageFile(e.name));
  if (loose.length > 0) {
    warnings.push(
      `${dir}: ${plural(loose.length, 'image')} outside the domain folders ignored: ${nameList(loose.map((e) => e.name))}`,
    );
  }
  const perDomain: string[][] = [];
  for (const domain of domains) perDomain.push(await readableImages(join(dir, domain), dir, warnings));
  const items = perDomain.flatMap((files, domain) => files.map((file) => ({ file, domain })));

  const order = new EpochOrder(items.length, crop.seed);
  const unreadable = new UnreadableItems(warnings, dir);
  const room = { x: crop.loadSize - crop.size, y: crop.loadSize - crop.size };
  const load = async (index: number) => {
    const item = items[index]!;
    return { image: await loadSquare(item.file, relative(dir, item.file), crop.loadSize), domain: item.domain };
  };

  const batchAt = async (step: number, batchSize: number): Promise<DomainBatch> => {
    checkStepAndBatch(step, batchSize);
    const perImage = crop.size * crop.size * 3;
    const pixels = new Float32Array(batchSize * perImage);
    const oneHot = new Float32Array(batchSize * domains.length);
    const domainIndex = new Array<number>(batchSize).fill(0);
    await Promise.all(
      Array.from({ length: batchSize }, async (_, i) => {
        const sample = step * batchSize + i;
        const { image, domain } = await unreadable.load(order, sample, load);
        writeCrop(image, cropFlipAt({ seed: crop.seed, sample }, room, crop.flip), crop.size, crop.size, pixels, i * perImage);
        oneHot[i * domains.length + domain] = 1;
        domainIndex[i] = domain;
      }),
    );
    return {
      step,
      images: tf.tensor4d(pixels, [batchSize, crop.size, crop.size, 3]),
      labels: tf.tensor2d(oneHot, [batchSize, domains.length]),
      domainIndex,
    };
  };

  return {
    kind: 'domains',
    size: items.length,
    split,
    splits,
    files: items,
    domains,
    domainSizes: perDomain.map((files) => files.length),
    warnings,
    batchAt,
    batches: (fromStep, batchSize, opts) => {
      checkStepAndBatch(fromStep, batchSize);
      return prefetchBatches((step) => batchAt(step, batchSize), fromStep, opts?.prefetch ?? crop.prefetch, (b) => {
        b.images.dispose();
        b.labels.dispose();
      });
    },
  };
}
