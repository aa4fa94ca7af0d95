/**
 * A photo dropped on the Doodle canvas becomes line art (issue 13: honest
 * inputs); a drawing on white stays as it is. Real photos from Debian's
 * mate-backgrounds and real line art from OpenMoji, decoded with sharp.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { edgeStrength, looksLikePhoto, toLineArt, type Rgba8 } from '../../../src/shared/line-art.js';

const photos = '/usr/share/backgrounds/mate/nature';
const openmoji = dirname(createRequire(import.meta.url).resolve('openmoji/package.json'));

async function load(file: string, size: number): Promise<Rgba8> {
  const { data, info } = await sharp(file, { density: 72 }).resize(size, size, { fit: 'fill' }).flatten({ background: '#ffffff' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

describe('photos on the doodle canvas', () => {
  it.skipIf(!existsSync(photos))('tells photos from drawings on white', async () => {
    const jpgs = readdirSync(photos).filter((f) => f.endsWith('.jpg')).slice(0, 4);
    expect(jpgs.length).toBeGreaterThan(0);
    for (const file of jpgs) expect(looksLikePhoto(await load(join(photos, file), 64))).toBe(true);
    for (const code of ['1F600', '2764', '1F34E']) {
      expect(looksLikePhoto(await load(join(openmoji, 'black', 'svg', `${code}.svg`), 64))).toBe(false);
      expect(looksLikePhoto(await load(join(openmoji, 'color', 'svg', `${code}.svg`), 64))).toBe(false);
    }
  });

  it.skipIf(!existsSync(photos))('traces a photo into black lines on white, on its strongest edges', async () => {
    const file = join(photos, readdirSync(photos).filter((f) => f.endsWith('.jpg'))[0]!);
    const image = await load(file, 64);
    const strength = edgeStrength(image);
    toLineArt(image);
    let black = 0;
    let edgeOnLines = 0;
    let edgeOffLines = 0;
    for (let p = 0; p < 64 * 64; p++) {
      const [r, g, b] = [image.data[p * 4]!, image.data[p * 4 + 1]!, image.data[p * 4 + 2]!];
      expect(r === g && g === b && (r === 0 || r === 255)).toBe(true);
      if (r === 0) {
        black++;
        edgeOnLines += strength[p]!;
      } else edgeOffLines += strength[p]!;
    }
    // About the edge share becomes lines, and they sit where the gradient is strongest.
    expect(black / (64 * 64)).toBeGreaterThan(0.08);
    expect(black / (64 * 64)).toBeLessThan(0.2);
    expect(edgeOnLines / black).toBeGreaterThan(3 * (edgeOffLines / (64 * 64 - black)));
    expect(looksLikePhoto(image)).toBe(false);
  });

  it('leaves a flat silhouette alone: it is a drawing, not a photo', () => {
    expect(looksLikePhoto({ width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4).fill(0) })).toBe(false);
  });

  it('turns a flat image into blank paper, not a black page', () => {
    const flat: Rgba8 = { width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4).fill(90) };
    toLineArt(flat);
    expect([...flat.data].every((v) => v === 255)).toBe(true);
  });
});
