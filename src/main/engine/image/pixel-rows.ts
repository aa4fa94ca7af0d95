/**
 * An image read a band of rows at a time, so translating or upscaling a
 * 16 000 × 16 000 photo holds a few bands, not 768 MB of pixels.
 *
 * Small images (and SVGs, which render at a bounded size) are decoded into
 * memory as decodeImage does. Larger rasters are decoded once by libvips,
 * sequentially and in strips, into a temporary uncompressed file in libvips'
 * own format, which is then read by offset: the format is a 64-byte header
 * followed by the pixels, band-interleaved, row by row (libvips
 * documentation, "The VIPS file format"). Either way the pixels are the same
 * 8-bit sRGB, upright, first frame, that decodeImage gives, with a fully
 * opaque alpha channel dropped and `flatten` applied.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, flattenAlpha, formatName, keepsIccProfile, rasterPipeline, readHeader, removeAlpha, unreadableFile, uprightSize, type DecodeOptions } from './decode.js';
import { ImageDecodeError, displayName, reasonForDecodeFailure } from './image-decode-error.js';
import { checkPixelLimit } from './pixel-limit.js';
import { isSvg } from './svg.js';
import { defaultSelfContainedLimits } from './svg-self-contained.js';
import { WHITE, type RawImage } from './types.js';

export interface PixelRows {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  /** As DecodedImage.format: 'png', 'jpeg', …, 'svg'. */
  readonly format: string;
  /** The pixels are the file's stored RGB values in its own ICC profile (opened with `keepIccProfile`), not sRGB. */
  readonly inIccProfile?: boolean;
  /** Rows [top, top + count), interleaved, `channels` bytes a pixel. */
  read(top: number, count: number): Promise<Uint8Array>;
  /** Frees the pixels (deletes the temporary file). */
  close(): Promise<void>;
}

export interface PixelRowsOptions extends Pick<DecodeOptions, 'name' | 'flatten' | 'svgSize' | 'keepIccProfile'> {
  /** Images up to this many pixels are decoded into memory (default 4 MP). */
  inMemoryPixels?: number;
}

const defaultInMemoryPixels = 4_000_000;
/** Pixels are streamed through this many bytes at a time when checking alpha. */
const scanBytes = 8 * 2 ** 20;

/** Rows of an image already in memory. */
export function rowsOfImage(image: RawImage, format = 'raw'): PixelRows {
  const rowBytes = image.width * image.channels;
  return {
    width: image.width,
    height: image.height,
    channels: image.channels,
    format,
    read: async (top, count) => {
      checkRows(top, count, image.height);
      return image.data.subarray(top * rowBytes, (top + count) * rowBytes);
    },
    close: async () => {},
  };
}

function checkRows(top: number, count: number, height: number): void {
  if (!Number.isInteger(top) || !Number.isInteger(count) || top < 0 || count < 1 || top + count > height) {
    throw new RangeError(`rows ${top}…${top + count - 1} are outside the image's ${height} rows`);
  }
}

/** Decodes `source` for reading by rows (see the top of this file). Rejects with an ImageDecodeError. */
export async function openPixelRows(source: string | Buffer, options: PixelRowsOptions = {}): Promise<PixelRows> {
  const name = displayName(source, options.name);
  const head = typeof source === 'string' ? await readHead(source, name) : source;
  if (isSvg(head, name)) {
    if (typeof source === 'string') await checkSvgFileSize(source, name);
    return inMemory(source, options, name);
  }
  let header;
  try {
    header = await readHeader(source);
  } catch (error) {
    throw new ImageDecodeError(name, reasonForDecodeFailure(head, error));
  }
  const upright = uprightSize(header);
  checkPixelLimit(name, upright.width, upright.height);
  const inIccProfile = (options.keepIccProfile ?? false) && keepsIccProfile(header);
  if (upright.width * upright.height <= (options.inMemoryPixels ?? defaultInMemoryPixels)) return { ...(await inMemory(source, options, name)), inIccProfile };
  return onDisk(source, name, formatName(header), head, options.flatten, inIccProfile);
}

async function inMemory(source: string | Buffer, options: PixelRowsOptions, name: string): Promise<PixelRows> {
  const image = await decodeImage(source, { ...options, name });
  return rowsOfImage(image, image.format);
}

