/**
 * Translate end to end, through `ganvas serve` in Chromium: pick a model,
 * translate single images (a broken one fails alone, the next goes on), save
 * one to the Gallery, then translate a folder on the studio's machine and
 * read its summary and output files.
 *
 * The model is a real but untrained Pix2Pix checkpoint (64 px) written into
 * the server's data folder before the test.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { collectPageErrors, E2E_TOKEN, writeUntrainedPix2Pix } from './fixtures.js';

const runName = `translate-e2e-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
let modelId = '';

test.beforeAll(() => {
  modelId = writeUntrainedPix2Pix(runName);
});

/** A square of `colour` with a black disc in the middle, drawn pixel by pixel (sharp's own SVG loader is off in this studio's processes). */
function square(size: number, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inDisc = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 3) ** 2;
      pixels.set(inDisc ? [0, 0, 0] : [colour.r, colour.g, colour.b], (y * size + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

test('translate: single images to the gallery, then a whole folder', async ({ page }) => {
  const pageErrors = collectPageErrors(page);

  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.getByTestId('nav-translate').click();
  await expect(page).toHaveURL(/#\/translate$/);
  await expect(page.getByRole('heading', { name: 'Translate', exact: true })).toBeVisible();

  // ---- the model, remembered for next time
  const picker = page.getByTestId('translate-model-picker');
  await expect(picker.locator(`option[value="${modelId}"]`)).toHaveCount(1);
  await picker.selectOption(modelId);
  expect(await page.evaluate(() => localStorage.getItem('ganvas.translate.model'))).toBe(modelId);

  // ---- single images: a broken file fails alone; an 80 px image comes back at the model's 64 px
  await page.getByTestId('translate-keep-size').uncheck();
  const photo = await square(80, { r: 250, g: 200, b: 40 });
  await page.getByTestId('translate-input').setInputFiles([
    { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('this is not a PNG at all') },
    { name: 'sun.png', mimeType: 'image/png', buffer: photo },
  ]);
  const entries = page.getByTestId('translate-entry');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toHaveAttribute('data-status', 'failed');
  await expect(entries.nth(0)).toContainText('broken.png');
  await expect(entries.nth(1)).toHaveAttribute('data-status', 'done');
  await expect(entries.nth(1)).toContainText(/\d+ ms|\d+\.\d+ s/);

  const result = page.getByTestId('translate-result');
  await expect(result).toBeVisible();
  await expect.poll(() => result.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([64, 64]);
  await expect(page.getByTestId('translate-note')).toContainText('80×80');
  await expect(page.getByTestId('compare-slider')).toBeVisible();

  // ---- save with Ctrl+S, then find it in the Gallery as a translation
  await page.keyboard.press('Control+s');
  const saved = page.getByTestId('translate-saved');
  await expect(saved).toBeVisible();
  const itemId = Number(await saved.getAttribute('data-item-id'));
  expect(Number.isInteger(itemId) && itemId > 0).toBe(true);
  await expect(page.getByTestId('translate-save-all')).toBeDisabled();

  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.screenshot({ path: resolve('tests/artifacts/translate.png') });

  const item = await page.evaluate(async (id) => {
    const response = await fetch('/api/gallery.get', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) });
    return response.json();
  }, itemId);
  expect(item.ok).toBe(true);
  expect(item.value).toMatchObject({ kind: 'translate', title: 'sun.png', modelId });
  expect(item.value.input).toMatchObject({ width: 80, height: 80 });
  expect(item.value.output).toMatchObject({ width: 64, height: 64 });
  expect(item.value.settings.keepSize).toBe(false);
  expect(item.value.timings.inference).toBeGreaterThanOrEqual(0);

  await saved.click();
  // The link opens the saved item itself.
  await expect(page).toHaveURL(new RegExp(`#/gallery\\?item=${itemId}$`));
  await expect(page.getByTestId('item-detail')).toHaveAttribute('data-item-id', String(itemId));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('item-detail')).toHaveCount(0);
  await page.getByTestId('gallery-search').fill('sun.png');
  await expect(page.locator(`[data-testid="gallery-tile"][data-item-id="${itemId}"]`)).toHaveCount(1);

  // ---- a folder: 3 images and 1 corrupt file; the output goes elsewhere
  const root = mkdtempSync(join(tmpdir(), 'ganvas-translate-e2e-'));
  const inputDir = join(root, 'in');
  const outputDir = join(root, 'out');
  mkdirSync(inputDir);
  writeFileSync(join(inputDir, 'a.png'), await square(64, { r: 255, g: 255, b: 255 }));
  writeFileSync(join(inputDir, 'b.png'), await square(48, { r: 200, g: 30, b: 30 }));
  writeFileSync(join(inputDir, 'c.png'), await square(64, { r: 30, g: 30, b: 200 }));
  writeFileSync(join(inputDir, 'corrupt.png'), Buffer.from('\x89PNG but then nothing sensible'));

  await page.getByTestId('nav-translate').click();
  await page.getByTestId('translate-mode-folder').click();
  await page.getByTestId('translate-folder-input').fill(inputDir);
  // Refused up front: the output folder may not be inside the input folder.
  await page.getByTestId('translate-folder-output').fill(join(inputDir, 'out'));
  await page.getByTestId('translate-folder-start').click();
  await expect(page.getByRole('alert')).toContainText('inside the input folder');

  await page.getByTestId('translate-folder-output').fill(outputDir);
  await page.getByTestId('translate-folder-start').click();
  const summary = page.getByTestId('translate-folder-summary');
  await expect(summary).toBeVisible({ timeout: 90_000 });
  await expect(summary).toContainText('Translated 3');
  await expect(summary).toContainText('1 failed: corrupt.png');
  await expect(page.getByTestId('translate-folder-failures').locator('li')).toHaveCount(1);
  for (const name of ['a.png', 'b.png', 'c.png']) expect(existsSync(join(outputDir, name)), name).toBe(true);
  expect(existsSync(join(outputDir, 'corrupt.png'))).toBe(false);
  const written = await sharp(join(outputDir, 'b.png')).metadata();
  expect([written.width, written.height]).toEqual([48, 48]);

  await page.screenshot({ path: resolve('tests/artifacts/translate-folder.png') });
  expect(pageErrors).toEqual([]);
});
