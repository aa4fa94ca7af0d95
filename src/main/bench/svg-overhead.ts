/**
 * What rendering SVGs in their own process costs per file: the same OpenMoji
 * SVGs rendered by resvg in this process (which GANvas no longer does with
 * users' files) and through the isolated renderer (svg-renderer.ts), which
 * adds the rewrite that keeps an SVG self-contained, a second parse, and the
 * pixels' trip over the IPC channel. The renderer's start is reported apart:
 * it is paid once per process, not per file.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderAsync } from '@resvg/resvg-js';
import { openMojiRoot } from '../engine/data/openmoji.js';
import { createSvgRenderer } from '../engine/image/svg-renderer.js';
import { summarise, type TimingSummary } from './timing.js';

export interface SvgOverheadReport {
  files: number;
  size: number;
  /** One whole rendering each: resvg in this process. */
  inProcess: TimingSummary;
  /** Through the renderer process (already started). */
  isolated: TimingSummary;
  /** Median isolated minus median in-process, per file. */
  overheadMs: number;
  /** The renderer process's start and its first file. */
  firstFileMs: number;
}

export async function measureSvgOverhead(options: { files: number; size: number }): Promise<SvgOverheadReport> {
  const folder = join(openMojiRoot(), 'color', 'svg');
  const names = (await readdir(folder)).filter((name) => name.endsWith('.svg')).sort();
  const picked = Array.from({ length: Math.min(options.files, names.length) }, (_, i) => names[Math.floor((i * names.length) / options.files)]!);
  const svgs = await Promise.all(picked.map((name) => readFile(join(folder, name))));
  const fitTo = { mode: 'width', value: options.size } as const;

  const inProcess: number[] = [];
  for (const svg of svgs) {
    const started = performance.now();
    const rendered = await renderAsync(svg, { font: { loadSystemFonts: false }, fitTo, logLevel: 'off' });
    void rendered.pixels;
    inProcess.push(performance.now() - started);
  }

  const renderer = createSvgRenderer();
  const isolated: number[] = [];
  let firstFileMs = 0;
  try {
    for (const [i, svg] of svgs.entries()) {
      const started = performance.now();
      await renderer.render(svg, picked[i]!, options.size);
      if (i === 0) firstFileMs = performance.now() - started;
      else isolated.push(performance.now() - started);
    }
  } finally {
    await renderer.close();
  }
  const inProcessSummary = summarise(inProcess);
  const isolatedSummary = summarise(isolated.length ? isolated : [firstFileMs]);
  return {
    files: svgs.length,
    size: options.size,
    inProcess: inProcessSummary,
    isolated: isolatedSummary,
    overheadMs: Math.round((isolatedSummary.medianMs - inProcessSummary.medianMs) * 100) / 100,
    firstFileMs: Math.round(firstFileMs),
  };
}
