/**
 * The Train and Models views end to end, through `ganvas serve` in Chromium:
 * train a tiny Pix2Pix on OpenMoji line art → colour pairs made here, watch
 * progress, losses and samples, pause and resume, stop and continue the run,
 * and find the finished model in the Models view. A bad folder shows the
 * server's own message.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { buildOpenMojiPairs } from '../unit/fixtures/openmoji.js';

import { E2E_TOKEN as TOKEN, e2eDataDir } from './fixtures.js';

/** Each job record in the shared e2e data folder, a line each: kind, status, title, error. */
function jobsOnDisk(): string {
  const dir = join(e2eDataDir(), 'jobs');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const { info } = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { info: { kind: string; status: string; title: string; error?: string; startedAt?: number } };
      return `${info.kind} ${info.status} ${info.title} ${info.startedAt ?? '-'} ${info.error ?? ''}`;
    })
    .join('\n');
}

async function openTrain(page: Page, errors: string[]) {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`/?token=${TOKEN}`);
  await expect(page).not.toHaveURL(/token=/);
  await page.getByTestId('nav-train').click();
  await expect(page).toHaveURL(/#\/train$/);
}

async function fillForm(page: Page, folder: string, run: string, steps: number) {
  // A new run starts from the CPU preset, and the form measures what its settings would take here.
  await expect(page.getByTestId('train-preset-note')).toContainText('Starts smaller than the paper');
  await expect(page.getByTestId('train-steps')).toHaveValue('3000');
  await expect(page.getByTestId('train-estimate')).toContainText(/Expected time: .+ a step on (wasm|cpu|tensorflow)/, { timeout: 90_000 });
  await page.getByTestId('train-folder').fill(folder);
  // The run name follows the folder until it is edited.
  await expect(page.getByTestId('train-run')).toHaveValue(/^pairs-\d{8}-\d{4}$/);
  await page.getByTestId('train-run').fill(run);
  await page.getByTestId('train-size').selectOption('32');
  await page.getByTestId('train-steps').fill(String(steps));
  await page.getByTestId('train-advanced').locator('summary').click();
  await page.getByTestId('train-opt-ngf').fill('8');
  await page.getByTestId('train-opt-ndf').fill('8');
  await page.getByTestId('train-opt-sampleEvery').fill('10');
  await page.getByTestId('train-opt-checkpointEvery').fill('25');
  await expect(page.getByTestId('train-advanced')).toContainText('4 changed');
  // Changed settings are measured again: 40 steps take far less than 3,000.
  await expect(page.getByTestId('train-estimate')).toContainText(/Expected time: (under a second|\d+ s|\d+ min)/, { timeout: 90_000 });
  await page.screenshot({ path: resolve('tests/artifacts/train-form.png') });
}

const doneSteps = async (page: Page) => Number(await page.getByTestId('train-progress').getAttribute('data-done'));
const chartPoints = async (page: Page) => Number(await page.getByTestId('loss-chart').getAttribute('data-points'));

