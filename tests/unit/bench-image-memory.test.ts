/**
 * The bench's image-memory and SVG-renderer lines run for real at a small
 * size: each operation in its own process, reporting that process's peak
 * memory, and the renderer's cost per file against resvg in-process. The
 * numbers themselves are the bench's business; here they only have to exist
 * and make sense.
 */
import { describe, expect, it } from 'vitest';
import { measureImageMemory } from '../../src/main/bench/image-memory.js';
import { measureSvgOverhead } from '../../src/main/bench/svg-overhead.js';

describe('bench: memory against image size, and the SVG renderer', () => {
  it('measures translate and the upscale pipeline in their own processes', async () => {
    const lines = await measureImageMemory({ megapixels: [0.25], modelMegapixels: 0 });
    expect(lines.map((line) => line.operation)).toEqual(['translate (bundled:pix2pix-openmoji-64)', 'upscale ×2 (pipeline; nearest neighbour for the network)']);
    for (const line of lines) {
      expect([line.width, line.height, line.megapixels]).toEqual([500, 500, 0.25]);
      // A Node process with tfjs loaded is well over 50 MB; an operation that did nothing would not have read the 500×500 input.
      expect(line.peakRssMB).toBeGreaterThan(50);
      expect(line.seconds).toBeGreaterThan(0);
    }
  });

  it('times SVGs in this process and through the renderer process', async () => {
    const report = await measureSvgOverhead({ files: 6, size: 32 });
    expect(report.files).toBe(6);
    expect(report.isolated.reps).toBe(5); // the first file (with the process start) is reported apart
    expect(report.inProcess.medianMs).toBeGreaterThan(0);
    expect(report.isolated.medianMs).toBeGreaterThan(0);
    expect(report.firstFileMs).toBeGreaterThan(0);
  });
});
