/**
 * An upscaled file is the same photo, larger: made upright from its EXIF
 * orientation (and tagged upright), in its own ICC profile, with its EXIF and
 * XMP carried over, its alpha upscaled by bicubic, and a record of what made
 * it. The inputs are real photos (Debian's mate nature wallpapers) tagged by
 * sharp at test time; ESRGAN slim ×2 is the model (the fastest).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { decodeImage, openPixelRows } from '../../src/main/engine/image/index.js';
import { bicubicUpscalePlane } from '../../src/main/engine/upscale/bicubic.js';
import { uprightExif } from '../../src/main/engine/upscale/file-metadata.js';
import { upscaleFile } from '../../src/main/engine/upscale/upscale-file.js';

const PHOTO = '/usr/share/backgrounds/mate/nature/Dune.jpg';
let root: string;

/** The photo at 60×40, as raw RGB. */
let small: Buffer;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  root = mkdtempSync(path.join(tmpdir(), 'ganvas-upscale-fidelity-'));
  small = await sharp(PHOTO).resize(60, 40, { fit: 'cover' }).removeAlpha().raw().toBuffer();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const raw = { raw: { width: 60, height: 40, channels: 3 as const } };

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!));
  return most;
}



describe('what an upscaled file keeps', () => {
  it('applies the EXIF orientation, tags the result upright, keeps the other EXIF fields and the XMP, and records the model', async () => {
    // Orientation 6: stored landscape, shown turned 90° clockwise (portrait).
    const oriented = path.join(root, 'oriented.jpg');
    const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject>ganvas-test-dune</dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>';
    await sharp(small, raw).withExif({ IFD0: { Make: 'GanvasTestCam', Copyright: 'Jane Photographer' } }).withMetadata({ orientation: 6 }).withXmp(xmp).jpeg({ quality: 95 }).toFile(oriented);
    expect((await sharp(oriented).metadata()).xmp?.toString()).toContain('ganvas-test-dune');
    expect((await sharp(oriented).metadata()).orientation).toBe(6);
    // The same photo with its pixels already turned, and no orientation tag.
    const turned = path.join(root, 'turned.png');
    await sharp(oriented).rotate().png().toFile(turned);

    for (const format of ['png', 'jpeg'] as const) {
      const output = path.join(root, `oriented-x2.${format}`);
      const done = await upscaleFile(oriented, output, { scale: 2, model: 'esrgan-slim-x2', format });
      expect([done.width, done.height]).toEqual([80, 120]);
      const meta = await sharp(output).metadata();
      expect([meta.width, meta.height]).toEqual([80, 120]);
      expect(meta.orientation ?? 1).toBe(1);
      const exif = meta.exif?.toString('latin1') ?? '';
      expect(exif).toContain('GanvasTestCam');
      expect(exif).toContain('Jane Photographer');
      expect(meta.xmp?.toString(), format).toContain('ganvas-test-dune');
      if (format === 'png') {
        expect(meta.comments).toEqual(expect.arrayContaining([{ keyword: 'Software', text: expect.stringMatching(/^GANvas .*: upscaled x2 with esrgan-slim-x2$/) }]));
      } else {
        expect(exif).toMatch(/GANvas .*: upscaled x2 with esrgan-slim-x2/);
      }
    }
    // Upright pixels: the same as upscaling the turned photo.
    await upscaleFile(turned, path.join(root, 'turned-x2.png'), { scale: 2, model: 'esrgan-slim-x2' });
    const a = await decodeImage(path.join(root, 'oriented-x2.png'));
    const b = await decodeImage(path.join(root, 'turned-x2.png'));
    // JPEG re-encoding of the oriented input differs from the PNG a little; a wrong turn differs by far more.
    expect(meanAbsDifference(a.data, b.data)).toBeLessThan(3);
  }, 60_000);

  it('keeps a Display P3 photo in P3 with its profile, instead of squeezing it into sRGB', async () => {
    const p3 = path.join(root, 'p3.png');
    await sharp(small, raw).withIccProfile('p3').png().toFile(p3);
    const icc = (await sharp(p3).metadata()).icc!;
    expect(icc.length).toBeGreaterThan(100);
    const stored = await sharp(p3).keepIccProfile().raw().toBuffer();
    const asSrgb = await sharp(p3).toColourspace('srgb').raw().toBuffer();
    // The test can fail: converting this photo to sRGB moves its values by a few levels on average.
    const shift = meanAbsDifference(stored, asSrgb);
    expect(shift).toBeGreaterThan(2);

    // Large images are read from a temporary file: the same stored values there.
    const rows = await openPixelRows(p3, { keepIccProfile: true, inMemoryPixels: 0 });
    try {
      expect(rows.inIccProfile).toBe(true);
      expect(Buffer.from(await rows.read(0, 40)).equals(stored)).toBe(true);
    } finally {
      await rows.close();
    }
    const converted = await openPixelRows(p3, { inMemoryPixels: 0 });
    expect(Buffer.from(await converted.read(0, 40)).equals(asSrgb)).toBe(true);
    await converted.close();

    // The same stored values without a profile: what the network must have seen.
    const untagged = path.join(root, 'untagged.png');
    await sharp(stored, raw).png().toFile(untagged);
    await upscaleFile(untagged, path.join(root, 'untagged-x2.png'), { scale: 2, model: 'esrgan-slim-x2' });
    const reference = await sharp(path.join(root, 'untagged-x2.png')).raw().toBuffer();
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const output = path.join(root, `p3-x2.${format}`);
      await upscaleFile(p3, output, { scale: 2, model: 'esrgan-slim-x2', format });
      const meta = await sharp(output).metadata();
      expect(meta.icc?.equals(icc), format).toBe(true);
      const out = await sharp(output).keepIccProfile().removeAlpha().raw().toBuffer();
      // Upscaled in P3, not converted: the same as the untagged copy (up to JPEG/WebP's loss).
      expect(meanAbsDifference(out, reference), format).toBeLessThan(format === 'png' ? 0.01 : shift / 3);
    }
  }, 60_000);

  it('upscales the alpha channel with bicubic, and the colour with the model', async () => {
    const width = 60;
    const height = 40;
    const rgba = Buffer.alloc(width * height * 4);
    const alpha = new Float32Array(width * height);
    for (let p = 0; p < width * height; p++) {
      const x = p % width;
      const y = Math.floor(p / width);
      // A soft-edged disc.
      const a = Math.max(0, Math.min(255, Math.round(255 * (1.5 - Math.hypot(x - 30, y - 20) / 12))));
      rgba.set([small[p * 3]!, small[p * 3 + 1]!, small[p * 3 + 2]!, a], p * 4);
      alpha[p] = a;
    }
    const input = path.join(root, 'cutout.png');
    await sharp(rgba, { raw: { width, height, channels: 4 } }).png().toFile(input);
    const output = path.join(root, 'cutout-x2.png');
    await upscaleFile(input, output, { scale: 2, model: 'esrgan-slim-x2' });
    const out = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    expect(out.info.channels).toBe(4);
    const expected = bicubicUpscalePlane(alpha, width, height, 2);
    const got = new Uint8Array(expected.length);
    const want = new Uint8Array(expected.length);
    for (let p = 0; p < expected.length; p++) {
      got[p] = out.data[p * 4 + 3]!;
      want[p] = Math.max(0, Math.min(255, Math.round(expected[p]!)));
    }
    expect(maxDifference(got, want)).toBeLessThanOrEqual(1);
    // The colour is the model's: not the bicubic of the red channel.
    const red = new Float32Array(width * height);
    for (let p = 0; p < width * height; p++) red[p] = small[p * 3]!;
    const bicubicRed = bicubicUpscalePlane(red, width, height, 2);
    let apart = 0;
    for (let p = 0; p < bicubicRed.length; p++) apart = Math.max(apart, Math.abs(out.data[p * 4]! - Math.round(bicubicRed[p]!)));
    expect(apart).toBeGreaterThan(5);
  }, 60_000);
});

function meanAbsDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('uprightExif', () => {
  it('sets IFD0 Orientation to 1 in either byte order and drops what it cannot parse', async () => {
    for (const order of ['II', 'MM']) {
      const tiff = Buffer.alloc(26);
      const little = order === 'II';
      tiff.write(order, 0, 'latin1');
      const w16 = (v: number, at: number) => (little ? tiff.writeUInt16LE(v, at) : tiff.writeUInt16BE(v, at));
      const w32 = (v: number, at: number) => (little ? tiff.writeUInt32LE(v, at) : tiff.writeUInt32BE(v, at));
      w16(42, 2);
      w32(8, 4);
      w16(1, 8); // one entry
      w16(0x0112, 10);
      w16(3, 12); // SHORT
      w32(1, 14);
      w16(8, 18); // orientation 8
      const fixed = uprightExif(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]))!;
      expect(little ? fixed.readUInt16LE(18) : fixed.readUInt16BE(18)).toBe(1);
      expect(fixed.length).toBe(26);
    }
    expect(uprightExif(Buffer.from('not exif at all'))).toBeUndefined();
  });
});
