/**
 * Runs and models a new user wants to look back at or get rid of, through
 * `ganvas serve` in Chromium: a stopped run opened in a fresh page shows its
 * sample grids (newest and earlier ones) and its log from disk; a failed run
 * and a trained model can be deleted with Undo; a running run cannot; bundled
 * and npm models say why they cannot be deleted.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
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

const tiny = { size: 32, ngf: 8, ndf: 8, sampleEvery: 10, checkpointEvery: 10 };
const ended = (status: string) => ['succeeded', 'failed', 'cancelled'].includes(status);

test('runs: a stopped run shows its grids and log after a reload; failed and running runs, and models, delete as they should', async ({ page }) => {
  test.setTimeout(400_000);
  const errors = collectPageErrors(page);
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'ganvas-e2e-runs-'));
  const pairs = join(root, 'pairs');
  await buildOpenMojiPairs(pairs, { count: 8, size: 32, start: 500 });
  const stamp = Date.now().toString(36);
  const stoppedRun = `stopped-${stamp}`;

  // ---- a run trained a little and stopped, before this page ever opened the Train view
  await page.goto(`/?token=${E2E_TOKEN}`);
  const stopped = await api(page, 'train.start', { family: 'pix2pix', dataDir: pairs, run: stoppedRun, config: { ...tiny, steps: 400 } });
  await expect.poll(async () => (await api(page, 'jobs.get', { id: stopped.id })).progress.done, { timeout: 180_000 }).toBeGreaterThanOrEqual(25);
  await api(page, 'jobs.cancel', { id: stopped.id });
  await expect.poll(async () => (await api(page, 'jobs.get', { id: stopped.id })).status, { timeout: 120_000 }).toBe('cancelled');
  const { samples } = await api<{ samples: { step: number }[] }>(page, 'train.samples', { id: stopped.id });
  expect(samples.length).toBeGreaterThanOrEqual(2);
  const newest = samples.at(-1)!.step;

  await page.reload();
  await page.getByTestId('nav-train').click();
  await page.getByTestId('train-run-item').filter({ hasText: stoppedRun }).click();
  const dashboard = page.getByTestId('train-dashboard');
  await expect(dashboard).toContainText(stoppedRun);
  const grid = page.getByTestId('train-sample');
  await expect(grid.locator('img')).toBeVisible();
  await expect(grid).toHaveAttribute('data-step', String(newest));
  await expect(page.getByTestId('train-log')).toContainText('8 pairs');
  // Earlier grids too: the slider goes back to the first one.
  const slider = page.getByTestId('train-sample-step');
  await slider.fill('0');
  await expect(grid).toHaveAttribute('data-step', String(samples[0]!.step));
  await expect(grid.locator('img')).toBeVisible();
  await page.screenshot({ path: resolve('tests/artifacts/train-stopped-after-reload.png') });

  // ---- a run that failed (a folder with no pairs) can be deleted, and Undo brings it back
  const empty = join(root, 'empty');
  mkdirSync(join(empty, 'A'), { recursive: true });
  mkdirSync(join(empty, 'B'), { recursive: true });
  const failedRun = `failed-${stamp}`;
  const failed = await api(page, 'train.start', { family: 'pix2pix', dataDir: empty, run: failedRun, config: { ...tiny, steps: 10 } });
  await expect.poll(async () => (await api(page, 'jobs.get', { id: failed.id })).status, { timeout: 120_000 }).toBe('failed');
  const failedItem = page.getByTestId('train-run-item').filter({ hasText: failedRun });
  await failedItem.click();
  await expect(page.getByTestId('train-job-error')).toBeVisible();
  await page.getByTestId('train-delete').click();
  await expect(failedItem).toHaveCount(0);
  const toast = page.getByTestId('undo-toast');
  await expect(toast).toContainText(`Deleted run '${failedRun}'`);
  await page.screenshot({ path: resolve('tests/artifacts/train-deleted-run.png') });
  await page.getByTestId('undo-button').click();
  await expect(failedItem).toHaveCount(1);
  await failedItem.click();
  await page.getByTestId('train-delete').click();
  await expect(failedItem).toHaveCount(0);
  const listed = await api<{ jobs: { id: string }[] }>(page, 'jobs.list', {});
  expect(listed.jobs.map((job) => job.id)).not.toContain(failed.id);

  // ---- a running run cannot be deleted: the button says to stop it first
  const busyRun = `busy-${stamp}`;
  const busy = await api(page, 'train.start', { family: 'pix2pix', dataDir: pairs, run: busyRun, config: { ...tiny, steps: 5000 } });
  await page.getByTestId('train-run-item').filter({ hasText: busyRun }).click();
  await expect(page.getByTestId('train-delete')).toBeDisabled();
  await expect(page.getByTestId('train-delete')).toHaveAttribute('title', 'Stop the run before deleting it');
  await api(page, 'jobs.cancel', { id: busy.id });
  await expect.poll(async () => ended((await api(page, 'jobs.get', { id: busy.id })).status), { timeout: 120_000 }).toBe(true);

  // ---- Models: the stopped run is a model and deletes with Undo (Ctrl+Z); bundled and npm ones say why they stay
  await page.getByTestId('nav-models').click();
  const card = page.locator(`[data-testid="model-card"][data-model-id="run:${stoppedRun}"]`);
  await expect(card).toBeVisible();
  const bundled = page.locator('[data-testid="model-card"][data-model-id="bundled:pix2pix-openmoji-64"]');
  await expect(bundled.getByTestId('model-not-deletable')).toHaveText('Ships with GANvas, so it cannot be deleted');
  await expect(bundled.getByTestId('model-delete')).toHaveCount(0);
  const npm = page.locator('[data-testid="model-card"][data-model-id^="npm:"]').first();
  await expect(npm.getByTestId('model-not-deletable')).toContainText('uninstall the package');
  await card.getByTestId('model-delete').click();
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId('undo-toast')).toContainText(`Deleted ${stoppedRun}`);
  await page.screenshot({ path: resolve('tests/artifacts/models-deleted.png') });
  await page.keyboard.press('Control+z');
  await expect(card).toBeVisible();
  // The run is back in Train with its grids.
  await page.getByTestId('nav-train').click();
  await page.getByTestId('train-run-item').filter({ hasText: stoppedRun }).click();
  await expect(page.getByTestId('train-sample')).toHaveAttribute('data-step', String(newest));

  expect(errors).toEqual([]);
});
