/**
 * Undo states of the Doodle, packed. The raster is about 512 px a side
 * (sketch-canvas.ts): 1 MiB of RGBA per state, about 100 MiB at the full undo
 * depth. A doodle is mostly flat paper and flat fills, so each state is kept
 * as runs of equal pixels (a run length and the RGBA value, 8 bytes a run);
 * an anti-aliased stroke adds a few runs per row it crosses. A state whose
 * runs would outgrow the raw pixels (a noisy imported picture) is kept raw.
 * Packing is exact: unpacking gives back every byte.
 */
import type { Pixels } from './flood-fill.js';

export interface PackedRaster {
  readonly width: number;
  readonly height: number;
  /** Pairs of (run length, RGBA as one little-endian word), or the raw pixels when `raw`. */
  readonly words: Uint32Array;
  readonly raw: boolean;
}

function wordsOf(pixels: Pixels): Uint32Array {
  const { width, height, data } = pixels;
  if (data.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes for ${width}×${height} RGBA, got ${data.length}`);
  // ImageData's buffer is its own; a view at another offset is copied to align it.
  return data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, width * height) : new Uint32Array(new Uint8Array(data).buffer);
}

export function packRaster(pixels: Pixels): PackedRaster {
  const { width, height } = pixels;
  const source = wordsOf(pixels);
  const count = source.length;
  // Two words a run, so more than count/2 runs is larger than the pixels themselves.
  const limit = count;
  const runs = new Uint32Array(limit);
  let used = 0;
  let i = 0;
  while (i < count) {
    const value = source[i]!;
    let end = i + 1;
    while (end < count && source[end] === value) end++;
    if (used + 2 > limit) return { width, height, words: source.slice(), raw: true };
    runs[used++] = end - i;
    runs[used++] = value;
    i = end;
  }
  return { width, height, words: runs.slice(0, used), raw: false };
}

export function unpackRaster(packed: PackedRaster): { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> } {
  const { width, height, words, raw } = packed;
  const out = new Uint32Array(width * height);
  if (raw) {
    out.set(words);
  } else {
    let at = 0;
    for (let r = 0; r < words.length; r += 2) {
      const length = words[r]!;
      out.fill(words[r + 1]!, at, at + length);
      at += length;
    }
    if (at !== out.length) throw new RangeError(`a packed ${width}×${height} raster holds ${at} pixels, expected ${out.length}`);
  }
  return { width, height, data: new Uint8ClampedArray(out.buffer) };
}

/** Bytes a packed state holds (for the history's memory line in tests and the bench). */
export function packedBytes(packed: PackedRaster): number {
  return packed.words.byteLength;
}
