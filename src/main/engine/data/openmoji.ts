/**
 * A real sketch → image dataset from the `openmoji` npm package (CC BY-SA
 * 4.0): black line art (A) ↔ colour (B), one pair per emoji. Used for the
 * bundled Doodle model and for demos (`ganvas dataset openmoji`).
 *
 * The held-out split is fixed by a hash of each emoji's code, not by order,
 * so it does not change when OpenMoji adds emoji and nothing held out is
 * ever trained on.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeImage, encodeImage } from '../image/index.js';

const require = createRequire(import.meta.url);

export function openMojiRoot(): string {
  try {
    return dirname(require.resolve('openmoji/package.json'));
  } catch {
    throw new Error('The openmoji package is not installed: run `npm install openmoji` in the GANvas folder.');
  }
}

/** Codes (file stems) that have both a line-art and a colour SVG, sorted. */
export async function openMojiCodes(): Promise<string[]> {
  const root = openMojiRoot();
  const colour = new Set(await readdir(join(root, 'color', 'svg')));
  return (await readdir(join(root, 'black', 'svg')))
    .filter((file) => file.endsWith('.svg') && colour.has(file))
    .map((file) => file.slice(0, -'.svg'.length))
    .sort();
}

/** True for the ~`fraction` of codes held out for testing; stable across OpenMoji versions. */
export function isHeldOut(code: string, fraction: number): boolean {
  const bucket = createHash('sha256').update(code).digest().readUInt32BE(0) / 2 ** 32;
  return bucket < fraction;
}

export interface OpenMojiDatasetOptions {
  /** Side of the rendered PNGs. */
  size: number;
  /** Share of emoji held out in test/ (default 0.1). */
  testFraction?: number;
  /** Render at most this many pairs per split (for quick runs). */
  limit?: number;
  onProgress?(done: number, total: number): void;
}

/** Writes `train/A`, `train/B`, `test/A`, `test/B` PNGs on white; returns the pair counts. */
export async function buildOpenMojiDataset(outDir: string, options: OpenMojiDatasetOptions): Promise<{ train: number; test: number }> {
  const root = openMojiRoot();
  const fraction = options.testFraction ?? 0.1;
  const codes = await openMojiCodes();
  const splits = { train: [] as string[], test: [] as string[] };
  for (const code of codes) (isHeldOut(code, fraction) ? splits.test : splits.train).push(code);
  const limit = options.limit ?? Infinity;
  const jobs = (['train', 'test'] as const).flatMap((split) => splits[split].slice(0, limit).map((code) => ({ split, code })));
  for (const split of ['train', 'test'] as const) {
    await mkdir(join(outDir, split, 'A'), { recursive: true });
    await mkdir(join(outDir, split, 'B'), { recursive: true });
  }
  let done = 0;
  for (const { split, code } of jobs) {
    for (const [side, variant] of [['A', 'black'], ['B', 'color']] as const) {
      const image = await decodeImage(join(root, variant, 'svg', `${code}.svg`), { svgSize: options.size, flatten: true });
      await writeFile(join(outDir, split, side, `${code}.png`), await encodeImage(image, 'png'));
    }
    options.onProgress?.(++done, jobs.length);
  }
  return { train: Math.min(limit, splits.train.length), test: Math.min(limit, splits.test.length) };
}
