/**
 * Shared set-up for end-to-end specs: things written into the server's data
 * folder before a test, made by the real engine.
 */
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const E2E_TOKEN = 'e2e-token-0123456789abcdef';

/**
 * Collects the page's uncaught errors (and, with `consoleErrors`, its
 * console.error lines) so a spec can assert at its end that there were none.
 */
export function collectPageErrors(page: Page, options: { consoleErrors?: boolean } = {}): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.consoleErrors) {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
  }
  return errors;
}

/** The data folder `ganvas serve` runs on (set by playwright.config.ts). */
export function e2eDataDir(): string {
  const dataDir = process.env.GANVAS_E2E_DATA_DIR;
  if (!dataDir) throw new Error('GANVAS_E2E_DATA_DIR is not set: run this through playwright.config.ts');
  return dataDir;
}

/**
 * A real but untrained checkpoint of any family, with the given settings, in
 * `runDir`, and, with `exportTo`, exported from there as a model folder. Its
 * output still depends on its input, which is all a view needs to show. A
 * child process, because the engine modules are TypeScript run through tsx.
 */
function writeUntrainedCheckpoint(family: string, runDir: string, settings: Record<string, unknown>, exportTo?: { outDir: string; card: Record<string, string> }): void {
  const module = (path: string) => JSON.stringify(pathToFileURL(resolve(path)).href);
  const exporting = exportTo
    ? `const { exportModel } = await import(${module('src/main/engine/models/export-model.ts')});
    await exportModel(${JSON.stringify(runDir)}, ${JSON.stringify(exportTo.outDir)}, { card: ${JSON.stringify(exportTo.card)}, overwrite: true });`
    : '';
  const script = `
    const { initBackend } = await import(${module('src/main/engine/backend/index.ts')});
    const { parseFamilyConfig } = await import(${module('src/main/engine/gans/family.ts')});
    const { getFamily } = await import(${module('src/main/engine/gans/registry.ts')});
    const { saveCheckpoint } = await import(${module('src/main/engine/train/checkpoint/index.ts')});
    await initBackend({ prefer: 'wasm' });
    const family = getFamily(${JSON.stringify(family)});
    const model = (await family.loadModel()).build(parseFamilyConfig(family, ${JSON.stringify(settings)}));
    await saveCheckpoint(${JSON.stringify(runDir)}, model, { family: family.id, step: 0 });
    ${exporting}
  `;
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'pipe', timeout: 120_000 });
}

/** An untrained checkpoint as run `<data dir>/runs/<runName>`; the catalogue lists it as `run:<runName>`. */
export function writeUntrainedModel(family: string, runName: string, settings: Record<string, unknown>): string {
  writeUntrainedCheckpoint(family, join(e2eDataDir(), 'runs', runName), settings);
  return `run:${runName}`;
}

/** An untrained Pix2Pix (ngf/ndf 8) at `size` px. */
export function writeUntrainedPix2Pix(runName: string, size = 64): string {
  return writeUntrainedModel('pix2pix', runName, { size, ngf: 8, ndf: 8 });
}

/**
 * An untrained SRGAN (SRResNet, 2 blocks of 8 filters, bicubic image skip)
 * exported as `<data dir>/models/<name>`, the way a user adds an upscaler:
 * the catalogue lists it as `user:<name>` for the Upscale view. With the
 * image skip its output is near bicubic, which is all a view needs.
 */
export function writeUserSrganModel(name: string, scale: 2 | 3 | 4, card: Record<string, string>): string {
  const settings = { size: 32, scale, filters: 8, blocks: 2, norm: 'none', imageSkip: 'bicubic', ndf: 8 };
  writeUntrainedCheckpoint('srgan', join(e2eDataDir(), 'scratch-runs', name), settings, { outDir: join(e2eDataDir(), 'models', name), card });
  return `user:${name}`;
}

/** Drags the mouse over the Doodle canvas through points given in model pixels (0…size), `steps` moves between points. */
export async function doodleStroke(page: Page, points: [number, number][], steps = 4): Promise<void> {
  const stage = page.getByTestId('doodle-stage');
  const box = (await stage.boundingBox())!;
  const zoom = Number(await stage.getAttribute('data-zoom'));
  const at = ([x, y]: [number, number]) => [box.x + x * zoom, box.y + y * zoom] as const;
  const [first, ...rest] = points;
  await page.mouse.move(...at(first!));
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(...at(point), { steps });
  await page.mouse.up();
}

/** Clicks the Doodle canvas at a point in model pixels. */
export async function doodleClick(page: Page, [x, y]: [number, number]): Promise<void> {
  const stage = page.getByTestId('doodle-stage');
  const box = (await stage.boundingBox())!;
  const zoom = Number(await stage.getAttribute('data-zoom'));
  await page.mouse.click(box.x + x * zoom, box.y + y * zoom);
}
