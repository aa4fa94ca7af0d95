/**
 * `?` opens a sheet of every keyboard shortcut, in Chromium through `ganvas
 * serve`: the current view's first, with the keys the views really answer to
 * (the sheet is drawn from the list the views match against). Keys pressed
 * while it is open do not reach the view behind it; Escape closes it; typing
 * ? into a text field types it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { collectPageErrors, E2E_TOKEN } from './fixtures.js';

test('shortcuts: ? opens the sheet with every view’s keys, Escape closes it, and the listed keys work', async ({ page }) => {
  const pageErrors = collectPageErrors(page, { consoleErrors: true });
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.goto(`/?token=${E2E_TOKEN}`);
  await page.getByTestId('nav-doodle').click();
  await expect(page.getByTestId('doodle-tool-brush')).toHaveAttribute('aria-checked', 'true');

  await page.keyboard.press('Shift+Slash');
  const sheet = page.getByTestId('shortcut-sheet');
  await expect(sheet).toBeVisible();
  await expect(sheet.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeVisible();
  // The view it opened in comes first; every view's shortcuts are there.
  const sections = sheet.getByTestId('shortcut-section');
  await expect(sections.first()).toHaveAttribute('data-scope', 'doodle');
  const scopes = await sections.evaluateAll((all) => all.map((s) => s.getAttribute('data-scope')));
  expect(scopes).toEqual(expect.arrayContaining(['studio', 'doodle', 'translate', 'compare', 'zoom', 'train', 'gallery', 'gallery-detail', 'models']));
  await expect(sheet.locator('[data-shortcut="doodle.eraser"]')).toContainText(/Eraser\s*E/);
  await expect(sheet.locator('[data-shortcut="doodle.redo"]')).toContainText(/Ctrl\s*Shift\s*Z\s*or\s*Ctrl\s*Y/);
  await expect(sheet.locator('[data-shortcut="studio.view-5"]')).toContainText(/Go to Gallery\s*Ctrl\s*5/);
  await expect(sheet.locator('[data-shortcut="gallery.search"]')).toContainText('/');
  await page.screenshot({ path: resolve('tests/artifacts/shortcut-sheet.png') });

  // Keys go to the sheet, not to the view behind it.
  await page.keyboard.press('e');
  await expect(page.getByTestId('doodle-tool-brush')).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
  // The key the sheet listed does what it said.
  await page.keyboard.press('e');
  await expect(page.getByTestId('doodle-tool-eraser')).toHaveAttribute('aria-checked', 'true');

  // The listed view shortcut moves to the Gallery; there the sheet leads with the Gallery's keys.
  await page.keyboard.press('Control+5');
  await expect(page).toHaveURL(/#\/gallery/);
  await page.getByTestId('open-shortcuts').click();
  await expect(sections.first()).toHaveAttribute('data-scope', 'gallery');
  await page.getByTestId('shortcut-sheet-close').click();
  await expect(sheet).toHaveCount(0);

  // Typing ? in the search field types it.
  await page.getByTestId('gallery-search').click();
  await page.keyboard.type('a?');
  await expect(page.getByTestId('gallery-search')).toHaveValue('a?');
  await expect(sheet).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});
