/**
 * Real datasets of one drawing in several styles, from the `@iconify-json/*`
 * emoji sets that install from npm: twemoji (CC BY 4.0), noto (Apache 2.0),
 * fluent-emoji-flat, fluent-emoji and fluent-emoji-high-contrast (MIT: the
 * same drawings flat, shaded and as line art), openmoji (CC BY-SA 4.0). Icons are named alike across sets
 * ('grinning-face', 'red-apple'), so every image has a true counterpart in
 * every other style, which is what lets us score unpaired models honestly.
 *
 * Held-out names are chosen by a hash of the name (as for OpenMoji), so the
 * split does not move when a set adds icons and nothing held out is ever
 * trained on. For unpaired training the remaining names are split in two by
 * another hash: a drawing appears in trainA/ or in trainB/, never in both,
 * so the model cannot learn from pairs it was not meant to have.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { decodeImage, encodeImage, ImageDecodeError } from '../image/index.js';
import { isHeldOut } from './openmoji.js';

const require = createRequire(import.meta.url);

/** The sets this studio has read (their licences are for cards and the dataset's README). */
export const emojiSets = {
  twemoji: { title: 'Twemoji', licence: 'CC BY 4.0' },
  noto: { title: 'Noto Emoji', licence: 'Apache 2.0' },
  'fluent-emoji-flat': { title: 'Fluent Emoji Flat', licence: 'MIT' },
  'fluent-emoji': { title: 'Fluent Emoji (colour, shaded)', licence: 'MIT' },
  // Black line art of the same drawings (currentColor, rendered black on white); 1,594 of the 3,174 names.
  'fluent-emoji-high-contrast': { title: 'Fluent Emoji High Contrast (line art)', licence: 'MIT' },
  openmoji: { title: 'OpenMoji', licence: 'CC BY-SA 4.0' },
} as const;
export type EmojiSetName = keyof typeof emojiSets;

export function isEmojiSet(name: string): name is EmojiSetName {
  return Object.prototype.hasOwnProperty.call(emojiSets, name);
}

interface IconifyIcon {
  body: string;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
}

export interface EmojiSet {
  name: EmojiSetName;
  icons: ReadonlyMap<string, IconifyIcon>;
  width: number;
  height: number;
}

const loaded = new Map<EmojiSetName, Promise<EmojiSet>>();

/** Reads `@iconify-json/<name>/icons.json`; a clear message when the package is missing. */
export function loadEmojiSet(name: EmojiSetName): Promise<EmojiSet> {
  let set = loaded.get(name);
  if (!set) {
    set = (async () => {
      let file: string;
      try {
        file = join(dirname(require.resolve(`@iconify-json/${name}/package.json`)), 'icons.json');
      } catch {
        throw new Error(`The emoji set ${name} is not installed: run \`npm install @iconify-json/${name}\` in the GANvas folder.`);
      }
      const json = JSON.parse(await readFile(file, 'utf8')) as { icons: Record<string, IconifyIcon>; width?: number; height?: number };
      return { name, icons: new Map(Object.entries(json.icons)), width: json.width ?? 16, height: json.height ?? 16 };
    })();
    loaded.set(name, set);
  }
  return set;
}

