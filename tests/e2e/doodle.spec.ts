/**
 * Doodle end to end, through `ganvas serve` in Chromium: draw strokes with the
 * mouse, watch the live result change, undo and redo (the canvas pixels
 * revert), save to the gallery, and find the sketch there with its compare
 * slider.
 *
 * The model is a real but untrained Pix2Pix checkpoint written into the
 * server's data folder before the test (the catalogue lists it as
 * `run:<name>`): its output still depends on the drawing, which is all the
 * live pane needs to show.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { collectPageErrors, doodleStroke, E2E_TOKEN as TOKEN, writeUntrainedPix2Pix } from './fixtures.js';

const runName = `doodle-e2e-${Date.now().toString(36)}`;
const modelId = `run:${runName}`;

test.beforeAll(() => {
  writeUntrainedPix2Pix(runName);
});

/** The sketch layer's pixels as Konva shows them (the first canvas of the stage). */
async function stagePixels(page: Page): Promise<string> {
  return page.getByTestId('doodle-stage').locator('canvas').first().evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL('image/png'));
}

async function darkPixelCount(page: Page): Promise<number> {
  return page
    .getByTestId('doodle-stage')
    .locator('canvas')
    .first()
    .evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 1]! < 128 && data[i + 2]! < 128) dark++;
      return dark;
    });
}

function circle(cx: number, cy: number, r: number, from = 0, to = Math.PI * 2, steps = 24): [number, number][] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = from + ((to - from) * i) / steps;
    return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
  });
}

async function resultSrc(page: Page): Promise<string | null> {
  return page.getByTestId('doodle-result').getAttribute('src');
}

/** Waits until no newer result is pending, then returns the shown result's src and sequence number. */
async function settledResult(page: Page): Promise<{ src: string; seq: number }> {
  await expect(page.getByTestId('doodle-pending')).toHaveCount(0);
  const result = page.getByTestId('doodle-result');
  return { src: (await result.getAttribute('src'))!, seq: Number(await result.getAttribute('data-seq')) };
}

