/**
 * Folder and upscale jobs stay on screen while they live, through `ganvas
 * serve` in Chromium: with a long training run holding the engine, a folder
 * translation and an upscale queue behind it and say what they wait for;
 * leaving Translate or Upscale and coming back (or reloading) still shows
 * their progress and Cancel, because the views read them from the job queue;
 * once the training is stopped both run to the end and show their results.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { buildOpenMojiPairs } from '../unit/fixtures/openmoji.js';
import { collectPageErrors, E2E_TOKEN } from './fixtures.js';

async function api<T = any>(page: Page, method: string, body: unknown): Promise<T> {
  const outcome = await page.evaluate(
    async ([name, payload]) => {
      const response = await fetch(`/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
      return response.json();
    },
    [method, body] as const,
  );
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.value as T;
}

test('live jobs: queued folder and upscale jobs say what they wait for and keep their progress and Cancel across views and a reload', async ({ page }) => {
  test.setTimeout(300_000);
  const pageErrors = collectPageErrors(page);
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'ganvas-e2e-live-'));
  const pairs = join(root, 'pairs');
  await buildOpenMojiPairs(pairs, { count: 8, size: 32, start: 300 });
  const inputDir = join(root, 'in');
  mkdirSync(inputDir);
  for (let i = 0; i < 5; i++) {
    writeFileSync(join(inputDir, `shape-${i}.png`), await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 50 * i, g: 90, b: 160 } } }).png().toBuffer());
  }
  const photo = join(root, 'photo.png');
  await sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toFile(photo);

  await page.goto(`/?token=${E2E_TOKEN}`);
  const run = `live-${Date.now().toString(36)}`;
  const training = await api(page, 'train.start', {
    family: 'pix2pix',
    dataDir: pairs,
    run,
    config: { size: 32, ngf: 8, ndf: 8, steps: 3000, sampleEvery: 1000, checkpointEvery: 1000 },
  });
  await expect.poll(async () => (await api(page, 'jobs.get', { id: training.id })).progress.done, { timeout: 120_000 }).toBeGreaterThan(0);
  const waitingBehindTraining = (ahead: number) =>
    new RegExp(`^Waiting: 'Train Pix2Pix: ${run}' is running, step [\\d,]+ of 3,000; ${ahead} jobs? ahead$`);

  // ---- a folder job queues behind the training run and says so
  await page.getByTestId('nav-translate').click();
  await page.getByTestId('translate-mode-folder').click();
  await page.getByTestId('translate-folder-input').fill(inputDir);
  await page.getByTestId('translate-folder-output').fill(join(root, 'out'));
  await page.getByTestId('translate-folder-start').click();
  const folderStatus = page.getByTestId('translate-folder-status');
  await expect(folderStatus).toHaveText(waitingBehindTraining(1));

  // ---- away and back: still there, with its Cancel
  await page.getByTestId('nav-gallery').click();
  await expect(page.getByTestId('translate-folder-progress')).toHaveCount(0);
  await page.getByTestId('nav-translate').click();
  await expect(page.getByTestId('translate-folder-progress')).toBeVisible();
  await expect(page.getByTestId('translate-folder-cancel')).toBeVisible();
  await expect(folderStatus).toHaveText(waitingBehindTraining(1));
  await page.screenshot({ path: resolve('tests/artifacts/live-jobs-translate-waiting.png') });

  // ---- an upscale queues behind both
  await page.getByTestId('nav-upscale').click();
  await page.getByTestId('upscale-input').setInputFiles(photo);
  await page.getByTestId('upscale-start').click();
  const upscaleStatus = page.getByTestId('upscale-status');
  await expect(upscaleStatus).toHaveText(waitingBehindTraining(2));
  await page.getByTestId('nav-doodle').click();
  await page.getByTestId('nav-upscale').click();
  await expect(page.getByTestId('upscale-progress')).toBeVisible();
  await expect(page.getByTestId('upscale-cancel')).toBeVisible();
  await expect(upscaleStatus).toHaveText(waitingBehindTraining(2));

  // ---- a reload: the jobs come back from the queue
  await page.reload();
  await expect(page.getByTestId('upscale-progress')).toBeVisible();
  await expect(upscaleStatus).toHaveText(waitingBehindTraining(2));
  // A paused run keeps the engine: the line says so, and where to resume or stop it.
  await api(page, 'jobs.pause', { id: training.id });
  await expect(upscaleStatus).toHaveText(new RegExp(`^Waiting: 'Train Pix2Pix: ${run}' is paused at step [\\d,]+ of 3,000 and keeps the engine until it is resumed or stopped in the Train view; 2 jobs ahead$`));
  await page.screenshot({ path: resolve('tests/artifacts/live-jobs-upscale-waiting.png') });

  // ---- stop the run: both jobs run and end with their results
  await api(page, 'jobs.cancel', { id: training.id });
  await expect(page.getByTestId('zoom-compare-slider')).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('upscale-progress')).toHaveCount(0);
  await page.getByTestId('nav-translate').click();
  await expect(page.getByTestId('translate-folder-summary')).toContainText('Translated 5', { timeout: 60_000 });
  await expect(page.getByTestId('translate-folder-summary')).toContainText(join(root, 'out'));
  await expect(page.getByTestId('translate-folder-progress')).toHaveCount(0);
  await page.screenshot({ path: resolve('tests/artifacts/live-jobs-done.png') });
  expect(pageErrors).toEqual([]);
});
