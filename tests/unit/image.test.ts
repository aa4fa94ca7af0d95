import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasonForDecodeFailure } from '../../src/main/engine/image/image-decode-error.js';
import {
  ImageDecodeError,
  decodeImage,
  encodeImage,
  imageToTensor,
  probeImage,
  resizeImage,
  tensorToImage,
  type RawImage,
} from '../../src/main/engine/image/index.js';

let dir: string;
const file = (name: string) => join(dir, name);

/** 4×2 RGB gradient: pixel (x, y) = (40x, 100y, 200). Distinct per pixel, so orientation is checkable. */
function gradient(): RawImage {
  const width = 4;
  const height = 2;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set([40 * x, 100 * y, 200], (y * width + x) * 3);
  return { data, width, height, channels: 3 };
}

const pixel = (img: RawImage, x: number, y: number) =>
  Array.from(img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));

async function expectDecodeError(source: string, reason: RegExp) {
  const error = await decodeImage(source).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImageDecodeError);
  const { fileName, message } = error as ImageDecodeError;
  expect(fileName).toBe(source.split('/').pop());
  expect((error as ImageDecodeError).reason).toMatch(reason);
  expect(message).toBe(`${fileName}: ${(error as ImageDecodeError).reason}`);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'ganvas-image-'));
  const g = gradient();
  const raw = { raw: { width: g.width, height: g.height, channels: 3 as const } };
  // RGBA: left half opaque red, right half fully transparent green, last pixel half-transparent blue.
  const rgba = new Uint8Array(4 * 2 * 4);
  for (let p = 0; p < 8; p++) rgba.set(p % 4 < 2 ? [255, 0, 0, 255] : [0, 255, 0, 0], p * 4);
  rgba.set([0, 0, 255, 128], 7 * 4);
  await sharp(rgba, { raw: { width: 4, height: 2, channels: 4 } }).png().toFile(file('rgba.png'));
  // JPEG blurs single pixels, so the orientation fixture uses the gradient scaled up to 8×8 blocks.
  await sharp(g.data, raw)
    .resize(32, 16, { kernel: 'nearest' })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .withMetadata({ orientation: 6 })
    .toFile(file('rotated.jpg'));
  await sharp(g.data, raw).toColourspace('rgb16').png().toFile(file('deep.png'));
  await sharp(g.data, raw).toColourspace('b-w').png().toFile(file('grey.png'));
  await sharp(g.data, raw).webp({ lossless: true }).toFile(file('lossless.webp'));
  await sharp(g.data, raw).png({ palette: true, colours: 16 }).toFile(file('palette.png'));
  await sharp(g.data, raw).tiff({ compression: 'lzw' }).toFile(file('scan.tiff'));
  await sharp(g.data, raw).gif().toFile(file('anim.gif'));
  await sharp(g.data, raw).avif().toFile(file('modern.avif'));
  const big = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#3366cc' } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  await writeFile(file('broken.png'), big.subarray(0, big.length >> 1));
  await writeFile(file('notes.txt'), 'shopping list: eggs, milk\n');
  await writeFile(file('empty.jpg'), Buffer.alloc(0));
  // The first bytes of an iPhone HEIC: an ISO-BMFF 'ftyp' box with brand 'heic'.
  await writeFile(
    file('photo.heic'),
    Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64)]),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('decodeImage', () => {
  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    const img = await decodeImage(file('rotated.jpg'));
    expect([img.width, img.height, img.channels, img.format]).toEqual([16, 32, 3, 'jpeg']);
    // Block centres; after a 90° clockwise turn source block (bx, by) lands at (1 - by, bx).
    const block = (bx: number, by: number) => pixel(img, bx * 8 + 4, by * 8 + 4);
    const near = (actual: number[], expected: number[]) =>
      actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(4));
    near(block(0, 0), [0, 100, 200]); // source (0, 1)
    near(block(1, 0), [0, 0, 200]); // source (0, 0)
    near(block(1, 3), [120, 0, 200]); // source (3, 0)
    near(block(0, 3), [120, 100, 200]); // source (3, 1)
    expect(await probeImage(file('rotated.jpg'))).toMatchObject({ width: 16, height: 32, format: 'jpeg' });
  });

  it('keeps alpha unless asked to flatten, then blends onto white or a given colour', async () => {
    const kept = await decodeImage(file('rgba.png'));
    expect([kept.channels, kept.hasAlpha]).toEqual([4, true]);
    expect(pixel(kept, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(pixel(kept, 2, 0)[3]).toBe(0);

    const white = await decodeImage(file('rgba.png'), { flatten: true });
    expect([white.channels, white.hasAlpha]).toEqual([3, false]);
    expect(pixel(white, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(white, 2, 0)).toEqual([255, 255, 255]);
    // 128/255 blue over white: 255·(127/255) ≈ 127 in red and green.
    expect(pixel(white, 3, 1)).toEqual([127, 127, 255]);

    const black = await decodeImage(file('rgba.png'), { flatten: { r: 0, g: 0, b: 0 } });
    expect(pixel(black, 2, 0)).toEqual([0, 0, 0]);
    expect(pixel(black, 3, 1)).toEqual([0, 0, 128]);
  });

  it('reduces 16-bit, greyscale, palette, WebP, TIFF and GIF to 8-bit RGB', async () => {
    const deep = await decodeImage(file('deep.png'));
    expect(deep.channels).toBe(3);
    expect(pixel(deep, 3, 1)).toEqual([120, 100, 200]);

    const grey = await decodeImage(file('grey.png'));
    expect((await sharp(file('grey.png')).metadata()).channels).toBe(1);
    expect(grey.channels).toBe(3);
    const [r, g, b] = pixel(grey, 1, 1);
    expect(r).toBe(g);
    expect(g).toBe(b);

    const webp = await decodeImage(file('lossless.webp'));
    expect([webp.format, ...pixel(webp, 2, 1)]).toEqual(['webp', 80, 100, 200]);

    const palette = await decodeImage(file('palette.png'));
    expect((await sharp(file('palette.png')).metadata()).isPalette).toBe(true);
    expect(palette.channels).toBe(3);
    expect(pixel(palette, 2, 1)).toEqual([80, 100, 200]);

    const tiff = await decodeImage(file('scan.tiff'));
    expect([tiff.format, ...pixel(tiff, 1, 0)]).toEqual(['tiff', 40, 0, 200]);

    const gif = await decodeImage(file('anim.gif'));
    expect([gif.format, gif.width, gif.height, gif.channels]).toEqual(['gif', 4, 2, 3]);

    const avif = await decodeImage(file('modern.avif'));
    expect([avif.format, avif.width, avif.height, avif.channels]).toEqual(['avif', 4, 2, 3]);
  });

  it('renders an OpenMoji SVG at the asked size with a transparent background', async () => {
    const svg = join('node_modules/openmoji/color/svg', '1F600.svg');
    const img = await decodeImage(svg, { svgSize: 64 });
    expect([img.width, img.height, img.channels, img.format]).toEqual([64, 64, 4, 'svg']);
    expect(pixel(img, 0, 0)[3]).toBe(0); // corner is outside the face
    const centre = pixel(img, 32, 20);
    expect(centre[3]).toBe(255);
    // OpenMoji's face yellow is #FCEA2B.
    expect(centre.slice(0, 3)).toEqual([0xfc, 0xea, 0x2b]);
    const flat = await decodeImage(svg, { svgSize: 32, flatten: true });
    expect([flat.width, flat.channels, ...pixel(flat, 0, 0)]).toEqual([32, 3, 255, 255, 255]);
  });

  it('decodes only a region of the upright image', async () => {
    const region = await decodeImage(file('deep.png'), { region: { left: 2, top: 1, width: 2, height: 1 } });
    expect([region.width, region.height]).toEqual([2, 1]);
    expect(pixel(region, 0, 0)).toEqual([80, 100, 200]);
    await expect(decodeImage(file('deep.png'), { region: { left: 3, top: 0, width: 2, height: 1 } })).rejects.toThrow(
      RangeError,
    );
  });

  it('names the file and the reason when it cannot decode', async () => {
    await expectDecodeError(file('broken.png'), /^the file is damaged or truncated \(.+\)$/);
    await expectDecodeError(file('notes.txt'), /^not an image$/);
    await expectDecodeError(file('empty.jpg'), /^the file is empty$/);
    await expectDecodeError(file('photo.heic'), /^unsupported image format \(HEIC\)/);
    await expectDecodeError(file('missing.png'), /^the file does not exist$/);
    await expect(decodeImage(Buffer.from('hello'), { name: 'upload.png' })).rejects.toThrow('upload.png: not an image');
  });
});

describe('size limit and messages', () => {
  /** A 4×4 PNG whose header claims another size (CRC fixed, so only the size is wrong). */
  async function pngClaiming(width: number, height: number): Promise<Buffer> {
    const png = Buffer.from(await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } }).png().toBuffer());
    png.writeUInt32BE(width, 16);
    png.writeUInt32BE(height, 20);
    png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
    return png;
  }

  it('refuses a header claiming more pixels than the limit as too large, naming the setting', async () => {
    const bomb = await pngClaiming(100_000, 100_000);
    const reason = 'too large: 100000×100000 (10000 MP); the limit is 300 MP, set with GANVAS_MAX_MEGAPIXELS';
    await expect(decodeImage(bomb, { name: 'bomb.png' })).rejects.toThrow(`bomb.png: ${reason}`);
    await expect(probeImage(bomb, 'bomb.png')).rejects.toThrow(`bomb.png: ${reason}`);
  });

  it('takes the limit from GANVAS_MAX_MEGAPIXELS', async () => {
    process.env.GANVAS_MAX_MEGAPIXELS = '0.0001';
    try {
      await expect(decodeImage(file('rgba.png'))).resolves.toMatchObject({ width: 4, height: 2 }); // 8 pixels
      await expect(decodeImage(file('rotated.jpg'))).rejects.toThrow('rotated.jpg: too large: 16×32 (0.00051 MP); the limit is 0.0001 MP, set with GANVAS_MAX_MEGAPIXELS');
      process.env.GANVAS_MAX_MEGAPIXELS = 'lots';
      await expect(decodeImage(file('rgba.png'))).rejects.toThrow('GANVAS_MAX_MEGAPIXELS must be a positive number of megapixels (e.g. 300), got "lots"');
    } finally {
      delete process.env.GANVAS_MAX_MEGAPIXELS;
    }
  });

  it('names the real cause once: a damaged file of a known format, and libvips lines without prefixes or repeats', async () => {
    const tiff = await sharp(gradient().data, { raw: { width: 4, height: 2, channels: 3 } }).tiff().toBuffer();
    await expect(decodeImage(tiff.subarray(0, 12), { name: 'cut.tiff' })).rejects.toThrow(
      'cut.tiff: the file is damaged or truncated (it starts like a TIFF file, but the rest cannot be read)',
    );
    const line = 'VipsJpeg: premature end of JPEG image';
    const repeated = new Error(`Input buffer has corrupt header: ${line}\n${line}\n${line}\n${line}\n${line}\n`);
    expect(reasonForDecodeFailure(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), repeated)).toBe('the file is damaged or truncated (premature end of JPEG image)');
  });
});

