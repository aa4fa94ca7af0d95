/**
 * Translate as a new user meets it, through `ganvas serve` in Chromium: with
 * six images in the list the Images / A folder toggle keeps its height and
 * can be clicked; a folder job's results show in the results pane (not "No
 * results yet"); and a request the server refuses does not leave the
 * previous job's summary on screen under the new paths.
 *
 * The model is the bundled Doodle model (64 px), chosen by default.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { collectPageErrors, E2E_TOKEN } from './fixtures.js';

function square(size: number, colour: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width: size, height: size, channels: 3, background: colour } }).png().toBuffer();
}

test('translate: the mode toggle survives a long list; folder results fill the results pane; a refused start clears the old summary', async ({ page }) => {
  const pageErrors = collectPageErrors(page);
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.getByTestId('nav-translate').click();
  await expect(page.getByTestId('translate-model-picker')).toHaveValue('bundled:pix2pix-openmoji-64-hints');

  // ---- six images: the toggle keeps its height and stays clickable
  const files = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => ({ name: `tile-${i}.png`, mimeType: 'image/png', buffer: await square(64, { r: 40 * i, g: 120, b: 200 }) })),
  );
  await page.getByTestId('translate-input').setInputFiles(files);
  await expect(page.getByTestId('translate-entry')).toHaveCount(6);
  await expect(page.locator('[data-testid="translate-entry"][data-status="done"]')).toHaveCount(6, { timeout: 60_000 });
  const toggle = page.getByTestId('translate-mode-folder');
  const box = (await toggle.boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(24);
  await page.screenshot({ path: resolve('tests/artifacts/translate-six-images.png') });
  await toggle.click();
  await expect(page.getByTestId('translate-folder-input')).toBeVisible();

  // ---- a folder of three images, saved to the Gallery: the results pane shows them
  const root = mkdtempSync(join(tmpdir(), 'ganvas-translate-edges-'));
  const inputDir = join(root, 'in');
  mkdirSync(inputDir);
  for (const [i, colour] of [{ r: 255, g: 255, b: 255 }, { r: 200, g: 30, b: 30 }, { r: 30, g: 30, b: 200 }].entries()) {
    writeFileSync(join(inputDir, `folder-${i}.png`), await square(64, colour));
  }
  await page.getByTestId('translate-folder-input').fill(inputDir);
  await page.getByTestId('translate-folder-output').fill(join(root, 'out'));
  await page.getByTestId('translate-folder-gallery').check();
  await page.getByTestId('translate-folder-start').click();
  const summary = page.getByTestId('translate-folder-summary');
  await expect(summary).toContainText('Translated 3', { timeout: 90_000 });
  await expect(summary).toContainText(join(root, 'out'));
  const results = page.getByTestId('translate-folder-results');
  await expect(results).toContainText('Translated 3');
  await expect(results.getByTestId('translate-folder-result')).toHaveCount(3);
  await expect(page.getByText('No results yet')).toHaveCount(0);
  await page.screenshot({ path: resolve('tests/artifacts/translate-folder-results.png') });

  // ---- a start the server refuses: the error shows, the old summary goes
  const missing = join(root, 'no-such-folder');
  await page.getByTestId('translate-folder-input').fill(missing);
  await page.getByTestId('translate-folder-start').click();
  await expect(page.getByRole('alert')).toContainText(`${missing} does not exist`);
  await expect(summary).toHaveCount(0);
  await expect(results).toHaveCount(0);
  await page.screenshot({ path: resolve('tests/artifacts/translate-refused-start.png') });

  expect(pageErrors).toEqual([]);
});
