/**
 * StarGAN through the Translate view, end to end in Chromium: the options
 * come from the model's own translate schema (a target-style box offering
 * its domains by name, one blend slider per domain, strip steps). A folder
 * goes to one domain, one image to a 50/50 blend of two, both found in the
 * Gallery with the target they were made for; then the same image as a
 * strip moving from one style to the blend, kept as a screenshot. The
 * model is a real, untrained StarGAN: the view is under test, not its looks.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { collectPageErrors, E2E_TOKEN, writeUntrainedModel } from './fixtures.js';

const domains = ['fluent-emoji', 'noto', 'twemoji'];
const runName = `stargan-e2e-${Date.now().toString(36)}`;
let modelId = '';

test.beforeAll(() => {
  modelId = writeUntrainedModel('stargan', runName, { size: 32, ngf: 8, ndf: 8, blocks: 2, domains });
});

/** A 48×40 picture with a disc, different for each i, drawn pixel by pixel. */
async function picture(i: number): Promise<Buffer> {
  const [width, height] = [48, 40];
  const pixels = Buffer.alloc(width * height * 3);
  const background = [(i * 37) % 256, (i * 91 + 60) % 256, (i * 53 + 120) % 256];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - 16 - i * 3) ** 2 + (y - 20) ** 2 < 120;
      pixels.set(inDisc ? background.map((v) => 255 - v) : background, (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function galleryOf(page: import('@playwright/test').Page, id: string) {
  return page.evaluate(async (model) => {
    const response = await fetch('/api/gallery.list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ modelId: model, limit: 100 }) });
    return ((await response.json()) as { value: { total: number; items: { id: number; title: string; settings: Record<string, unknown> }[] } }).value;
  }, id);
}

test('stargan: a folder to one domain, one image to a 50/50 blend, both in the Gallery, and a blend strip', async ({ page }) => {
  test.setTimeout(240_000);
  const pageErrors = collectPageErrors(page);
  const root = mkdtempSync(join(tmpdir(), 'ganvas-stargan-e2e-'));
  const inputDir = join(root, 'photos');
  const outputDir = join(root, 'as-twemoji');
  mkdirSync(inputDir);
  for (let i = 0; i < 4; i++) writeFileSync(join(inputDir, `photo-${i}.png`), await picture(i));

  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.getByTestId('nav-translate').click();
  await page.getByTestId('translate-model-picker').selectOption(modelId);
  await expect(page.getByTestId('translate-own-size')).toBeVisible();

  // The model's options, from its schema: its domains by name, a slider for each, the strip.
  const target = page.getByTestId('translate-option-domain');
  await expect(target).toBeVisible();
  expect(await page.locator('datalist option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(domains);
  for (const domain of domains) await expect(page.getByTestId(`translate-option-mix.${domain}`)).toHaveAttribute('type', 'range');
  await expect(page.getByTestId('translate-option-direction')).toHaveCount(0);

  // ---- a folder, to one domain by name
  await target.fill('twemoji');
  await page.getByTestId('translate-mode-folder').click();
  await page.getByTestId('translate-folder-input').fill(inputDir);
  await page.getByTestId('translate-folder-output').fill(outputDir);
  await page.getByTestId('translate-folder-gallery').check();
  await page.getByTestId('translate-folder-start').click();
  await expect(page.getByTestId('translate-folder-summary')).toContainText(/Translated 4/, { timeout: 120_000 });
  expect(readdirSync(outputDir).sort()).toEqual(readdirSync(inputDir).sort());
  const size = await sharp(join(outputDir, 'photo-1.png')).metadata();
  expect([size.width, size.height]).toEqual([48, 40]);

  // ---- one image, to a 50/50 blend set with the sliders
  await page.getByTestId('translate-mode-images').click();
  await target.fill('');
  await page.getByTestId('translate-option-mix.fluent-emoji').fill('0.5');
  await page.getByTestId('translate-option-mix.noto').fill('0.5');
  await page.getByTestId('translate-input').setInputFiles([{ name: 'blend.png', mimeType: 'image/png', buffer: await picture(7) }]);
  const entries = page.getByTestId('translate-entry');
  await expect(entries.nth(0)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await page.keyboard.press('Control+s');
  const saved = page.getByTestId('translate-saved');
  await expect(saved).toBeVisible();
  const blendId = Number(await saved.getAttribute('data-item-id'));

  // Both are in the Gallery, each with the target it was made for.
  const listed = await galleryOf(page, modelId);
  expect(listed.total).toBe(5);
  const blend = listed.items.find((item) => item.id === blendId)!;
  expect(blend.title).toBe('blend.png');
  expect(blend.settings['mix']).toEqual({ 'fluent-emoji': 0.5, noto: 0.5 });
  const folderItems = listed.items.filter((item) => item.id !== blendId);
  expect(folderItems.map((item) => item.title).sort()).toEqual(readdirSync(inputDir).sort());
  for (const item of folderItems) expect(item.settings['domain']).toBe('twemoji');

  // A blend that does not sum to 1 is refused with the reason, not sent as something else.
  await page.getByTestId('translate-option-mix.noto').fill('0.3');
  await page.getByTestId('translate-input').setInputFiles([{ name: 'bad.png', mimeType: 'image/png', buffer: await picture(8) }]);
  await expect(entries.nth(1)).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(entries.nth(1)).toContainText(/must sum to 1/);

  // ---- the strip: the image, then 4 even steps from twemoji to the 50/50 blend, side by side
  await page.getByTestId('translate-option-mix.noto').fill('0.5');
  await page.getByTestId('translate-option-from').fill('twemoji');
  await page.getByTestId('translate-option-strip').fill('4');
  await page.getByTestId('translate-input').setInputFiles([{ name: 'strip.png', mimeType: 'image/png', buffer: await picture(7) }]);
  await expect(entries.nth(2)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await entries.nth(2).click();
  const result = page.getByTestId('translate-result');
  await expect.poll(() => result.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([48 * 5, 40]);
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await result.screenshot({ path: resolve('tests/artifacts/stargan-blend-strip.png') });
  await page.screenshot({ path: resolve('tests/artifacts/stargan-translate.png') });
  expect(pageErrors).toEqual([]);
});
