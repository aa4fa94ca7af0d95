/**
 * Peak memory against image size: each operation runs in a fresh child
 * process (image-memory-child.ts) on a generated PNG of 4, 16, 64 and 256
 * megapixels, and reports that process's peak resident set size (ru_maxrss,
 * which counts native allocations: libvips, zlib, the wasm heap). Memory is
 * flat when the peak does not grow with the image.
 *
 * - translate: the bundled Doodle model (pix2pix, 64 px) on the image, the
 *   result resized back and saved as PNG: the path of `ganvas translate`.
 * - upscale (pipeline): `ganvas upscale`'s whole path (decode, tiles in the
 *   esrgan-slim-x2 layout, blending, PNG writing) with nearest-neighbour
 *   standing in for the network. The network's own memory depends on the tile, not the
 *   image, and on a CPU it needs minutes per megapixel, so the real model
 *   runs on the smallest size only (upscale (esrgan-slim-x2)).
 *
 * Inputs are written at bench time by our streaming PNG writer (bounded
 * memory) into a temporary folder, and deleted after.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPngRowWriter } from '../engine/upscale/png-stream.js';
import { runBenchChild } from './fork-child.js';

export type MemoryOperation = 'translate' | 'upscale-pipeline' | 'upscale-model';

export interface ImageMemoryLine {
  operation: string;
  megapixels: number;
  width: number;
  height: number;
  peakRssMB: number;
  seconds: number;
  outputMB: number;
}

export interface ImageMemoryOptions {
  /** Input sizes in megapixels (square images). */
  megapixels: number[];
  /** The real upscaler runs at this size only (megapixels; 0 skips it). */
  modelMegapixels: number;
  log?: (message: string) => void;
}

/** A smooth gradient with a fine pattern: compresses like a photo more than like a flat colour. */
export async function writeBenchPng(file: string, side: number): Promise<void> {
  const writer = createPngRowWriter(file, { width: side, height: side, channels: 3 }, { compressionLevel: 1 });
  const block = 64;
  try {
    for (let top = 0; top < side; top += block) {
      const count = Math.min(block, side - top);
      const rows = new Uint8Array(count * side * 3);
      for (let r = 0; r < count; r++) {
        const y = top + r;
        for (let x = 0; x < side; x++) {
          const o = (r * side + x) * 3;
          rows[o] = Math.floor((x * 255) / side);
          rows[o + 1] = Math.floor((y * 255) / side);
          rows[o + 2] = ((x ^ y) & 63) * 4;
        }
      }
      await writer.writeRows(rows);
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** Runs one operation in a fresh process; its own report of its peak memory comes back on the IPC channel. */
function runChild(operation: MemoryOperation, input: string, output: string): Promise<{ peakRssBytes: number; seconds: number }> {
  return runBenchChild('image-memory-child', [operation, input, output], operation);
}

export async function measureImageMemory(options: ImageMemoryOptions): Promise<ImageMemoryLine[]> {
  const log = options.log ?? (() => {});
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ganvas-bench-memory-'));
  const lines: ImageMemoryLine[] = [];
  const plan: { operation: MemoryOperation; label: string; megapixels: number }[] = [
    ...options.megapixels.map((megapixels) => ({ operation: 'translate' as const, label: 'translate (bundled:pix2pix-openmoji-64)', megapixels })),
    ...options.megapixels.map((megapixels) => ({ operation: 'upscale-pipeline' as const, label: 'upscale ×2 (pipeline; nearest neighbour for the network)', megapixels })),
    ...(options.modelMegapixels > 0 ? [{ operation: 'upscale-model' as const, label: 'upscale ×2 (esrgan-slim-x2)', megapixels: options.modelMegapixels }] : []),
  ];
  try {
    for (const { operation, label, megapixels } of plan) {
      const side = Math.round(Math.sqrt(megapixels * 1e6));
      const input = path.join(dir, `${side}.png`);
      if (!(await stat(input).catch(() => null))) {
        log(`image memory: writing a ${side}×${side} input`);
        await writeBenchPng(input, side);
      }
      const output = path.join(dir, `${operation}-${side}.png`);
      log(`image memory: ${label}, ${side}×${side}`);
      const measured = await runChild(operation, input, output);
      const outputBytes = (await stat(output)).size;
      await rm(output, { force: true });
      const line = {
        operation: label,
        megapixels: Math.round((side * side) / 1e4) / 100,
        width: side,
        height: side,
        peakRssMB: Math.round(measured.peakRssBytes / 2 ** 20),
        seconds: Math.round(measured.seconds * 10) / 10,
        outputMB: Math.round(outputBytes / 2 ** 20),
      };
      log(`  peak RSS ${line.peakRssMB} MB, ${line.seconds} s`);
      lines.push(line);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}
