/**
 * The sample grid saved during training: one row per example, one column
 * per named visual (e.g. input | output | target), as a PNG.
 */
import * as fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

export interface RgbImage {
  width: number;
  height: number;
  /** 8-bit RGB, row-major. */
  data: Uint8Array;
}

/**
 * Lays visuals out as a grid. Visuals of different sizes (e.g. SRGAN's small
 * input beside its output) are scaled to the largest with nearest neighbour,
 * so pixels stay visible; grey images are shown as grey RGB, alpha is dropped.
 * The pixels are read asynchronously: a synchronous read stalls or fails on
 * the WebGPU backend, and the trainer awaits anyway.
 */
export async function sampleGrid(visuals: Record<string, tf.Tensor4D>, order: readonly string[] = Object.keys(visuals)): Promise<RgbImage> {
  const columns = order.map((name) => {
    const visual = visuals[name];
    if (visual === undefined) throw new Error(`sample grid: no visual named '${name}'`);
    return visual;
  });
  if (columns.length === 0) throw new Error('sample grid: no visuals to show');
  const rows = Math.min(...columns.map((v) => v.shape[0]));
  const cellHeight = Math.max(...columns.map((v) => v.shape[1]));
  const cellWidth = Math.max(...columns.map((v) => v.shape[2]));

  const grid = tf.tidy(() => {
    const cells = columns.map((visual) => {
      let x: tf.Tensor4D = tf.slice(visual, [0, 0, 0, 0], [rows, -1, -1, -1]);
      const channels = x.shape[3];
      if (channels === 1) x = tf.tile(x, [1, 1, 1, 3]);
      else if (channels === 2 || channels === 4) x = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, channels === 2 ? 1 : 3]);
      if (x.shape[3] === 1) x = tf.tile(x, [1, 1, 1, 3]);
      if (x.shape[3] !== 3) throw new Error(`sample grid: visual with ${channels} channels cannot be shown`);
      if (x.shape[1] !== cellHeight || x.shape[2] !== cellWidth) x = tf.image.resizeNearestNeighbor(x, [cellHeight, cellWidth]);
      return x;
    });
    // [rows, h, w·columns, 3] → [rows·h, w·columns, 3]
    const wide = tf.concat(cells, 2);
    const pixels = tf.reshape(wide, [rows * cellHeight, cellWidth * columns.length, 3]);
    return tf.cast(tf.round(tf.mul(tf.add(tf.clipByValue(pixels, -1, 1), 1), 127.5)), 'int32');
  });
  try {
    return { width: cellWidth * columns.length, height: rows * cellHeight, data: Uint8Array.from(await grid.data()) };
  } finally {
    grid.dispose();
  }
}

/** Writes a PNG next to its final name first, so a viewer never sees half a file. */
export async function writeRgbPng(file: string, image: RgbImage): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png()
    .toFile(temp);
  await fs.rename(temp, file);
}
