/**
 * Doodle that follows the hand (issue 13), end to end in Chromium with the
 * bundled hint model: draw a heart in black, fill it with the palette's red,
 * and the result is red inside the heart; undo takes the fill back (and the
 * result follows); save puts the red heart in the gallery. An empty canvas
 * gives a white result. Screenshots are kept in tests/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, doodleClick, doodleStroke, E2E_TOKEN as TOKEN } from './fixtures.js';

const modelId = 'bundled:pix2pix-openmoji-64-hints';
const artifacts = resolve('tests', 'artifacts');

/** A heart outline in model pixels (the classic parametric heart), centred at (32, 30), about 44 px wide. */
function heart(): [number, number][] {
  return Array.from({ length: 73 }, (_, i) => {
    const t = (i / 72) * 2 * Math.PI;
    const x = 16 * Math.sin(t) ** 3;
    const y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
    return [32 + 1.35 * x, 29 - 1.35 * y];
  });
}

/** Points well inside the heart (its two lobes and its middle). */
const inside: [number, number][] = [];
for (let y = 20; y <= 36; y += 2) for (let x = 22; x <= 42; x += 2) if (Math.abs(x - 32) + Math.max(0, y - 28) * 1.3 < 12) inside.push([x, y]);

async function settled(page: Page): Promise<string> {
  await expect(page.getByTestId('doodle-pending')).toHaveCount(0);
  return (await page.getByTestId('doodle-result').getAttribute('src'))!;
}

/** Mean hue (degrees, circular) and mean saturation of the result at the given model pixels. */
async function resultColour(page: Page, points: [number, number][]): Promise<{ hue: number; saturation: number; whiteShare: number }> {
  return page.getByTestId('doodle-result').evaluate(async (img: HTMLImageElement, pts) => {
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(img, 0, 0);
    const scale = img.naturalWidth / 64;
    let sx = 0;
    let sy = 0;
    let saturation = 0;
    let white = 0;
    for (const [x, y] of pts) {
      const [r, g, b] = context.getImageData(Math.floor(x * scale), Math.floor(y * scale), 1, 1).data;
      const max = Math.max(r!, g!, b!) / 255;
      const min = Math.min(r!, g!, b!) / 255;
      if (min > 0.9) white++;
      const chroma = max - min;
      saturation += max === 0 ? 0 : chroma / max;
      if (chroma === 0) continue;
      const [rf, gf, bf] = [r! / 255, g! / 255, b! / 255];
      let hue = max === rf ? ((gf - bf) / chroma) % 6 : max === gf ? (bf - rf) / chroma + 2 : (rf - gf) / chroma + 4;
      hue *= 60;
      // Weighted by chroma, so greys count for nothing.
      sx += Math.cos((hue * Math.PI) / 180) * chroma;
      sy += Math.sin((hue * Math.PI) / 180) * chroma;
    }
    const hue = ((Math.atan2(sy, sx) * 180) / Math.PI + 360) % 360;
    return { hue, saturation: saturation / pts.length, whiteShare: white / pts.length };
  }, points);
}

const hueDistance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

test('doodle with colour hints: a red fill inside a drawn heart gives a red heart; undo and save', async ({ page }) => {
  const pageErrors = collectPageErrors(page, { consoleErrors: true });
  mkdirSync(artifacts, { recursive: true });
  await page.goto(`/?token=${TOKEN}`);
  await page.getByTestId('nav-doodle').click();
  const picker = page.getByTestId('doodle-model-picker');
  await expect(picker.locator(`option[value="${modelId}"]`)).toHaveCount(1);
  await picker.selectOption(modelId);
  await page.getByTestId('doodle-clear').click();

  // ---- an empty canvas gives an empty (white) result
  await settled(page);
  expect((await resultColour(page, inside)).whiteShare).toBe(1);

  // ---- a black heart outline
  await page.getByTestId('doodle-tool-brush').click();
  await page.getByTestId('doodle-color').fill('#000000');
  await page.getByTestId('doodle-brush-size').fill('2');
  await doodleStroke(page, heart());
  const outlineOnly = await settled(page);

  // ---- fill it with the palette's red
  const brush = '#e02020';
  await page.getByTestId('doodle-tool-fill').click();
  await page.getByTestId('doodle-color').fill(brush);
  await doodleClick(page, [32, 26]);
  await expect.poll(() => settled(page)).not.toBe(outlineOnly);
  const red = await resultColour(page, inside);
  console.log(`inside the heart after a red fill: hue ${red.hue.toFixed(1)}°, saturation ${red.saturation.toFixed(2)}`);
  expect(hueDistance(red.hue, 0)).toBeLessThan(20);
  expect(red.saturation).toBeGreaterThan(0.35);
  // Once the drawing rests, the crisp pane covers the result: the same result enlarged ×4 (256 px), not blocks.
  const crisp = page.getByTestId('doodle-result-crisp');
  await expect(crisp).toBeVisible({ timeout: 30_000 });
  expect(await crisp.evaluate(async (img: HTMLImageElement) => (await img.decode(), img.naturalWidth))).toBe(256);
  await page.screenshot({ path: resolve(artifacts, 'doodle-hints-red-heart.png') });

  // ---- undo the fill: the result no longer is the red one
  await page.keyboard.press('Control+z');
  await expect.poll(() => settled(page)).toBe(outlineOnly);
  await page.screenshot({ path: resolve(artifacts, 'doodle-hints-undone.png') });

  // ---- redo and save to the gallery
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => settled(page)).not.toBe(outlineOnly);
  await page.keyboard.press('Control+s');
  const saved = page.getByTestId('doodle-saved');
  await expect(saved).toBeVisible();
  const itemId = Number(await saved.getAttribute('data-item-id'));
  const item = await page.evaluate(async (id) => {
    const response = await fetch('/api/gallery.get', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id }) });
    return response.json();
  }, itemId);
  expect(item.ok).toBe(true);
  expect(item.value.kind).toBe('sketch');
  expect(item.value.modelId).toBe(modelId);
  expect(pageErrors).toEqual([]);
});
