// The super-resolution models we ship (models/srgan-photo-x4, -x2): each is its scale's default
// upscaler, and on photographs it was never trained on (the training script holds these out by
// file) it restores more than the SR papers' bicubic does, on luma PSNR and on SSIM.
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../src/main/engine/backend/index.js';
import { evaluateUpscalers } from '../../src/main/engine/upscale/evaluate.js';
import { chooseUpscaleModel, listUpscaleModels } from '../../src/main/engine/upscale/index.js';

// Held out in scripts/train-bundled-srgan.ts; mate-backgrounds is installed here and in CI.
const HELD_OUT = ['Dune.jpg', 'GreenMeadow.jpg', 'YellowFlower.jpg'];
let photos: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  photos = mkdtempSync(join(tmpdir(), 'ganvas-held-out-sr-'));
  for (const name of HELD_OUT) symlinkSync(join('/usr/share/backgrounds/mate/nature', name), join(photos, name));
});

it.each([4, 2] as const)('bundled:srgan-photo-x%i is the default upscaler for its scale, with a card', (scale) => {
  const id = `bundled:srgan-photo-x${scale}`;
  expect(chooseUpscaleModel({ scale }).catalogueId).toBe(id);
  const info = listUpscaleModels().find((m) => m.catalogueId === id)!;
  expect(info).toMatchObject({ scale, family: 'srgan', isDefault: true });
  expect(info.licence).toMatch(/CC BY-SA 4\.0/);
  // Only one default per scale.
  expect(listUpscaleModels().filter((m) => m.scale === scale && m.isDefault).map((m) => m.catalogueId)).toEqual([id]);
});

it.each([4, 2] as const)('bundled:srgan-photo-x%i beats bicubic on held-out photos (detailed crops, PSNR-Y and SSIM)', async (scale) => {
  const report = await evaluateUpscalers(photos, { scale, models: [`bundled:srgan-photo-x${scale}`], cropSize: 128, crop: 'detailed', crops: 2 });
  expect(report.failures).toEqual([]);
  expect(report.images).toHaveLength(6);
  const [bicubic, model] = report.summary;
  console.log(report.summary.map((s) => `×${scale} ${s.method}: PSNR ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)}`).join('\n'));
  expect(bicubic!.method).toBe('bicubic');
  // The card's held-out numbers are larger (about +2 dB on 256 px crops); 0.5 dB is far outside seed
  // noise and far above what a wrong pixel range or a broken export would give (a loss of whole dB).
  expect(model!.psnr).toBeGreaterThan(bicubic!.psnr + 0.5);
  expect(model!.ssim).toBeGreaterThan(bicubic!.ssim);
}, 300_000);
