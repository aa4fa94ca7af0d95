/**
 * The doodle and its undo history survive leaving the view and reloading the
 * page, through `ganvas serve` in Chromium: draw, undo one step, go to the
 * Gallery and back (same pixels, undo and redo both still there), then reload
 * (the drawing and every step come back from the browser's storage).
 *
 * The model is the bundled Doodle model (64 px), chosen by default.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, doodleStroke, E2E_TOKEN } from './fixtures.js';

async function stagePixels(page: Page): Promise<string> {
  return page.getByTestId('doodle-stage').locator('canvas').first().evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL('image/png'));
}

test('doodle: the drawing and its undo history outlive a view switch and a reload', async ({ page }) => {
  const pageErrors = collectPageErrors(page, { consoleErrors: true });
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.getByTestId('nav-doodle').click();
  await expect(page.getByTestId('doodle-stage')).toHaveAttribute('data-size', '64');
  await expect(page.getByTestId('doodle-result')).toBeVisible();
  const blank = await stagePixels(page);

  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await doodleStroke(page, [[10, 10], [50, 12], [52, 50]]);
  const one = await stagePixels(page);
  await doodleStroke(page, [[12, 52], [30, 30]]);
  const two = await stagePixels(page);
  expect(new Set([blank, one, two]).size).toBe(3);
  await page.getByTestId('doodle-undo').click();
  await expect.poll(() => stagePixels(page)).toBe(one);
  await page.keyboard.press('e');

  // ---- away and back: same drawing, same undo and redo, same tool and brush
  await page.getByTestId('nav-gallery').click();
  await expect(page.getByTestId('doodle-stage')).toHaveCount(0);
  await page.getByTestId('nav-doodle').click();
  await expect.poll(() => stagePixels(page)).toBe(one);
  await expect(page.getByTestId('doodle-undo')).toBeEnabled();
  await expect(page.getByTestId('doodle-redo')).toBeEnabled();
  await expect(page.getByTestId('doodle-tool-eraser')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('doodle-brush-size')).toHaveValue('4');
  await page.getByTestId('doodle-redo').click();
  await expect.poll(() => stagePixels(page)).toBe(two);

  // ---- reload: everything comes back from the browser
  await expect(page.getByTestId('doodle-view')).toHaveAttribute('data-kept', 'yes');
  await page.reload();
  await expect(page.getByTestId('doodle-view')).toHaveAttribute('data-kept', 'yes');
  await expect.poll(() => stagePixels(page)).toBe(two);
  await expect(page.getByTestId('doodle-redo')).toBeDisabled();
  await page.screenshot({ path: resolve('tests/artifacts/doodle-after-reload.png') });
  await page.keyboard.press('Control+z');
  await expect.poll(() => stagePixels(page)).toBe(one);
  await page.keyboard.press('Control+z');
  await expect.poll(() => stagePixels(page)).toBe(blank);
  await expect(page.getByTestId('doodle-undo')).toBeDisabled();
  // The result follows the restored drawing.
  await expect(page.getByTestId('doodle-result')).toBeVisible();
  expect(pageErrors).toEqual([]);
});
