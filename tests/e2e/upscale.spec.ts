/**
 * The Upscale view end to end, through `ganvas serve` in Chromium: drop a
 * small real photo crop, upscale ×2 with ESRGAN slim, compare original and
 * result with the slider, zoom in and pan, then find the result in the
 * Gallery. The crop is 96×64 so the model runs in about a second.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';

import { collectPageErrors, E2E_TOKEN as TOKEN, writeUserSrganModel } from './fixtures.js';

test('upscale: a photo ×2 with slim, compare, zoom, and find it in the Gallery', async ({ page }) => {
  const run = `e2e${Date.now().toString(36)}`;
  const folder = mkdtempSync(join(tmpdir(), 'ganvas-e2e-upscale-'));
  const photo = join(folder, `${run}-wood.jpg`);
  await sharp('/usr/share/backgrounds/mate/nature/Wood.jpg').extract({ left: 900, top: 700, width: 96, height: 64 }).jpeg().toFile(photo);

  const pageErrors = collectPageErrors(page);

  await page.goto(`/?token=${TOKEN}`);
  await page.getByTestId('nav-upscale').click();
  await expect(page).toHaveURL(/#\/upscale$/);

  await page.getByTestId('upscale-input').setInputFiles(photo);
  await expect(page.getByTestId('upscale-picked')).toContainText(`${run}-wood.jpg`);
  await page.getByTestId('upscale-scale-2').check({ force: true });
  // The view starts on the catalogue's default for ×2: our bundled SRGAN model (models/srgan-photo-x2).
  await expect(page.getByTestId('upscale-model-bundled:srgan-photo-x2')).toBeChecked();
  await expect(page.getByTestId('upscale-model-slim')).not.toBeChecked();
  await page.getByTestId('upscale-model-medium').check({ force: true });
  await page.getByTestId('upscale-model-slim').check({ force: true });
  await page.getByTestId('upscale-start').click();

  // ---- the result arrives with its before/after view at the output size
  const slider = page.getByTestId('zoom-compare-slider');
  await expect(slider).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText('96×64 → 192×128')).toBeVisible();
  await expect(slider).toHaveAttribute('aria-valuenow', '50');
  const images = page.getByTestId('zoom-stage').locator('img');
  // The before side is the engine's exact bicubic, at the output size like the result.
  await expect.poll(() => images.evaluateAll((all) => all.map((img) => (img as HTMLImageElement).naturalWidth))).toEqual([192, 192]);
  await expect(page.getByText('Bicubic (exact, as eval-sr scores)')).toBeVisible();
  // Slim's speed on this machine, from the gallery's slim upscales: the result just made, and those
  // other specs left in the shared e2e data folder (live-jobs' queued upscale may finish first).
  const slimOption = page.locator('label.model').filter({ has: page.getByTestId('upscale-model-slim') });
  await expect(slimOption.getByTestId('upscale-model-speed')).toContainText(/measured here: [\d.]+ s per output megapixel \(\d+ upscales?\)/);

  // ---- move the split: drag the handle, then the keyboard
  const handle = await slider.boundingBox();
  const stage = page.getByTestId('zoom-stage');
  const stageBox = await stage.boundingBox();
  expect(handle).not.toBeNull();
  expect(stageBox).not.toBeNull();
  const x = handle!.x + handle!.width / 2;
  const y = handle!.y + handle!.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x - stageBox!.width * 0.25, y, { steps: 6 });
  await page.mouse.up();
  const afterDrag = Number(await slider.getAttribute('aria-valuenow'));
  expect(afterDrag).toBeGreaterThanOrEqual(20);
  expect(afterDrag).toBeLessThanOrEqual(30);
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuenow', String(afterDrag + 2));

  // ---- zoom: button, wheel, then pan by dragging the picture
  await expect(stage).toHaveAttribute('data-zoom', '1.000');
  await page.getByTestId('zoom-in').click();
  await expect(stage).toHaveAttribute('data-zoom', '1.250');
  await page.mouse.move(stageBox!.x + stageBox!.width * 0.7, stageBox!.y + stageBox!.height * 0.6);
  await page.mouse.wheel(0, -300);
  await expect.poll(async () => Number(await stage.getAttribute('data-zoom'))).toBeGreaterThan(1.5);
  const picture = stage.locator('.picture');
  const before = await picture.evaluate((element) => getComputedStyle(element).transform);
  await page.mouse.move(stageBox!.x + stageBox!.width * 0.3, stageBox!.y + stageBox!.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(stageBox!.x + stageBox!.width * 0.5, stageBox!.y + stageBox!.height * 0.5, { steps: 5 });
  await page.mouse.up();
  expect(await picture.evaluate((element) => getComputedStyle(element).transform)).not.toBe(before);
  // Panning does not move the split.
  await expect(slider).toHaveAttribute('aria-valuenow', String(afterDrag + 2));
  await page.screenshot({ path: resolve('tests/artifacts/upscale.png') });

  // ---- the result is in the Gallery as an upscale item
  await page.getByTestId('upscale-open-gallery').click();
  // The link opens the upscaled item itself.
  await expect(page).toHaveURL(/#\/gallery\?item=\d+$/);
  await expect(page.getByTestId('item-detail')).toContainText(/Kind\s*upscale/);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('item-detail')).toHaveCount(0);
  await page.getByTestId('gallery-search').fill(run);
  const tile = page.getByTestId('gallery-tile').filter({ hasText: `${run}-wood.jpg` });
  await expect(tile).toHaveCount(1);
  await tile.click();
  const detail = page.getByTestId('item-detail');
  await expect(detail).toBeVisible();
  await expect(detail).toContainText(/Kind\s*upscale/);
  await expect(detail).toContainText(/Output\s*192 × 128/);

  expect(pageErrors).toEqual([]);
});

test("upscale: the user's own SRGAN model is offered for its scale with its card, and upscales", async ({ page }) => {
  const name = `e2e-sr-${Date.now().toString(36)}`;
  const id = writeUserSrganModel(name, 2, { title: 'My photo SRGAN ×2', trainedOn: 'my holiday photos', licence: 'CC0-1.0', speed: '2 s per megapixel' });
  const folder = mkdtempSync(join(tmpdir(), 'ganvas-e2e-upscale-sr-'));
  const photo = join(folder, `${name}-garden.png`);
  await sharp('/usr/share/backgrounds/mate/nature/Garden.jpg').extract({ left: 900, top: 700, width: 90, height: 61 }).png().toFile(photo);
  const pageErrors = collectPageErrors(page);

  await page.goto(`/?token=${TOKEN}#/upscale`);
  await page.getByTestId('upscale-scale-2').check({ force: true });
  const option = page.getByTestId(`upscale-model-${id}`);
  await expect(option).toBeVisible();
  // Not the default (only a bundled model can be), so the bundled ×2 model stays checked until the user picks it.
  await expect(page.getByTestId('upscale-model-bundled:srgan-photo-x2')).toBeChecked();
  await expect(option).not.toBeChecked();
  await expect(page.locator('label.model').filter({ has: option })).toContainText('My photo SRGAN ×2');
  await expect(page.locator('label.model').filter({ has: option })).toContainText('Trained on my holiday photos');
  await expect(page.locator('label.model').filter({ has: option })).toContainText('Speed: 2 s per megapixel');
  // Not offered at a scale it does not do.
  await page.getByTestId('upscale-scale-4').check({ force: true });
  await expect(option).toHaveCount(0);
  await page.getByTestId('upscale-scale-2').check({ force: true });
  await option.check({ force: true });

  await page.getByTestId('upscale-input').setInputFiles(photo);
  await page.getByTestId('upscale-start').click();
  await expect(page.getByText(`90×61 → 180×122 · ${id}`)).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText('Bicubic (exact, as eval-sr scores)')).toBeVisible();
  await page.screenshot({ path: resolve('tests/artifacts/upscale-srgan.png') });
  expect(pageErrors).toEqual([]);
});