/** An icon as a standalone SVG document (Iconify keeps only the body and the view box). */
export function iconSvg(set: EmojiSet, icon: string): string {
  const found = set.icons.get(icon);
  if (!found) throw new Error(`${set.name} has no icon '${icon}'`);
  const width = found.width ?? set.width;
  const height = found.height ?? set.height;
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="${found.left ?? 0} ${found.top ?? 0} ${width} ${height}">${found.body}</svg>`;
}

/** Names every set has, sorted. */
export function sharedNames(sets: readonly EmojiSet[]): string[] {
  const [first, ...rest] = sets;
  if (!first) return [];
  return [...first.icons.keys()].filter((name) => rest.every((set) => set.icons.has(name))).sort();
}

/** 'A' or 'B' for a training name, by a hash independent of the held-out one. */
export function unpairedSide(name: string): 'A' | 'B' {
  return createHash('sha256').update(`side:${name}`).digest().readUInt32BE(0) < 2 ** 31 ? 'A' : 'B';
}

/** The icon on white, size×size: a drawing that is not square is centred, so every style's image lines up with the others'. */
export async function renderIcon(set: EmojiSet, name: string, size: number): Promise<Buffer> {
  const image = await decodeImage(Buffer.from(iconSvg(set, name)), { name: `${set.name}:${name}`, svgSize: size, flatten: true });
  const png = await encodeImage(image, 'png');
  if (image.width === size && image.height === size) return png;
  return sharp(png).resize(size, size, { fit: 'contain', background: '#ffffff' }).png().toBuffer();
}

export interface EmojiDatasetOptions {
  /** Side of the rendered PNGs. */
  size: number;
  /** Share of names held out (default 0.1). */
  testFraction?: number;
  /** At most this many names per split (for quick runs and tests). */
  limit?: number;
  onProgress?(done: number, total: number): void;
}

export interface UnpairedEmojiCounts {
  trainA: number;
  trainB: number;
  test: number;
}

/**
 * Writes a CycleGAN dataset from style `from` (A) to style `to` (B):
 * trainA/ and trainB/ with disjoint names, testA/ and testB/ with the same
 * held-out names (true counterparts), PNGs on white named `<icon>.png`.
 */
export async function buildUnpairedEmojiDataset(outDir: string, from: EmojiSetName, to: EmojiSetName, options: EmojiDatasetOptions): Promise<UnpairedEmojiCounts> {
  if (from === to) throw new Error(`the two styles must differ, got ${from} twice`);
  const sets = [await loadEmojiSet(from), await loadEmojiSet(to)] as const;
  const fraction = options.testFraction ?? 0.1;
  const limit = options.limit ?? Infinity;
  const names = sharedNames(sets);
  const held = names.filter((name) => isHeldOut(name, fraction)).slice(0, limit);
  const training = names.filter((name) => !isHeldOut(name, fraction));
  const trainA = training.filter((name) => unpairedSide(name) === 'A').slice(0, limit);
  const trainB = training.filter((name) => unpairedSide(name) === 'B').slice(0, limit);
  const jobs = [
    ...trainA.map((name) => ({ folder: 'trainA', set: sets[0], name })),
    ...trainB.map((name) => ({ folder: 'trainB', set: sets[1], name })),
    ...held.map((name) => ({ folder: 'testA', set: sets[0], name })),
    ...held.map((name) => ({ folder: 'testB', set: sets[1], name })),
  ];
  for (const folder of ['trainA', 'trainB', 'testA', 'testB']) await mkdir(join(outDir, folder), { recursive: true });
  let done = 0;
  for (const job of jobs) {
    await writeFile(join(outDir, job.folder, `${job.name}.png`), await renderIcon(job.set, job.name, options.size));
    options.onProgress?.(++done, jobs.length);
  }
  await writeFile(
    join(outDir, 'README.txt'),
    `Unpaired emoji styles, rendered by GANvas at ${options.size} px: A = ${emojiSets[from].title} (@iconify-json/${from}, ${emojiSets[from].licence}), ` +
      `B = ${emojiSets[to].title} (@iconify-json/${to}, ${emojiSets[to].licence}).\n` +
      `trainA/ and trainB/ hold different drawings; testA/ and testB/ hold the same ${held.length} held-out drawings in both styles.\n`,
  );
  return { trainA: trainA.length, trainB: trainB.length, test: held.length };
}

/** The four styles a multi-domain set is drawn from by default: about 1,500 names are in all of them. */
export const defaultDomainSets: readonly EmojiSetName[] = ['twemoji', 'noto', 'fluent-emoji-flat', 'fluent-emoji'];

export interface DomainEmojiCounts {
  /** Names per domain in train/. */
  train: number;
  /** Held-out names per domain in test/. */
  test: number;
  domains: EmojiSetName[];
  /** Names left out of every style because one style's drawing could not be rendered. */
  skipped: string[];
}

/**
 * Writes a multi-domain (StarGAN) dataset: train/<set>/ and test/<set>/ for
 * each style, every folder with the same names (`<icon>.png` on white), so
 * every image has a true counterpart in every other style. Held-out names
 * are chosen by the same hash as the other emoji sets, and never trained on.
 * A name whose drawing in any style cannot be rendered (resvg crashes on a
 * few, e.g. noto's 'package') is left out of every style, so the folders
 * keep the same names.
 */
export async function buildDomainEmojiDataset(outDir: string, names: readonly EmojiSetName[], options: EmojiDatasetOptions): Promise<DomainEmojiCounts> {
  const unique = [...new Set(names)];
  if (unique.length < 2) throw new Error(`a multi-domain set needs at least 2 different styles, got ${unique.join(', ') || 'none'}`);
  const sets = await Promise.all(unique.map((name) => loadEmojiSet(name)));
  const fraction = options.testFraction ?? 0.1;
  const limit = options.limit ?? Infinity;
  const shared = sharedNames(sets);
  const held = shared.filter((name) => isHeldOut(name, fraction));
  const training = shared.filter((name) => !isHeldOut(name, fraction));
  for (const set of sets) for (const split of ['train', 'test']) await mkdir(join(outDir, split, set.name), { recursive: true });
  const skipped: string[] = [];
  const written = { train: 0, test: 0 };
  const wanted = Math.min(limit, training.length) + Math.min(limit, held.length);
  let done = 0;
  for (const [split, list] of [['train', training], ['test', held]] as const) {
    for (const name of list) {
      if (written[split] >= limit) break;
      let images: Buffer[];
      try {
        images = await Promise.all(sets.map((set) => renderIcon(set, name, options.size)));
      } catch (error) {
        if (!(error instanceof ImageDecodeError)) throw error;
        skipped.push(name);
        continue;
      }
      await Promise.all(sets.map((set, i) => writeFile(join(outDir, split, set.name, `${name}.png`), images[i]!)));
      written[split]++;
      options.onProgress?.(++done, wanted);
    }
  }
  await writeFile(
    join(outDir, 'README.txt'),
    `Emoji styles as domains, rendered by GANvas at ${options.size} px: ` +
      unique.map((name) => `${name}/ = ${emojiSets[name].title} (@iconify-json/${name}, ${emojiSets[name].licence})`).join('; ') +
      `.\ntrain/ holds ${written.train} drawings in every style, test/ ${written.test} held-out drawings in every style (the same names in each folder).\n` +
      (skipped.length ? `Left out because a style's drawing could not be rendered: ${skipped.join(', ')}.\n` : ''),
  );
  return { train: written.train, test: written.test, domains: unique, skipped };
}
