/**
 * Large files from the browser go to `POST /upload` as a stream and are
 * imported by upload id; small ones still travel inline. Through
 * `ganvas serve` in Chromium, with a photo-sized noise PNG made here.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { collectPageErrors, e2eDataDir, E2E_TOKEN as TOKEN } from './fixtures.js';

test('gallery import streams a large file to /upload and imports it by id, beside a small inline one', async ({ page }) => {
  const run = `e2e${Date.now().toString(36)}`;
  const folder = mkdtempSync(join(tmpdir(), 'ganvas-e2e-uploads-'));
  const largePath = join(folder, `${run}-large.png`);
  const smallPath = join(folder, `${run}-small.png`);
  // Gaussian noise does not compress: 1100 × 1100 RGB is about 3.6 MB as PNG, over the 2 MiB stream threshold.
  await sharp({ create: { width: 1100, height: 1100, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).png().toFile(largePath);
  await sharp({ create: { width: 40, height: 30, channels: 3, background: '#36c' } }).png().toFile(smallPath);

  const pageErrors = collectPageErrors(page, { consoleErrors: true });
  const uploads: number[] = [];
  const importBodies: number[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'POST') return;
    const url = new URL(request.url());
    if (url.pathname === '/upload') uploads.push(request.postDataBuffer()?.length ?? 0);
    if (url.pathname === '/api/gallery.import') importBodies.push(request.postDataBuffer()?.length ?? 0);
  });

  await page.goto(`/?token=${TOKEN}`);
  await page.getByTestId('nav-gallery').click();
  await page.getByTestId('gallery-import-input').setInputFiles([largePath, smallPath]);
  await expect(page.getByTestId('import-summary')).toContainText('Imported 2');

  await page.getByTestId('gallery-search').fill(run);
  await expect(page.getByTestId('gallery-count')).toHaveText('2 items');

  // One stream for the large file; the import call itself stayed small (the large file is an id in it).
  expect(uploads).toHaveLength(1);
  expect(importBodies).toHaveLength(1);
  expect(importBodies[0]!).toBeLessThan(64 * 1024);
  // The upload was used and deleted.
  const incoming = join(e2eDataDir(), 'uploads', 'incoming');
  expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
  expect(pageErrors).toEqual([]);
});