describe('encodeImage', () => {
  it('round-trips PNG and lossless-enough WebP, and flattens alpha for JPEG', async () => {
    const rgba = await decodeImage(file('rgba.png'));
    const png = await decodeImage(await encodeImage(rgba, 'png'));
    expect(png.data).toEqual(rgba.data);
    const webp = await decodeImage(await encodeImage(rgba, 'webp', { quality: 100 }));
    expect(webp.channels).toBe(4);
    const jpeg = await decodeImage(await encodeImage(rgba, 'jpeg', { quality: 95 }));
    expect(jpeg.channels).toBe(3);
    const transparentPixel = pixel(jpeg, 2, 0);
    for (const v of transparentPixel) expect(v).toBeGreaterThan(200); // was transparent → white, not black
    await expect(encodeImage(rgba, 'jpeg', { quality: 0 })).rejects.toThrow(/quality/);
  });
});

describe('resizeImage', () => {
  it('resizes to the exact size with each kernel; area averages blocks exactly', async () => {
    const g = gradient();
    for (const kernel of ['bicubic', 'nearest', 'lanczos3', 'area'] as const) {
      const out = await resizeImage(g, 8, 3, kernel);
      expect([out.width, out.height, out.data.length]).toEqual([8, 3, 8 * 3 * 3]);
    }
    const nearest = await resizeImage(g, 8, 4, 'nearest');
    expect(pixel(nearest, 7, 3)).toEqual([120, 100, 200]);
    const area = await resizeImage(g, 2, 1, 'area');
    // Left block averages x = 0, 1 and both rows: (20, 50, 200); right block x = 2, 3: (100, 50, 200).
    expect([...pixel(area, 0, 0), ...pixel(area, 1, 0)]).toEqual([20, 50, 200, 100, 50, 200]);
  });
});

