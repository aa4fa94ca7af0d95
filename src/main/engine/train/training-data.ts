/**
 * Opens the dataset a family trains on, chosen by the family's declared
 * `dataset` kind, never by its id: adding CycleGAN or SRGAN needs no change here.
 *
 * Sample grids show held-out examples when the folder has a test/ (or val/)
 * split, so the grid shows how the model does on images it never trained on.
 */
import type { DatasetFacts, FamilyConfig, FamilyDescriptor } from '../gans/family.js';
import {
  DatasetError,
  openDomainDataset,
  openHighResDataset,
  openPairedDataset,
  openUnpairedDataset,
  degradationMixOf,
  type BatchSource,
} from '../data/index.js';
import type { TrainingData } from './train.js';

export interface OpenedTrainingData<B> {
  data: TrainingData<B>;
  /** Number of training examples (pairs, images of the larger domain…). */
  size: number;
  /** Problems the user may want to fix (skipped files…); the list grows while training meets unreadable files. */
  warnings: string[];
  /** One line for logs: "412 pairs (folders A/ B/, split train)". */
  summary: string;
  /** What the data tells the family's config (a domain dataset's domain names). */
  facts: DatasetFacts;
}

/** Settings the readers take from the family config (a family may set its own load size, e.g. CycleGAN's). */
function cropOf(config: FamilyConfig) {
  const { loadSize } = config as FamilyConfig & { loadSize?: unknown };
  return { size: config.size, seed: config.seed, ...(typeof loadSize === 'number' ? { loadSize } : {}) };
}

function requireRgb(title: string, config: FamilyConfig, dir: string): void {
  // Every reader decodes to RGB; a grey or RGBA model would get batches of the wrong depth.
  if (config.channels !== 3) {
    throw new DatasetError(`${title} is set to ${config.channels} channels, but datasets are read as RGB: set channels to 3`, dir);
  }
}

async function firstHeldOutSplit<B>(open: (split: string) => Promise<BatchSource<B>>, splits: readonly string[]): Promise<BatchSource<B> | null> {
  const held = ['test', 'val'].find((name) => splits.includes(name));
  return held === undefined ? null : open(held);
}

/**
 * The batches for training `family` with `config` on the folder `dir`.
 * Throws a `DatasetError` (a message for the user) when the folder cannot be used.
 */
export async function openTrainingData<C extends FamilyConfig, B>(
  family: FamilyDescriptor<C>,
  dir: string,
  config: C,
): Promise<OpenedTrainingData<B>> {
  requireRgb(family.title, config, dir);
  switch (family.dataset) {
    case 'paired': {
      const train = await openPairedDataset(dir, { ...cropOf(config), split: 'train' });
      const held = await firstHeldOutSplit(
        (split) => openPairedDataset(dir, { size: config.size, loadSize: config.size, flip: false, seed: config.seed, split }),
        train.splits,
      );
      return opened<B>(train as unknown as BatchSource<B>, held as BatchSource<B> | null, train.size, train.warnings,
        `${train.size} pairs (${train.layout === 'folders' ? 'A/ and B/ folders' : 'side-by-side A|B images'}${train.split ? `, split ${train.split}` : ''})`);
    }
    case 'unpaired': {
      const train = await openUnpairedDataset(dir, { ...cropOf(config), split: 'train' });
      const held = train.splits.includes('test')
        ? await openUnpairedDataset(dir, { size: config.size, loadSize: config.size, flip: false, seed: config.seed, split: 'test' })
        : null;
      return opened<B>(train as unknown as BatchSource<B>, held as BatchSource<B> | null, train.size, train.warnings,
        `${train.sizes.a} images in A, ${train.sizes.b} in B`);
    }
    case 'domains': {
      const train = await openDomainDataset(dir, { ...cropOf(config), split: 'train' });
      const heldSplit = ['test', 'val'].find((name) => train.splits.includes(name));
      const held = heldSplit === undefined ? null : await openDomainDataset(dir, { size: config.size, loadSize: config.size, flip: false, seed: config.seed, split: heldSplit });
      if (held !== null && held.domains.join('\u0000') !== train.domains.join('\u0000')) {
        throw new DatasetError(`the splits of ${dir} have different domains: ${train.split}/ has ${train.domains.join(', ')}; ${held.split}/ has ${held.domains.join(', ')}`, dir);
      }
      return opened<B>(train as unknown as BatchSource<B>, held as BatchSource<B> | null, train.size, train.warnings,
        `${train.size} images in ${train.domains.length} domains (${train.domains.map((d, i) => `${d} ${train.domainSizes[i]}`).join(', ')}${train.split ? `, split ${train.split}` : ''})`,
        { domains: train.domains });
    }
    case 'high-res': {
      const scale = (config as FamilyConfig & { scale?: unknown }).scale;
      if (typeof scale !== 'number') {
        throw new Error(`${family.title} trains on high-resolution images but its settings have no 'scale'`);
      }
      const degradation = degradationMixOf(config);
      const train = await openHighResDataset(dir, { scale, patchSize: config.size, seed: config.seed, degradation });
      const degraded = [
        degradation.blurShare ? `${Math.round(degradation.blurShare * 100)}% blurred` : '',
        degradation.jpegShare ? `${Math.round(degradation.jpegShare * 100)}% JPEG` : '',
      ].filter(Boolean);
      return opened<B>(train as unknown as BatchSource<B>, null, train.size, train.warnings,
        `${train.size} images (×${scale}${degraded.length > 0 ? `; ${degraded.join(', ')}` : ''})`);
    }
  }
}

function opened<B>(train: BatchSource<B>, held: BatchSource<B> | null, size: number, warnings: string[], summary: string, facts: DatasetFacts = {}): OpenedTrainingData<B> {
  return {
    data: {
      batchAt: (step, batchSize) => train.batchAt(step, batchSize),
      ...(held ? { sampleBatch: (rows: number) => held.batchAt(0, rows) } : {}),
    },
    size,
    warnings,
    summary,
    facts,
  };
}