test('train: a tiny Pix2Pix with live progress, pause/resume, stop/continue, then in Models', async ({ page }) => {
  test.setTimeout(600_000);
  const folder = join(mkdtempSync(join(tmpdir(), 'ganvas-e2e-train-')), 'pairs');
  await buildOpenMojiPairs(folder, { count: 12, size: 32 });
  const run = `e2e-${Date.now().toString(36)}`;
  const steps = 160;
  const errors: string[] = [];
  await openTrain(page, errors);

  await fillForm(page, folder, run, steps);
  await page.getByTestId('train-start').click();
  const dashboard = page.getByTestId('train-dashboard');
  await expect(dashboard).toContainText(run);
  await expect(page.getByTestId('train-run-item').filter({ hasText: run })).toHaveCount(1);

  // ---- progress moves and the chart draws points, a line per loss
  await expect.poll(() => doneSteps(page), { timeout: 180_000 }).toBeGreaterThan(3);
  await expect(page.getByTestId('train-progress-steps')).toContainText(`/ ${steps} steps`);
  await expect.poll(() => chartPoints(page)).toBeGreaterThan(2);
  const keys = await page.getByTestId('loss-key').allTextContents();
  expect(keys.length).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('loss-line').first()).toHaveAttribute('d', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+/);
  await expect(page.getByTestId('train-eta')).toContainText(/ETA (\d|under|estimating)/);
  await expect(page.getByTestId('train-sample').locator('img')).toBeVisible({ timeout: 120_000 });

  // ---- pause: the step count stops; resume: it moves again
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('job-status').first()).toHaveAttribute('data-status', 'paused', { timeout: 60_000 });
  // The job shows as paused at once; the worker stops after the step under way, and a paused trainer
  // saves a checkpoint at the step it stopped at. Once that checkpoint and the count agree, nothing may move.
  const checkpointStep = () => {
    try {
      return (JSON.parse(readFileSync(join(e2eDataDir(), 'runs', run, 'checkpoint', 'checkpoint.json'), 'utf8')) as { step: number }).step;
    } catch {
      return -1;
    }
  };
  await expect.poll(async () => checkpointStep() === (await doneSteps(page)) && checkpointStep() > 0, { timeout: 60_000 }).toBe(true);
  const pausedAt = await doneSteps(page);
  await page.waitForTimeout(2_000);
  expect(await doneSteps(page)).toBe(pausedAt);
  expect(checkpointStep()).toBe(pausedAt);
  await page.getByTestId('train-resume').click();
  await expect.poll(() => doneSteps(page), { timeout: 120_000 }).toBeGreaterThan(pausedAt + 1);

  // ---- leave and come back: the run and its curves are still there
  const pointsBefore = await chartPoints(page);
  await page.getByTestId('nav-gallery').click();
  await expect(page.getByTestId('train-dashboard')).toHaveCount(0);
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('train-dashboard')).toContainText(run);
  // Curves collected before and while away are kept, not restarted.
  expect(await chartPoints(page)).toBeGreaterThanOrEqual(pointsBefore);

  // ---- stop (checkpoints), then continue the run from its checkpoint
  await page.getByTestId('train-stop').click();
  const badge = page.getByTestId('train-dashboard').getByTestId('job-status');
  await expect(badge).toHaveText(/stopped · resumable/, { timeout: 120_000 });
  const stoppedAt = await doneSteps(page);
  expect(stoppedAt).toBeLessThan(steps);
  await page.getByTestId('train-continue').click();
  await expect(badge).toHaveAttribute('data-status', /running|queued/);
  await expect(badge).toHaveAttribute('data-status', 'succeeded', { timeout: 480_000 });
  expect(await doneSteps(page)).toBe(steps);
  await expect(page.getByTestId('train-run-item').filter({ hasText: run })).toContainText('succeeded');

  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.screenshot({ path: resolve('tests/artifacts/train.png') });

  // ---- reload: the finished run's whole curve is read back from its run folder (train.history)
  const pointsLive = await chartPoints(page);
  await page.reload();
  await page.getByTestId('train-run-item').filter({ hasText: run }).click();
  await expect(page.getByTestId('train-dashboard')).toContainText(run);
  await expect.poll(() => chartPoints(page)).toBeGreaterThanOrEqual(steps);
  expect(await chartPoints(page)).toBeGreaterThanOrEqual(pointsLive);

  // ---- the trained model is in the Models view, ready for Doodle
  await page.getByTestId('nav-models').click();
  const card = page.locator(`[data-testid="model-card"][data-model-id="run:${run}"]`);
  await expect(card).toBeVisible();
  await expect(card).toContainText('pix2pix');
  await expect(card).toContainText('trained here');
  await expect(card).toContainText('32 px');
  await page.screenshot({ path: resolve('tests/artifacts/models.png') });
  await card.getByTestId('model-use').click();
  await expect(page).toHaveURL(/#\/doodle$/);
  expect(await page.evaluate(() => localStorage.getItem('ganvas.doodle.model'))).toBe(`run:${run}`);

  // The status bar names the tensor backend.
  await expect(page.getByTestId('status-backend')).toHaveText(/wasm|cpu|tensorflow/);
  expect(errors).toEqual([]);
});

test('train: a folder that does not exist or has no pairs shows the server’s reason', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  await openTrain(page, errors);

  // Empty field: the form says what is missing before asking the server.
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-form')).toContainText('enter the folder with the training images');

  const missing = join(tmpdir(), `ganvas-no-such-folder-${Date.now()}`);
  await page.getByTestId('train-folder').fill(missing);
  await page.getByTestId('train-start').click();
  const formError = page.getByTestId('train-error');
  await expect(formError).toContainText('Could not start training.');
  await expect(formError).toContainText(missing);
  await expect(formError).toContainText('does not exist');

  // A folder that exists but holds no pairs: the run starts and fails with the dataset's message.
  const empty = join(mkdtempSync(join(tmpdir(), 'ganvas-e2e-empty-')), 'pairs');
  mkdirSync(join(empty, 'A'), { recursive: true });
  mkdirSync(join(empty, 'B'), { recursive: true });
  await page.getByTestId('train-folder').fill(empty);
  await page.getByTestId('train-start').click();
  const jobError = page.getByTestId('train-job-error');
  const message = (await Promise.race([
    jobError.waitFor({ timeout: 120_000 }).then(() => jobError.textContent()),
    formError.filter({ hasText: empty }).waitFor({ timeout: 120_000 }).then(() => formError.textContent()),
  ]).catch((error: unknown) => {
    // Once seen: the run sat queued for the whole wait. Say what the queue held then.
    throw new Error(`${error instanceof Error ? error.message : String(error)}\njobs on disk:\n${jobsOnDisk()}`);
  })) ?? '';
  expect(message).toContain(empty);
  expect(message).toMatch(/pair|image|empty/i);
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.screenshot({ path: resolve('tests/artifacts/train-bad-folder.png') });
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});
