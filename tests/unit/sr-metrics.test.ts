import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import type { RawImage } from '../../src/main/engine/image/index.js';
import { evalSrCommand } from '../../src/main/cli/eval-sr.js';
import { evaluateUpscalers } from '../../src/main/engine/upscale/evaluate.js';
import { detailRatioY, lumaBt601, psnrY, ssimY } from '../../src/main/engine/upscale/metrics.js';

const photos = '/usr/share/backgrounds/mate/nature';

function image(width: number, height: number, pixel: (x: number, y: number, c: number) => number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = pixel(x, y, c);
  return { data, width, height, channels: 3 };
}

const texture = image(40, 36, (x, y, c) => (x * 37 + y * 11 + c * 50 + ((x * y) % 7) * 9) % 200 + 20);

describe('Y-channel metrics', () => {
  it('uses BT.601 luma in 16–235', () => {
    expect(lumaBt601(image(1, 1, () => 0)).data[0]).toBeCloseTo(16, 10);
    expect(lumaBt601(image(1, 1, () => 255)).data[0]).toBeCloseTo(235, 10);
    expect(lumaBt601(image(1, 1, (_x, _y, c) => (c === 1 ? 255 : 0))).data[0]).toBeCloseTo(16 + 128.553, 10);
  });

  it('identical images: PSNR ∞ and SSIM 1', () => {
    expect(psnrY(texture, texture)).toBe(Infinity);
    expect(ssimY(texture, texture)).toBeCloseTo(1, 12);
  });

  it('a constant offset d on every channel gives PSNR 20·log10(255 / (d·219/255))', () => {
    for (const d of [1, 4, 10]) {
      const shifted = image(40, 36, (x, y, c) => texture.data[(y * 40 + x) * 3 + c]! + d);
      expect(psnrY(shifted, texture)).toBeCloseTo(20 * Math.log10(255 / ((d * 219) / 255)), 9);
      // SSIM of a pure shift: only the luminance term drops; still close to but below 1
      const s = ssimY(shifted, texture);
      expect(s).toBeLessThan(1);
      expect(s).toBeGreaterThan(0.99);
    }
  });

  it('crops the border before comparing', () => {
    const spoiled = image(40, 36, (x, y, c) => (x < 4 || y < 4 || x >= 36 || y >= 32 ? 0 : texture.data[(y * 40 + x) * 3 + c]!));
    expect(psnrY(spoiled, texture, 4)).toBe(Infinity);
    expect(psnrY(spoiled, texture, 3)).toBeLessThan(30);
  });

  it('detail is 1 for the original, below 1 for a blurred copy, above 1 with noise added, and skips the border', () => {
    expect(detailRatioY(texture, texture)).toBe(1);
    const at = (img: RawImage, x: number, y: number, c: number) => img.data[(Math.min(img.height - 1, Math.max(0, y)) * img.width + Math.min(img.width - 1, Math.max(0, x))) * 3 + c]!;
    const blurred = image(40, 36, (x, y, c) => Math.round((at(texture, x - 1, y, c) + 2 * at(texture, x, y, c) + at(texture, x + 1, y, c)) / 4));
    const noisy = image(40, 36, (x, y, c) => Math.min(255, Math.max(0, at(texture, x, y, c) + (((x * 7919 + y * 104729) % 13) - 6) * 4)));
    expect(detailRatioY(blurred, texture)).toBeLessThan(0.95);
    expect(detailRatioY(noisy, texture)).toBeGreaterThan(1.02);
    // A damaged 2-px border does not count once 2 px are cropped.
    const framed = image(40, 36, (x, y, c) => (x < 2 || y < 2 || x >= 38 || y >= 34 ? (x + y) % 2 * 255 : at(texture, x, y, c)));
    expect(detailRatioY(framed, texture, 2)).toBe(1);
    expect(detailRatioY(framed, texture)).toBeGreaterThan(1);
  });

  it('SSIM falls with structural damage and is symmetric', () => {
    const noisy = image(40, 36, (x, y, c) => Math.max(0, Math.min(255, texture.data[(y * 40 + x) * 3 + c]! + (((x * 7 + y * 13) % 5) - 2) * 20)));
    const s = ssimY(noisy, texture);
    expect(s).toBeLessThan(0.9);
    expect(ssimY(texture, noisy)).toBeCloseTo(s, 12);
    expect(() => ssimY(image(8, 8, () => 1), image(8, 8, () => 1))).toThrow(/at least 11×11/);
    expect(() => psnrY(texture, image(10, 10, () => 0))).toThrow(/differ in size/);
  });
});