test('doodle: draw, see the live result, undo, save and find it in the gallery', async ({ page }) => {
  const pageErrors = collectPageErrors(page, { consoleErrors: true });

  await page.goto(`/?token=${TOKEN}`);
  await expect(page).not.toHaveURL(/token=/);
  await page.getByTestId('nav-doodle').click();
  await expect(page).toHaveURL(/#\/doodle$/);

  // ---- the model: pick the run written above; the canvas takes its size
  const picker = page.getByTestId('doodle-model-picker');
  await expect(picker.locator(`option[value="${modelId}"]`)).toHaveCount(1);
  await picker.selectOption(modelId);
  expect(await page.evaluate(() => localStorage.getItem('ganvas.doodle.model'))).toBe(modelId);
  const stage = page.getByTestId('doodle-stage');
  await expect(stage).toHaveAttribute('data-size', '64');
  const zoom = Number(await stage.getAttribute('data-zoom'));
  expect(Number.isInteger(zoom) && zoom >= 2).toBe(true);
  // The stage is zoom screen pixels per model pixel across.
  const stageBox = (await stage.boundingBox())!;
  expect(Math.round(stageBox.width)).toBe(64 * zoom);
  const resultBox = (await page.locator('.result').boundingBox())!;
  expect(Math.round(resultBox.width)).toBe(64 * zoom);

  // The blank canvas is translated as soon as a model is chosen.
  await expect(page.getByTestId('doodle-result')).toBeVisible();
  const blank = await settledResult(page);
  expect(blank.seq).toBeGreaterThanOrEqual(1);
  const blankPixels = await stagePixels(page);
  await expect.poll(() => darkPixelCount(page)).toBe(0);
  await expect(page.getByTestId('doodle-undo')).toBeDisabled();

  // ---- stroke 1: the canvas gets ink, the result follows
  await expect(page.getByTestId('doodle-tool-brush')).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  await expect(page.getByTestId('doodle-brush-size')).toHaveValue('4');
  await doodleStroke(page, circle(32, 34, 20), 6);
  expect(await darkPixelCount(page)).toBeGreaterThan(100);
  const afterFirstPixels = await stagePixels(page);
  // Smooth strokes at screen resolution: along the stroke's edge, the zoom×zoom block of screen pixels
  // under a model pixel is not one flat colour (a 64 px raster blown up would make every block flat).
  const blocks = await stage.locator('canvas').first().evaluate((canvas: HTMLCanvasElement, side: number) => {
    const { data, width } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const cell = (canvas.width / 64) | 0;
    let inked = 0;
    let uneven = 0;
    for (let by = 0; by < side; by++)
      for (let bx = 0; bx < side; bx++) {
        let min = 255;
        let max = 0;
        for (let y = by * cell; y < (by + 1) * cell; y++)
          for (let x = bx * cell; x < (bx + 1) * cell; x++) {
            const value = data[(y * width + x) * 4]!;
            min = Math.min(min, value);
            max = Math.max(max, value);
          }
        if (min < 128) inked++;
        if (min < 128 && max - min > 64) uneven++;
      }
    return { inked, uneven };
  }, 64);
  console.log(`stroke edge: ${blocks.uneven} of ${blocks.inked} inked model pixels show a smooth edge inside them`);
  expect(blocks.uneven).toBeGreaterThan(blocks.inked / 4);
  await expect.poll(() => resultSrc(page)).not.toBe(blank.src);
  const first = await settledResult(page);
  expect(first.seq).toBeGreaterThan(blank.seq);
  await expect(page.getByTestId('doodle-timing')).toContainText(/Inference \d+ ms/);

  // ---- stroke 2 and a straight line (L): more changes, each its own undo step
  await doodleStroke(page, circle(32, 36, 11, 0.15 * Math.PI, 0.85 * Math.PI, 10), 6);
  const afterSecondPixels = await stagePixels(page);
  expect(afterSecondPixels).not.toBe(afterFirstPixels);
  await page.keyboard.press('l');
  await expect(page.getByTestId('doodle-tool-line')).toHaveAttribute('aria-checked', 'true');
  await doodleStroke(page, [[24, 26], [27, 26]], 6);
  await page.keyboard.press('b');
  await doodleStroke(page, [[38, 25], [39, 28]], 6);
  const finalPixels = await stagePixels(page);
  await expect.poll(() => resultSrc(page)).not.toBe(first.src);
  const drawn = await settledResult(page);
  expect(drawn.seq).toBeGreaterThan(first.seq);

  // Screenshot of the view with a drawing and its result, for people to look at.
  mkdirSync(resolve('tests/artifacts'), { recursive: true });
  await page.mouse.move(stageBox.x + stageBox.width + 40, stageBox.y + 10);
  await page.screenshot({ path: resolve('tests/artifacts/doodle.png') });

  // ---- undo with the button and the keyboard: the pixels revert exactly
  await page.getByTestId('doodle-undo').click();
  await page.getByTestId('doodle-undo').click();
  await page.getByTestId('doodle-undo').click();
  await expect.poll(() => stagePixels(page)).toBe(afterFirstPixels);
  await page.keyboard.press('Control+z');
  await expect.poll(() => stagePixels(page)).toBe(blankPixels);
  await expect(page.getByTestId('doodle-undo')).toBeDisabled();
  // The result goes back with the drawing.
  await expect.poll(() => resultSrc(page)).toBe(blank.src);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => stagePixels(page)).toBe(afterFirstPixels);
  await page.keyboard.press('Control+y');
  await page.getByTestId('doodle-redo').click();
  await page.keyboard.press('Control+y');
  await expect.poll(() => stagePixels(page)).toBe(finalPixels);
  await expect(page.getByTestId('doodle-redo')).toBeDisabled();
  await expect.poll(() => resultSrc(page)).toBe(drawn.src);

  // ---- clear, then undo the clear
  await page.getByTestId('doodle-clear').click();
  await expect.poll(() => darkPixelCount(page)).toBe(0);
  await page.keyboard.press('Control+z');
  await expect.poll(() => stagePixels(page)).toBe(finalPixels);

  // ---- import a wide picture: fitted into 64×64, centred on white, and undoable
  const wide = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
  await page.getByTestId('doodle-import-input').setInputFiles({ name: 'wide-black.png', mimeType: 'image/png', buffer: wide });
  await expect(page.getByTestId('doodle-notice')).toContainText('Imported “wide-black.png” at 64×64');
  // 200×100 fits as 64×32: half the canvas is dark, the bands above and below stay white.
  await expect.poll(() => darkPixelCount(page)).toBe(64 * zoom * 32 * zoom);
  await page.keyboard.press('Control+z');
  await expect.poll(() => stagePixels(page)).toBe(finalPixels);
  await page.getByTestId('doodle-import-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  await expect(page.getByTestId('doodle-notice')).toContainText('“notes.txt” is not an image');
  await expect.poll(() => stagePixels(page)).toBe(finalPixels);

  // ---- save (Ctrl+S): the toast names the item and leads to the Gallery
  await settledResult(page);
  await page.keyboard.press('Control+s');
  const saved = page.getByTestId('doodle-saved');
  await expect(saved).toBeVisible();
  const itemId = await saved.getAttribute('data-item-id');
  const title = (await saved.getAttribute('data-title'))!;
  expect(itemId).toMatch(/^\d+$/);
  await page.getByTestId('doodle-open-gallery').click();
  // The link opens the saved item itself.
  await expect(page).toHaveURL(new RegExp(`#/gallery\\?item=${itemId}$`));
  await expect(page.getByTestId('item-detail')).toHaveAttribute('data-item-id', itemId!);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('item-detail')).toHaveCount(0);
  await page.getByTestId('gallery-search').fill(title);
  const tile = page.locator(`[data-testid="gallery-tile"][data-item-id="${itemId}"]`);
  await expect(tile).toHaveCount(1);
  await tile.click();
  const detail = page.getByTestId('item-detail');
  await expect(detail).toHaveAttribute('data-item-id', itemId!);
  await expect(detail).toContainText(modelId);
  await expect(detail.getByTestId('compare-slider')).toBeVisible();

  const item = await page.evaluate(async (id) => {
    const response = await fetch('/api/gallery.get', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) });
    return response.json();
  }, Number(itemId));
  expect(item.ok).toBe(true);
  expect(item.value.kind).toBe('sketch');
  expect(item.value.modelId).toBe(modelId);
  expect(item.value.input).not.toBeNull();
  expect(item.value.input.width).toBe(64);
  expect(item.value.timings.inference).toBeGreaterThan(0);
  expect(item.value.timings.total).toBeGreaterThanOrEqual(item.value.timings.inference);
  await page.screenshot({ path: resolve('tests/artifacts/doodle-gallery.png') });

  // ---- back in Doodle, the model choice is remembered
  await page.keyboard.press('Escape');
  await page.getByTestId('nav-doodle').click();
  await expect(page.getByTestId('doodle-model-picker')).toHaveValue(modelId);

  expect(pageErrors).toEqual([]);
});
