/**
 * The Gallery end to end, through `ganvas serve` in Chromium: import two
 * images made here, find them, search, open one, compare it with the other,
 * favourite, delete and undo.
 *
 * Other e2e files may share the server's data folder, so everything is
 * scoped by a run-unique word in the file names instead of absolute counts.
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';

import { collectPageErrors, E2E_TOKEN as TOKEN } from './fixtures.js';

async function makeImage(path: string, colour: { r: number; g: number; b: number }, size: { width: number; height: number }) {
  // A coloured square on a contrasting field, so the two images differ everywhere a pixel test could look.
  const inner = await sharp({ create: { width: size.width / 2, height: size.height / 2, channels: 3, background: { r: 255 - colour.r, g: 255 - colour.g, b: 255 - colour.b } } })
    .png()
    .toBuffer();
  await sharp({ create: { ...size, channels: 3, background: colour } })
    .composite([{ input: inner, left: size.width / 4, top: size.height / 4 }])
    .png()
    .toFile(path);
}

async function search(page: Page, text: string) {
  const box = page.getByTestId('gallery-search');
  await box.fill(text);
}

function tile(page: Page, title: string): Locator {
  return page.getByTestId('gallery-tile').filter({ hasText: title });
}

async function clipInset(overlay: Locator): Promise<string> {
  return overlay.evaluate((element) => getComputedStyle(element).clipPath);
}

test('gallery: import, search, compare, favourite, delete and undo', async ({ page }, testInfo) => {
  const run = `e2e${Date.now().toString(36)}`;
  const folder = mkdtempSync(join(tmpdir(), 'ganvas-e2e-images-'));
  const redTitle = `${run}-sunset-red`;
  const blueTitle = `${run}-ocean-blue`;
  const redPath = join(folder, `${redTitle}.png`);
  const bluePath = join(folder, `${blueTitle}.png`);
  await makeImage(redPath, { r: 220, g: 40, b: 40 }, { width: 96, height: 64 });
  await makeImage(bluePath, { r: 30, g: 80, b: 220 }, { width: 96, height: 64 });

  const pageErrors = collectPageErrors(page, { consoleErrors: true });

  await page.goto(`/?token=${TOKEN}`);
  // The server trades the token for a cookie and drops it from the address bar.
  await expect(page).not.toHaveURL(/token=/);
  await page.getByTestId('nav-gallery').click();
  await expect(page).toHaveURL(/#\/gallery$/);
  await expect(page.getByTestId('status-bar')).toContainText('Browser (ganvas serve)');

  // ---- import both through the file input
  await page.getByTestId('gallery-import-input').setInputFiles([redPath, bluePath]);
  await expect(page.getByTestId('import-summary')).toContainText('Imported 2');

  // ---- both tiles are in the grid
  await search(page, run);
  const count = page.getByTestId('gallery-count');
  await expect(count).toHaveText('2 items');
  await expect(tile(page, redTitle)).toHaveCount(1);
  await expect(tile(page, blueTitle)).toHaveCount(1);
  const redId = await tile(page, redTitle).getAttribute('data-item-id');
  const blueId = await tile(page, blueTitle).getAttribute('data-item-id');
  expect(redId).toMatch(/^\d+$/);
  expect(blueId).toMatch(/^\d+$/);
  expect(redId).not.toBe(blueId);
  // The thumbnails really load from /media/thumb.
  await expect
    .poll(() => tile(page, redTitle).locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);

  // ---- search by one name shows only that item
  await search(page, redTitle);
  await expect(count).toHaveText('1 item');
  await expect(page.getByTestId('gallery-tile')).toHaveCount(1);
  await expect(page.getByTestId('gallery-tile')).toHaveAttribute('data-item-id', redId!);

  // ---- the search survives leaving the Gallery and coming back
  await page.getByTestId('nav-models').click();
  await expect(page).toHaveURL(/#\/models$/);
  await page.getByTestId('nav-gallery').click();
  await expect(page.getByTestId('gallery-search')).toHaveValue(redTitle);
  await expect(count).toHaveText('1 item');
  await expect(page.getByTestId('gallery-tile')).toHaveAttribute('data-item-id', redId!);

  // ---- open it and compare with the other imported item
  await tile(page, redTitle).click();
  const detail = page.getByTestId('item-detail');
  await expect(detail).toBeVisible();
  await expect(detail).toHaveAttribute('data-item-id', redId!);
  await detail.getByTestId('compare-with').click();
  // The current results hold only this item, so the picker offers the rest of the gallery.
  const option = page.locator(`[data-testid="compare-option"][data-item-id="${blueId}"]`);
  await expect(option).toBeVisible();
  await option.click();

  const slider = detail.getByTestId('compare-slider');
  const overlay = detail.getByTestId('compare-overlay');
  await expect(slider).toBeVisible();
  await expect(slider).toHaveAttribute('aria-valuenow', '50');
  const clipBefore = await clipInset(overlay);

  // ---- drag the handle with the mouse
  const handle = detail.getByTestId('compare-handle');
  const box = await handle.boundingBox();
  const sliderBox = await slider.boundingBox();
  expect(box).not.toBeNull();
  expect(sliderBox).not.toBeNull();
  const startX = box!.x + box!.width / 2;
  const y = box!.y + box!.height / 2;
  await page.mouse.move(startX, y);
  await page.mouse.down();
  await page.mouse.move(startX - sliderBox!.width * 0.15, y, { steps: 5 });
  await page.mouse.move(startX - sliderBox!.width * 0.3, y, { steps: 5 });
  await page.mouse.up();
  const afterDrag = Number(await slider.getAttribute('aria-valuenow'));
  expect(afterDrag).toBeGreaterThanOrEqual(15);
  expect(afterDrag).toBeLessThanOrEqual(25);
  const clipAfter = await clipInset(overlay);
  expect(clipAfter).not.toBe(clipBefore);
  // The overlay is clipped exactly where the handle now is.
  const clipPercent = Number(/([\d.]+)%\)\s*$/.exec(clipAfter)?.[1]);
  expect(Math.abs(clipPercent - afterDrag)).toBeLessThanOrEqual(0.5);

  // Keyboard on the focused slider moves the handle, not the item.
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuenow', String(Math.round(afterDrag + 2)));
  await expect(detail).toHaveAttribute('data-item-id', redId!);

  // ---- favourite, then the favourites filter finds exactly this one
  const favourite = detail.getByTestId('favourite-toggle');
  await expect(favourite).toHaveAttribute('aria-pressed', 'false');
  await favourite.click();
  await expect(favourite).toHaveAttribute('aria-pressed', 'true');

  // ---- a tag, added with Enter
  await detail.getByTestId('tag-input').fill('warm');
  await detail.getByTestId('tag-input').press('Enter');
  await expect(detail.getByRole('listitem').filter({ hasText: 'warm' })).toHaveCount(1);

  // Screenshot of the compare view, for people to look at.
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.screenshot({ path: resolve('tests/artifacts/gallery-detail.png') });

  await detail.getByTestId('detail-close').click();
  await expect(detail).toHaveCount(0);

  await search(page, run);
  await expect(count).toHaveText('2 items');
  await page.getByTestId('filter-favourite').click();
  await expect(count).toHaveText('1 item');
  await expect(page.getByTestId('gallery-tile')).toHaveAttribute('data-item-id', redId!);
  await page.getByTestId('filter-favourite').click();
  await expect(count).toHaveText('2 items');

  // ---- delete with undo: 2 → 1 → 2
  await tile(page, redTitle).click();
  await expect(detail).toHaveAttribute('data-item-id', redId!);
  await detail.getByTestId('delete-item').click();
  await expect(page.getByTestId('undo-toast')).toContainText('Deleted 1 item');
  await expect(count).toHaveText('1 item');
  await expect(tile(page, redTitle)).toHaveCount(0);
  await page.getByTestId('undo-button').click();
  await expect(count).toHaveText('2 items');
  await expect(tile(page, redTitle)).toHaveCount(1);
  await expect(page.getByTestId('undo-toast')).toHaveCount(0);
  // The restored item kept its favourite.
  await expect(tile(page, redTitle)).toHaveAttribute('aria-label', /favourite/);

  // ---- the Delete key and Ctrl+Z do the same
  if (await detail.count()) await page.keyboard.press('Escape');
  await tile(page, blueTitle).click();
  await expect(detail).toHaveAttribute('data-item-id', blueId!);
  await page.keyboard.press('Delete');
  await expect(count).toHaveText('1 item');
  if (await detail.count()) await page.keyboard.press('Escape');
  await page.keyboard.press('Control+z');
  await expect(count).toHaveText('2 items');

  // ---- a second window hears about changes through the event socket, without reloading
  const second = await page.context().newPage();
  second.on('pageerror', (error) => pageErrors.push(`second window: ${error.message}`));
  await second.goto('/#/gallery');
  await second.getByTestId('gallery-search').fill(run);
  await expect(second.getByTestId('gallery-count')).toHaveText('2 items');

  // ---- a non-image among images is reported by name, the image still imports
  const notesPath = join(folder, `${run}-notes.txt`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(notesPath, 'not an image');
  const greenPath = join(folder, `${run}-leaf-green.png`);
  await makeImage(greenPath, { r: 40, g: 180, b: 60 }, { width: 64, height: 64 });
  await page.getByTestId('gallery-import-input').setInputFiles([notesPath, greenPath]);
  await expect(page.getByTestId('import-summary')).toContainText('Imported 1');
  await expect(page.getByTestId('import-summary')).toContainText(`1 failed: ${run}-notes.txt`);
  await expect(count).toHaveText('3 items');
  await expect(second.getByTestId('gallery-count')).toHaveText('3 items');
  await second.close();

  // ---- dropping files on the Gallery imports them too
  const dropped = await sharp({ create: { width: 48, height: 48, channels: 3, background: { r: 250, g: 200, b: 30 } } }).png().toBuffer();
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: 'image/png' }));
      return transfer;
    },
    { name: `${run}-dropped-yellow.png`, base64: dropped.toString('base64') },
  );
  const gallery = page.locator('section.gallery');
  await gallery.dispatchEvent('dragenter', { dataTransfer });
  await expect(page.getByText('Drop to import')).toBeVisible();
  await gallery.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByText('Drop to import')).toHaveCount(0);
  await expect(count).toHaveText('4 items');
  await expect(tile(page, `${run}-dropped-yellow`)).toHaveCount(1);

  // ---- Ctrl+1…6 switch views
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+2');
  await expect(page).toHaveURL(/#\/translate$/);
  await expect(page.getByRole('heading', { name: 'Translate', exact: true })).toBeVisible();
  await page.keyboard.press('Control+5');
  await expect(page).toHaveURL(/#\/gallery$/);

  await search(page, '');
  await page.screenshot({ path: resolve('tests/artifacts/gallery.png') });
  await page.screenshot({ path: testInfo.outputPath('gallery.png') });
  expect(pageErrors).toEqual([]);
});

test('gallery: the scroll position and the search survive leaving the view', async ({ page }) => {
  const pageErrors = collectPageErrors(page, { consoleErrors: true });
  const tag = `scroll${Date.now().toString(36)}`;
  const folder = mkdtempSync(join(tmpdir(), 'ganvas-e2e-scroll-'));
  const images: string[] = [];
  for (let i = 0; i < 6; i++) {
    const path = join(folder, `${i}.png`);
    await makeImage(path, { r: 40 * i, g: 200 - 30 * i, b: 90 }, { width: 32, height: 32 });
    images.push(readFileSync(path).toString('base64'));
  }
  await page.goto(`/?token=${TOKEN}`);
  await expect(page).not.toHaveURL(/token=/);
  // 180 items through the real API (the page's cookie authorises the calls).
  const added = await page.evaluate(
    async ({ tag, images }) => {
      let ok = 0;
      for (let i = 0; i < 180; i++) {
        const response = await fetch('/api/gallery.add', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'imported', title: `${tag}-${i}`, output: images[i % images.length], tags: [tag] }),
        });
        if ((await response.json()).ok) ok++;
      }
      return ok;
    },
    { tag, images },
  );
  expect(added).toBe(180);

  await page.getByTestId('nav-gallery').click();
  await search(page, tag);
  await expect(page.getByTestId('gallery-count')).toHaveText('180 items');
  const scroller = page.getByTestId('gallery-grid');
  await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight / 2 }));
  await expect.poll(() => scroller.evaluate((element) => element.scrollTop)).toBeGreaterThan(200);
  const top = await scroller.evaluate((element) => element.scrollTop);
  const firstShown = await page.getByTestId('gallery-tile').first().getAttribute('data-index');

  await page.getByTestId('nav-models').click();
  await expect(page).toHaveURL(/#\/models$/);
  await page.getByTestId('nav-gallery').click();
  await expect(page.getByTestId('gallery-search')).toHaveValue(tag);
  await expect(page.getByTestId('gallery-count')).toHaveText('180 items');
  await expect.poll(() => page.getByTestId('gallery-grid').evaluate((element) => element.scrollTop)).toBeCloseTo(top, -1);
  await expect(page.getByTestId('gallery-tile').first()).toHaveAttribute('data-index', firstShown!);

  // A new search starts at the top.
  await search(page, `${tag}-1`);
  await expect.poll(() => page.getByTestId('gallery-grid').evaluate((element) => element.scrollTop)).toBe(0);
  expect(pageErrors).toEqual([]);
});