describe('pretrained ESRGAN against bicubic on real photographs', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm' });
    // Debian's mate-backgrounds package (installed here and in CI).
    expect(existsSync(photos), `${photos} is missing: apt-get install mate-backgrounds`).toBe(true);
  });

  it('×4 medium beats bicubic (Keys, as SR papers) on Y over detailed 128×128 crops; slim only on SSIM, within 0.5 dB on PSNR', async () => {
    const report = await evaluateUpscalers(photos, {
      scale: 4,
      models: ['esrgan-slim-x4', 'esrgan-medium-x4'],
      maxImages: 3,
      cropSize: 128,
      crop: 'detailed',
    });
    expect(report.failures).toEqual([]);
    expect(report.images).toHaveLength(3);
    const [bicubic, slim, medium] = report.summary;
    console.log(report.summary.map((s) => `${s.method}: PSNR ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)}`).join('\n'));
    expect(bicubic!.method).toBe('bicubic');
    expect(bicubic!.psnr).toBeGreaterThan(20);
    expect(bicubic!.psnr).toBeLessThan(45);
    // Measured here: bicubic 30.16 dB, slim 30.03 (SSIM 0.815 vs 0.809), medium 30.31. A wrong pixel
    // range or channel order in the wrapper costs whole decibels, far outside these margins.
    expect(medium!.psnr).toBeGreaterThan(bicubic!.psnr);
    expect(Math.abs(slim!.psnr - bicubic!.psnr)).toBeLessThan(0.5);
    expect(slim!.ssim).toBeGreaterThan(bicubic!.ssim);
    expect(medium!.ssim).toBeGreaterThan(bicubic!.ssim);
  });
});

describe('ganvas eval-sr', () => {
  it('scores the N most textured crops of each photo with --crops, each once', async () => {
    const report = await evaluateUpscalers(photos, { scale: 2, models: [], maxImages: 2, cropSize: 64, crop: 'detailed', crops: 3 });
    expect(report.images.map((i) => i.file.replace(/^.*#/, '#'))).toEqual(['#1', '#2', '#3', '#1', '#2', '#3']);
    // Three different cells of each photo, not one crop scored three times.
    for (const first of [0, 3]) expect(new Set(report.images.slice(first, first + 3).map((i) => i.scores[0]!.psnr)).size).toBe(3);
    expect(report.summary[0]!.images).toBe(6);
  });

  it('prints a JSON report, and exits 2 on usage errors', async () => {
    const printed: string[] = [];
    const log = console.log;
    console.log = (text: string) => printed.push(text);
    try {
      expect(await evalSrCommand(['--data', photos, '--scale', '2', '--max-images', '1', '--crop-size', '64', '--models', 'slim', '--json'])).toBe(0);
    } finally {
      console.log = log;
    }
    const report = JSON.parse(printed.join('\n'));
    expect(report.summary.map((s: { method: string }) => s.method)).toEqual(['bicubic', 'esrgan-slim-x2']);
    expect(report.images[0].scores[1].psnr).toBeGreaterThan(15);
    // Bicubic smooths: less edge energy than the original.
    expect(report.images[0].scores[0].detail).toBeGreaterThan(0.3);
    expect(report.images[0].scores[0].detail).toBeLessThan(1);
    expect(await evalSrCommand(['--scale', '4'])).toBe(2);
    expect(await evalSrCommand(['--data', photos, '--crop', 'center', '--crops', '3'])).toBe(2);
    expect(await evalSrCommand(['--data', photos, '--scale', '4', '--models', 'esrgan-slim-x2'])).toBe(2);
  });
});
