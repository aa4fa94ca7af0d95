import { join } from 'node:path';
import { DatasetError } from './dataset-error.js';
import { isFolder } from './image-files.js';

export const splitNames = ['train', 'val', 'test'] as const;

/**
 * pix2pix datasets ship as `train/`, `val/`, `test/` folders (the reference
 * code's layout); a folder without them is one split, used for training.
 */
export async function resolveSplit(
  dir: string,
  requested: string | undefined,
): Promise<{ folder: string; split: string | undefined; splits: string[] }> {
  const splits: string[] = [];
  for (const name of splitNames) if (await isFolder(join(dir, name))) splits.push(name);
  if (splits.length === 0) {
    if (requested !== undefined && requested !== 'train') {
      throw new DatasetError(
        `${dir} has no ${requested}/ folder: it is a single set of images; put the ${requested} images in ${join(dir, requested)}`,
        dir,
      );
    }
    return { folder: dir, split: undefined, splits };
  }
  const split = requested ?? 'train';
  if (!splits.includes(split)) {
    throw new DatasetError(`${join(dir, split)} does not exist: this dataset has ${splits.map((s) => `${s}/`).join(', ')}`, dir);
  }
  return { folder: join(dir, split), split, splits };
}
