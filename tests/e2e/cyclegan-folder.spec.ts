/**
 * CycleGAN through the Translate view, end to end in Chromium: a folder of
 * photos-sized images translated A → B at their own size, the view left and
 * come back to while the job runs (live progress, Cancel still there), the
 * job cancelled and resumed, and every result found once in the output
 * folder and once in the Gallery. The model is a real, untrained CycleGAN.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { collectPageErrors, E2E_TOKEN, writeUntrainedModel } from './fixtures.js';

// Enough work that the job is still running when the test comes back to the view and cancels: on ONNX Runtime
// (the default on wasm) a 160×120 folder of 24 with ngf 16 was done before the test had left the view.
const COUNT = 40;
const runName = `cyclegan-e2e-${Date.now().toString(36)}`;
let modelId = '';

test.beforeAll(() => {
  modelId = writeUntrainedModel('cyclegan', runName, { size: 64, ngf: 32, ndf: 8, blocks: 6 });
});

/** A 320×240 picture with a disc, different for each i, drawn pixel by pixel (sharp's SVG loader is off in the studio's processes). */
async function picture(i: number): Promise<Buffer> {
  const [width, height] = [320, 240];
  const pixels = Buffer.alloc(width * height * 3);
  const background = [(i * 37) % 256, (i * 91 + 60) % 256, (i * 53 + 120) % 256];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - 80 - i * 4) ** 2 + (y - 120) ** 2 < 3600;
      pixels.set(inDisc ? background.map((v) => 255 - v) : background, (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

test('cyclegan: a folder A → B at its own size, left and come back to, cancelled, resumed, and in the Gallery', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors = collectPageErrors(page);
  const root = mkdtempSync(join(tmpdir(), 'ganvas-cyclegan-e2e-'));
  const inputDir = join(root, 'summer');
  const outputDir = join(root, 'winter');
  mkdirSync(inputDir);
  for (let i = 0; i < COUNT; i++) writeFileSync(join(inputDir, `photo-${String(i).padStart(2, '0')}.png`), await picture(i));

  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.getByTestId('nav-translate').click();
  await page.getByTestId('translate-model-picker').selectOption(modelId);
  // CycleGAN's own option, from its schema: the direction.
  await expect(page.getByTestId('translate-option-direction')).toHaveValue('AtoB');
  await page.getByTestId('translate-option-direction').selectOption('AtoB');
  await expect(page.getByTestId('translate-option-noise')).toHaveCount(0);

  await page.getByTestId('translate-mode-folder').click();
  await page.getByTestId('translate-folder-input').fill(inputDir);
  await page.getByTestId('translate-folder-output').fill(outputDir);
  await page.getByTestId('translate-folder-gallery').check();
  await page.getByTestId('translate-folder-start').click();

  const status = page.getByTestId('translate-folder-status');
  const done = async () => Number((/(\d+) of \d+/.exec((await status.textContent()) ?? '') ?? [])[1] ?? -1);
  await expect.poll(done, { timeout: 120_000 }).toBeGreaterThanOrEqual(1);

  // Leave the view and come back: the job is still shown, live, with its Cancel.
  await page.getByTestId('nav-gallery').click();
  await expect(page.getByTestId('translate-folder-status')).toHaveCount(0);
  await page.getByTestId('nav-translate').click();
  await expect(page.getByTestId('translate-folder-cancel')).toBeVisible();
  const whenBack = await done();
  await expect.poll(done, { timeout: 120_000 }).toBeGreaterThan(whenBack);
  await page.screenshot({ path: resolve('tests/artifacts/cyclegan-folder-running.png') });

  await page.getByTestId('translate-folder-cancel').click();
  const summary = page.getByTestId('translate-folder-summary');
  await expect(summary).toContainText(new RegExp(`Cancelled after \\d+ of ${COUNT} images`), { timeout: 60_000 });
  const afterCancel = readdirSync(outputDir).filter((name) => name.endsWith('.png')).length;
  expect(afterCancel).toBeLessThan(COUNT);

  await page.getByTestId('translate-folder-resume').click();
  // The resumed job does only what the cancelled one left: together they make the whole folder.
  await expect(summary).toContainText(/Translated \d+ · \d+ done earlier/, { timeout: 180_000 });
  const [, now, earlier] = /Translated (\d+) · (\d+) done earlier/.exec((await summary.textContent()) ?? '')!;
  expect(Number(earlier)).toBe(afterCancel);
  expect(Number(now) + Number(earlier)).toBe(COUNT);
  await page.screenshot({ path: resolve('tests/artifacts/cyclegan-folder-done.png') });

  // Every image once, at its own size; nothing half-written left; the input folder untouched.
  const written = readdirSync(outputDir).sort();
  expect(written).toEqual(readdirSync(inputDir).sort());
  const size = await sharp(join(outputDir, 'photo-05.png')).metadata();
  expect([size.width, size.height]).toEqual([320, 240]);
  expect(readdirSync(inputDir)).toHaveLength(COUNT);

  // In the Gallery, each result exactly once (a resumed job does no image twice).
  const listed = await page.evaluate(async (id) => {
    const response = await fetch('/api/gallery.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ modelId: id, limit: 100 }) });
    return ((await response.json()) as { value: { total: number; items: { title: string }[] } }).value;
  }, modelId);
  expect(listed.total).toBe(COUNT);
  expect(new Set(listed.items.map((item) => item.title)).size).toBe(COUNT);
  expect(pageErrors).toEqual([]);
});
