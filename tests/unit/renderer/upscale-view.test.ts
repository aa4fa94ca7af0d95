/** The Upscale view's logic: zoom/pan geometry, the model choices, and reading batch progress. */
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/shared/contract.js';
import { batchPercent, humanEta, imageProgressFrom } from '../../../src/renderer/src/lib/upscale/batch-progress.js';
import { chosenUpscaleOption, upscaleModelOptions } from '../../../src/renderer/src/lib/upscale/model-choice.js';
import { scaleOf } from '../../../src/renderer/src/lib/upscale/bicubic-before.js';
import { measuredSpeeds, speedLine } from '../../../src/renderer/src/lib/upscale/measured-speed.js';
import { clampPan, fitted, oneToOneZoom, panBy, zoomAt, zoomByStep, zoomLabel } from '../../../src/renderer/src/lib/upscale/zoom.js';

const box = { width: 400, height: 200 };

describe('zoom and pan', () => {
  it('keeps the point under the cursor still while zooming', () => {
    const at = { x: 300, y: 50 };
    const zoomed = zoomAt(fitted, 2, at, box);
    // Image point under the cursor before: (300, 50) at zoom 1; after: (at - offset) / zoom.
    expect((at.x - zoomed.x) / zoomed.zoom).toBeCloseTo(300);
    expect((at.y - zoomed.y) / zoomed.zoom).toBeCloseTo(50);
    const back = zoomAt(zoomed, 1, at, box);
    expect(back).toEqual({ zoom: 1, x: 0, y: 0 });
  });

  it('never leaves an empty margin and stays within the zoom limits', () => {
    const zoomed = zoomByStep(zoomByStep(fitted, 1, box), 1, box);
    expect(zoomed.zoom).toBeCloseTo(1.5625);
    expect(panBy(zoomed, 10_000, 10_000, box)).toMatchObject({ x: 0, y: 0 });
    const farLeft = panBy(zoomed, -10_000, -10_000, box);
    expect(farLeft.x).toBeCloseTo(box.width - box.width * zoomed.zoom);
    expect(farLeft.y).toBeCloseTo(box.height - box.height * zoomed.zoom);
    expect(clampPan({ zoom: 0.2, x: 5, y: 5 }, box)).toEqual(fitted);
    expect(clampPan({ zoom: 1000, x: 0, y: 0 }, box).zoom).toBe(32);
  });

  it('1:1 maps one image pixel to one screen pixel, and labels zoom in image pixels', () => {
    expect(oneToOneZoom(1600, box)).toBe(4);
    expect(oneToOneZoom(1600, box, 2)).toBe(2);
    expect(oneToOneZoom(100, box)).toBe(1); // smaller than the box: fit is already more than 1:1
    expect(zoomLabel(4, 1600, box)).toBe('100%');
    expect(zoomLabel(1, 1600, box)).toBe('25%');
  });
});

function esrgan(variant: string, scale: number): ModelInfo {
  return {
    id: `npm:esrgan-${variant}-x${scale}`, family: 'esrgan', title: `ESRGAN ${variant} ×${scale}`, description: '', source: 'package',
    size: null, scale, domains: [], step: null, createdAt: null, licence: 'MIT', uses: ['upscale'], translateOptionsSchema: {}, inferenceSize: 'any',
  };
}