/** The first bytes, enough to tell an SVG and to name a damaged format. */
async function readHead(file: string, name: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw unreadableFile(name, error);
  }
  try {
    const head = Buffer.alloc(65_536);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(head, 0, head.length, 0));
    } catch (error) {
      throw unreadableFile(name, error);
    }
    if (bytesRead === 0) throw new ImageDecodeError(name, 'the file is empty');
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function checkSvgFileSize(file: string, name: string): Promise<void> {
  const { size } = await stat(file);
  const limit = defaultSelfContainedLimits.maxChars;
  if (size > limit) throw new ImageDecodeError(name, `too large: the SVG file is ${Math.round(size / 2 ** 20)} MB; the limit is ${limit / 2 ** 20} MB`);
}

interface VipsHeader {
  width: number;
  height: number;
  bands: number;
}

/** Width, height and bands from a .v header, after checking it is what we asked libvips for (8-bit, uncoded). */
function parseVipsHeader(bytes: Buffer): VipsHeader {
  const little = bytes.readUInt32LE(0) === 0x08f2a6b6;
  if (!little && bytes.readUInt32BE(0) !== 0x08f2a6b6) throw new Error('the decoded pixels have no libvips header');
  const int = (at: number) => (little ? bytes.readInt32LE(at) : bytes.readInt32BE(at));
  const header = { width: int(4), height: int(8), bands: int(12) };
  const format = int(20);
  const coding = int(24);
  if (format !== 0 || coding !== 0 || (header.bands !== 3 && header.bands !== 4)) {
    throw new Error(`unexpected decoded pixels (${header.bands} bands, format ${format}, coding ${coding})`);
  }
  return header;
}

const vipsHeaderBytes = 64;

async function onDisk(source: string | Buffer, name: string, format: string, head: Buffer, flatten: PixelRowsOptions['flatten'], inIccProfile: boolean): Promise<PixelRows> {
  const file = join(tmpdir(), `ganvas-pixels-${process.pid}-${randomBytes(6).toString('hex')}.v`);
  let handle: FileHandle | null = null;
  try {
    try {
      const pipeline = rasterPipeline(source, { sequentialRead: true });
      await (inIccProfile ? pipeline.keepIccProfile() : pipeline.toColourspace('srgb')).toFile(file);
    } catch (error) {
      throw new ImageDecodeError(name, reasonForDecodeFailure(head, error));
    }
    handle = await open(file, 'r');
    const headerBytes = Buffer.alloc(vipsHeaderBytes);
    await handle.read(headerBytes, 0, vipsHeaderBytes, 0);
    const { width, height, bands } = parseVipsHeader(headerBytes);
    const rowBytes = width * bands;
    const fd = handle;
    const readStored = async (top: number, count: number): Promise<Uint8Array> => {
      const bytes = new Uint8Array(count * rowBytes);
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await fd.read(bytes, done, bytes.length - done, vipsHeaderBytes + top * rowBytes + done);
        if (bytesRead === 0) throw new Error('the decoded pixels end early');
        done += bytesRead;
      }
      return bytes;
    };
    const transparent = bands === 4 && (await hasTransparency(readStored, width, height));
    const background = flatten === true ? WHITE : flatten || null;
    const channels: 3 | 4 = bands === 4 && transparent && !background ? 4 : 3;
    const rows: PixelRows = {
      width,
      height,
      channels,
      format,
      inIccProfile,
      async read(top, count) {
        checkRows(top, count, height);
        const stored = await readStored(top, count);
        if (bands === 3) return stored;
        const block: RawImage = { data: stored, width, height: count, channels: 4 };
        if (!transparent) return removeAlpha(block).data;
        return background ? flattenAlpha(block, background).data : stored;
      },
      async close() {
        await fd.close().catch(() => {});
        await rm(file, { force: true });
      },
    };
    return rows;
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(file, { force: true });
    throw error;
  }
}

async function hasTransparency(read: (top: number, count: number) => Promise<Uint8Array>, width: number, height: number): Promise<boolean> {
  const step = Math.max(1, Math.floor(scanBytes / (width * 4)));
  for (let top = 0; top < height; top += step) {
    const rows = await read(top, Math.min(step, height - top));
    for (let i = 3; i < rows.length; i += 4) if (rows[i] !== 255) return true;
  }
  return false;
}
