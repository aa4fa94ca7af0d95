import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  listImages,
  openDomainDataset,
  openHighResDataset,
  openPairedDataset,
  openUnpairedDataset,
} from '../../src/main/engine/data/index.js';
import { EpochOrder } from '../../src/main/engine/data/sample-order.js';
import { seededPermutation } from '../../src/main/engine/data/seeded-random.js';
import { buildEmojiSets } from './fixtures/openmoji.js';

let root: string;
let count = 0;
const freshDir = async (...children: string[]) => {
  const dir = join(root, `case-${count++}`);
  await mkdir(dir, { recursive: true });
  for (const child of children) await mkdir(join(dir, child), { recursive: true });
  return dir;
};

async function rejection(promise: Promise<unknown>): Promise<DatasetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ganvas-data-validation-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('listImages', () => {
  it('recurses, skips dot-files and reports non-images', async () => {
    const dir = await freshDir('nested/deeper', '.hidden');
    await buildEmojiSets(dir, { twitter: 'nested/deeper', google: '.hidden' }, { count: 2 });
    await buildEmojiSets(dir, { twitter: '.', google: 'nested' }, { count: 1, start: 5 });
    await writeFile(join(dir, 'notes.txt'), 'about these images');
    await writeFile(join(dir, 'nested', 'labels.csv'), 'a,b');
    await writeFile(join(dir, '.DS_Store'), 'finder');
    const { files, warnings } = await listImages(dir);
    // Sorted by relative path in code-point order; .hidden/ is not entered.
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      expect.stringMatching(/^[^/]+\.png$/),
      expect.stringMatching(/^nested\/[^/]+\.png$/),
      expect.stringMatching(/^nested\/deeper\/.+\.png$/),
      expect.stringMatching(/^nested\/deeper\/.+\.png$/),
    ]);
    expect(warnings).toEqual([`${dir}: 2 files skipped (not images): nested/labels.csv, notes.txt`]);
    const flat = await listImages(dir, { recursive: false });
    expect(flat.files).toHaveLength(1);
  });
});

