// A PNG writer that takes rows as they are finished, so a 48-megapixel result
// never sits in memory whole. (sharp cannot do this: it buffers and
// concatenates a raw input stream before libvips starts, twice the image size.)
// Format per the PNG specification (W3C, 2nd edition): signature, IHDR, IDAT
// holding one zlib stream of filtered scanlines, IEND; every chunk CRC-32'd.
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate, type Deflate } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(parts: Buffer[]): number {
  let c = 0xffffffff;
  for (const part of parts) for (const byte of part) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32([head.subarray(4), data]), 0);
  return Buffer.concat([head, data, tail]);
}

export interface PngRowWriter {
  /** Appends whole rows (top to bottom), 8-bit interleaved RGB or RGBA. */
  writeRows(rows: Uint8Array): Promise<void>;
  /** Writes the end of the file; rejects if fewer rows than the height were written. */
  finish(): Promise<void>;
  /** Stops writing after a failure or cancellation (the partial file is left for the caller to delete). */
  abort(): Promise<void>;
}

/** Paeth predictor (PNG filter type 4): usually the smallest output for photographs. */
function paethFilter(row: Uint8Array, previous: Uint8Array, bpp: number, out: Uint8Array): void {
  out[0] = 4;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = previous[i]!;
    const c = i >= bpp ? previous[i - bpp]! : 0;
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    const predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    out[i + 1] = (row[i]! - predicted) & 0xff;
  }
}

export function createPngRowWriter(
  path: string,
  size: { width: number; height: number; channels: 3 | 4 },
  options: {
    compressionLevel?: number;
    /** Ancillary chunks (iCCP, eXIf, tEXt…, see file-metadata.ts), written between IHDR and the pixels. */
    chunks?: readonly Buffer[];
  } = {},
): PngRowWriter {
  const { width, height, channels } = size;
  const rowBytes = width * channels;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = channels === 4 ? 6 : 2; // colour type: RGBA or RGB
  // compression, filter method, interlace: all 0

  const deflate: Deflate = createDeflate({ level: options.compressionLevel ?? 6, memLevel: 9 });
  const toChunks = new Transform({
    transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      done(null, chunk('IDAT', data));
    },
    flush(done: TransformCallback) {
      done(null, chunk('IEND', Buffer.alloc(0)));
    },
  });
  toChunks.push(Buffer.concat([SIGNATURE, chunk('IHDR', header), ...(options.chunks ?? [])]));
  const file = createWriteStream(path, { flags: 'wx' });
  const written = pipeline(deflate, toChunks, file);
  written.catch(() => undefined); // observed through finish()/abort()

  let previous: Uint8Array = new Uint8Array(rowBytes);
  let rowsWritten = 0;
  let failed: unknown;
  written.catch((error: unknown) => (failed = error));

  return {
    async writeRows(rows: Uint8Array): Promise<void> {
      if (failed) throw failed;
      if (rows.length % rowBytes !== 0) throw new Error(`rows must be whole rows of ${rowBytes} bytes`);
      const count = rows.length / rowBytes;
      if (rowsWritten + count > height) throw new Error(`more rows than the image height ${height}`);
      const filtered = Buffer.alloc(count * (rowBytes + 1));
      for (let r = 0; r < count; r++) {
        const row = rows.subarray(r * rowBytes, (r + 1) * rowBytes);
        paethFilter(row, previous, channels, filtered.subarray(r * (rowBytes + 1), (r + 1) * (rowBytes + 1)));
        previous = row;
      }
      previous = previous.slice(); // do not keep the caller's whole block alive
      rowsWritten += count;
      if (!deflate.write(filtered)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = () => { deflate.off('error', onError); resolve(); };
          const onError = (error: Error) => { deflate.off('drain', onDrain); reject(error); };
          deflate.once('drain', onDrain);
          deflate.once('error', onError);
        });
      }
    },
    async finish(): Promise<void> {
      if (rowsWritten !== height) {
        await this.abort();
        throw new Error(`only ${rowsWritten} of ${height} rows were written`);
      }
      deflate.end();
      await written;
    },
    async abort(): Promise<void> {
      deflate.destroy();
      await written.catch(() => undefined);
    },
  };
}