describe('model choices', () => {
  it('offers the catalogue model of each variant for the chosen scale', () => {
    const catalogue = [esrgan('slim', 2), esrgan('slim', 4), esrgan('medium', 2), { ...esrgan('thick', 2), family: 'pix2pix' as const, uses: ['doodle' as const] }];
    const { options, fromCatalogue } = upscaleModelOptions(catalogue, 2);
    expect(fromCatalogue).toBe(true);
    expect(options.map((o) => [o.variant, o.modelId, o.available])).toEqual([
      ['slim', 'npm:esrgan-slim-x2', true],
      ['medium', 'npm:esrgan-medium-x2', true],
      ['thick', 'thick', false],
    ]);
    expect(options.every((o) => o.tradeOff.length > 10)).toBe(true);
  });

  it('offers the SRGAN models of the scale first, defaults to the one the catalogue marks, and keeps a pick the scale has', () => {
    const srgan = (name: string, scale: number, isDefault?: boolean): ModelInfo => ({
      ...esrgan('x', scale), id: `bundled:${name}`, family: 'srgan', title: name, description: `${name} SRResNet`, source: 'bundled', licence: 'CC0-1.0',
      ...(isDefault !== undefined ? { isDefault } : {}), card: { trainedOn: 'DIV2K', speed: '1.2 s/MP' },
    });
    const catalogue = [{ ...esrgan('slim', 4), isDefault: false }, esrgan('medium', 4), srgan('photo-sharp-x4', 4), srgan('photo-x4', 4, true), srgan('photo-x2', 2)];
    const x4 = upscaleModelOptions(catalogue, 4);
    expect(x4.options.map((o) => [o.key, o.isDefault])).toEqual([
      ['bundled:photo-x4', true], ['bundled:photo-sharp-x4', false], ['slim', false], ['medium', false], ['thick', false],
    ]);
    expect(x4.defaultKey).toBe('bundled:photo-x4');
    expect(x4.options[0]).toMatchObject({ kind: 'trained', modelId: 'bundled:photo-x4', speed: '1.2 s/MP', card: { trainedOn: 'DIV2K', licence: 'CC0-1.0' } });
    expect(chosenUpscaleOption(x4, undefined)?.modelId).toBe('bundled:photo-x4');
    expect(chosenUpscaleOption(x4, 'medium')?.modelId).toBe('npm:esrgan-medium-x4');
    // A pick the scale does not have falls back to that scale's default (slim at ×2, where no SRGAN is marked).
    const x2 = upscaleModelOptions([...catalogue, { ...esrgan('slim', 2), isDefault: true }], 2);
    expect(chosenUpscaleOption(x2, 'bundled:photo-x4')?.modelId).toBe('npm:esrgan-slim-x2');
    expect(x2.options[0]?.key).toBe('bundled:photo-x2');
  });

  it("measures each model's speed from the gallery's upscales: the median seconds per output megapixel", () => {
    const item = (modelId: string | null, ms: number | undefined, width = 1000, height = 1000, kind = 'upscale') =>
      ({ kind, modelId, output: { width, height }, timings: ms === undefined ? {} : { total: ms } }) as never;
    const speeds = measuredSpeeds([
      item('npm:esrgan-slim-x2', 2000), item('npm:esrgan-slim-x2', 1000, 1000, 500), item('npm:esrgan-slim-x2', 90_000),
      item('bundled:photo-x4', 500), item('bundled:photo-x4', undefined), item(null, 100), item('run:x', 100, 1000, 1000, 'translate'),
    ]);
    expect([...speeds.keys()].sort()).toEqual(['bundled:photo-x4', 'npm:esrgan-slim-x2']);
    expect(speeds.get('npm:esrgan-slim-x2')).toEqual({ secondsPerMegapixel: 2, upscales: 3 });
    expect(speedLine(speeds.get('bundled:photo-x4')!)).toBe('measured here: 0.50 s per output megapixel (1 upscale)');
  });

  it('knows the scale of a result for its bicubic before side', () => {
    const ref = (width: number) => ({ hash: 'a'.repeat(64), width, height: 10, format: 'png', bytes: 1 });
    expect(scaleOf({ settings: { scale: 3 }, input: null, output: ref(30) } as never)).toBe(3);
    expect(scaleOf({ settings: {}, input: ref(10), output: ref(40) } as never)).toBe(4);
    expect(scaleOf({ settings: {}, input: ref(10), output: ref(80) } as never)).toBeUndefined();
  });

  it('falls back to the variant names when the catalogue lists no ESRGAN', () => {
    const { options, fromCatalogue } = upscaleModelOptions([], 3);
    expect(fromCatalogue).toBe(false);
    expect(options.map((o) => [o.modelId, o.available])).toEqual([['slim', true], ['medium', true], ['thick', true]]);
  });
});

describe('batch progress', () => {
  it('reads the image being worked on from the job message', () => {
    expect(imageProgressFrom('my photo: 2.jpg: tile 12/48 (image 2 of 5)')).toEqual({ file: 'my photo: 2.jpg', tile: 12, tiles: 48, index: 2, count: 5 });
    expect(imageProgressFrom('wood.jpg: done (image 1 of 2)')).toBeNull();
    expect(imageProgressFrom(undefined)).toBeNull();
  });

  it('says how long is left in words, and the percent done', () => {
    expect(humanEta(null)).toBe('estimating time left…');
    expect(humanEta(12.2)).toBe('about 13 s left');
    expect(humanEta(125)).toBe('about 2 min 5 s left');
    expect(humanEta(3 * 3600 + 120)).toBe('about 3 h 2 min left');
    expect(batchPercent({ done: 1, total: 3, unit: 'tile', fraction: 1 / 3, etaSeconds: null, rate: null })).toBe(33);
  });
});