describe('tensors', () => {
  it('round-trips image → tensor → image exactly and leaks no tensors', async () => {
    const img = await decodeImage(file('deep.png'));
    const before = tf.memory().numTensors;
    const t = imageToTensor(img);
    expect(t.shape).toEqual([2, 4, 3]);
    const values = await t.data();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(values[0]).toBeCloseTo(-1, 6); // red of (0, 0) is 0
    const back = await tensorToImage(t);
    const batched = t.expandDims(0) as tf.Tensor4D;
    const backFromBatch = await tensorToImage(batched);
    t.dispose();
    batched.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(back.data).toEqual(img.data);
    expect(backFromBatch.data).toEqual(img.data);
  });

  it('clamps out-of-range values and rejects alpha and wrong shapes', async () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor3d([-3, 0, 3, 0.5, -0.5, 1.2], [1, 2, 3]);
    const img = await tensorToImage(t);
    expect(Array.from(img.data)).toEqual([0, 128, 255, 191, 64, 255]);
    const bad = tf.zeros([2, 2, 2, 3]) as tf.Tensor4D;
    await expect(tensorToImage(bad)).rejects.toThrow(/\[1, h, w, 3\]/);
    t.dispose();
    bad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const rgba = await decodeImage(file('rgba.png'));
    expect(() => imageToTensor(rgba)).toThrow(/flatten/);
  });
});

it('cleans up only its own temp files', async () => {
  expect((await readdir(dir)).length).toBeGreaterThan(5);
});