describe('messages a user can act on', () => {
  it('empty folder, missing path and a file instead of a folder', async () => {
    const empty = await freshDir();
    const noImages = await rejection(openPairedDataset(empty, { size: 32 }));
    expect(noImages.message).toBe(`${empty} has no images (looked for .png, .jpg, .jpeg, .webp, .gif, .tif, .tiff, .avif, .svg)`);
    const missing = join(root, 'no-such-folder');
    expect((await rejection(openUnpairedDataset(missing, { size: 32 }))).message).toBe(
      `${missing} does not exist: choose an existing folder`,
    );
    const file = join(empty, 'a.png');
    await writeFile(file, 'x');
    expect((await rejection(openHighResDataset(file, { scale: 2, patchSize: 32 }))).message).toBe(
      `${file} is a file, not a folder: choose the folder that holds the images`,
    );
    expect((await rejection(openDomainDataset(file, { size: 32 }))).message).toMatch(/is a file, not a folder/);
  });

  it('paired folders with no shared names, or with only one side', async () => {
    const dir = await freshDir();
    await buildEmojiSets(dir, { twitter: 'A', google: 'tmp' }, { count: 12 });
    await buildEmojiSets(dir, { twitter: 'tmp2', google: 'B' }, { count: 9, start: 100 });
    const error = await rejection(openPairedDataset(dir, { size: 32 }));
    expect(error.message).toMatch(/^no A\/B pairs: A\/ has 12 images, B\/ has 9, none share a file name; examples: A\/.+\.png, .*B\/.+\.png/);

    const oneSided = await freshDir();
    await buildEmojiSets(oneSided, { twitter: 'A', google: 'other' }, { count: 2 });
    expect((await rejection(openPairedDataset(oneSided, { size: 32 }))).message).toBe(
      `${join(oneSided, 'B')}/ is missing: a paired dataset with a A/ folder needs a B/ folder beside it, with files of the same names`,
    );
  });

  it('reports unmatched files and pairs that cannot line up, and keeps the rest', async () => {
    const dir = await freshDir();
    const names = await buildEmojiSets(dir, { twitter: 'A', google: 'B' }, { count: 4 });
    await buildEmojiSets(dir, { twitter: 'A', google: 'elsewhere' }, { count: 1, start: 50 });
    // A wide image in B/ under a shared name: 64×64 vs 64×32 cannot be aligned.
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 64, height: 32, channels: 3, background: '#808080' } })
      .png()
      .toFile(join(dir, 'B', names[0]!));
    const dataset = await openPairedDataset(dir, { size: 32 });
    expect(dataset.size).toBe(3);
    expect(dataset.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1 image in A\/ with no partner in B\/ \(skipped\): A\/.+\.png$/),
        `${names[0]!.replace('.png', '')}: A is 64×64 but B is 64×32; A and B of a pair need the same shape to line up, so the pair is skipped`,
      ]),
    );
    const larger = await openPairedDataset(dir, { size: 96 });
    expect(larger.warnings).toContainEqual(
      expect.stringMatching(/^3 pairs smaller than the 96 px training size will be upscaled \(blurry\): /),
    );
  });

  it('pix2pix split folders: train/ is used, a missing split is named', async () => {
    const dir = await freshDir();
    await buildEmojiSets(join(dir, 'train'), { twitter: 'A', google: 'B' }, { count: 3 });
    await buildEmojiSets(join(dir, 'test'), { twitter: 'A', google: 'B' }, { count: 2, start: 10 });
    const train = await openPairedDataset(dir, { size: 32 });
    expect([train.split, train.splits, train.size]).toEqual(['train', ['train', 'test'], 3]);
    const test = await openPairedDataset(dir, { size: 32, split: 'test' });
    expect(test.size).toBe(2);
    expect((await rejection(openPairedDataset(dir, { size: 32, split: 'val' }))).message).toBe(
      `${join(dir, 'val')} does not exist: this dataset has train/, test/`,
    );
  });

  it('unpaired without trainB/, domains with one domain or an empty one', async () => {
    const dir = await freshDir();
    await buildEmojiSets(dir, { twitter: 'trainA', google: 'testA' }, { count: 2 });
    expect((await rejection(openUnpairedDataset(dir, { size: 32 }))).message).toBe(
      `trainB/ is missing in ${dir}: an unpaired dataset needs trainA/ and trainB/ (one folder per domain)`,
    );
    const one = await freshDir();
    await buildEmojiSets(one, { twitter: 'cats', google: 'cats' }, { count: 2 });
    expect((await rejection(openDomainDataset(one, { size: 32 }))).message).toBe(
      `a domain dataset needs at least 2 sub-folders, one per domain (e.g. photo/ and painting/); ${one} has only cats/`,
    );
    const emptyDomain = await freshDir('dogs');
    await buildEmojiSets(emptyDomain, { twitter: 'cats', google: 'owls' }, { count: 2 });
    expect((await rejection(openDomainDataset(emptyDomain, { size: 32 }))).message).toBe(
      `${join(emptyDomain, 'dogs')} has no images (looked for .png, .jpg, .jpeg, .webp, .gif, .tif, .tiff, .avif, .svg)`,
    );
  });

  it('rejects nonsense sizes before touching the disk', async () => {
    await expect(openPairedDataset(root, { size: 0 })).rejects.toThrow(/size must be a whole number/);
    await expect(openPairedDataset(root, { size: 64, loadSize: 32 })).rejects.toThrow(/loadSize must be/);
    await expect(openHighResDataset(root, { scale: 4, patchSize: 30 })).rejects.toThrow(/multiple of the scale/);
  });
});

describe('sample order', () => {
  it('each epoch is a permutation, different per epoch and per seed, and repeatable', () => {
    const order = new EpochOrder(50, 7);
    const epoch = (o: EpochOrder, e: number) => Array.from({ length: 50 }, (_, i) => o.indexAt(e * 50 + i));
    const first = epoch(order, 0);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epoch(order, 1)).not.toEqual(first);
    expect(epoch(new EpochOrder(50, 7), 0)).toEqual(first);
    expect(epoch(new EpochOrder(50, 8), 0)).not.toEqual(first);
    expect(epoch(order, 3)).toEqual(epoch(new EpochOrder(50, 7), 3)); // no hidden state: jump straight to epoch 3
    expect(Array.from(seededPermutation(5, 1)).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
