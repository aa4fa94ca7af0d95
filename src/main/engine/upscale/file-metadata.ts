/**
 * What an upscaled file keeps of its original besides the pixels, and what
 * it says about how it was made:
 *
 *   - the ICC profile, when the pixels were kept in it (decode's
 *     `keepIccProfile`: an RGB photo in Display P3 stays in P3, no gamut lost);
 *     pixels converted to sRGB carry no profile (untagged means sRGB);
 *   - EXIF (camera, date, exposure, GPS…) with Orientation set to 1, since
 *     the pixels were turned upright when decoded;
 *   - XMP;
 *   - a record of the upscale: Software "GANvas <version>: upscaled x<scale>
 *     with <model id>", in a PNG tEXt chunk and in EXIF's Software tag
 *     (ImageDescription is left alone: it is the photographer's caption).
 *
 * PNG is written by our own streaming writer (png-stream.ts), so the chunks
 * are built here (PNG specification, W3C 3rd edition: iCCP, eXIf, iTXt,
 * tEXt); JPEG and WebP are converted from that PNG by libvips, which reads
 * the same chunks back and is told to keep them.
 */
import { deflateSync } from 'node:zlib';
import type { Metadata } from 'sharp';
import { appVersion } from '../install-location.js';
import { chunk } from './png-stream.js';

export interface CarriedMetadata {
  /** The ICC profile the output pixels are in (absent: sRGB). */
  icc?: Buffer;
  /** EXIF as TIFF data (no "Exif\0\0" prefix), Orientation 1. */
  exif?: Buffer;
  xmp?: Buffer;
  /** What made the file, for the Software field. */
  software: string;
}

/** The Software text: which GANvas, which model, which scale. ASCII: EXIF's ASCII type is 7-bit, and readers differ on tEXt's Latin-1. */
export function upscaleRecord(modelId: string, scale: number): string {
  return `GANvas ${appVersion()}: upscaled x${scale} with ${modelId}`;
}

const EXIF_PREFIX = Buffer.from('Exif\0\0', 'latin1');
const ORIENTATION_TAG = 0x0112;

/**
 * A copy of TIFF-structured EXIF whose IFD0 Orientation is 1 (upright). The
 * tag is a SHORT stored in its entry (TIFF 6.0, section 2: IFD entries are
 * 12 bytes: tag, type, count, value or offset). Unparseable data is dropped
 * rather than carried with a wrong orientation.
 */
export function uprightExif(exif: Buffer): Buffer | undefined {
  const tiff = Buffer.from(exif.subarray(0, 6).equals(EXIF_PREFIX) ? exif.subarray(6) : exif);
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  if (u16(2) !== 42) return undefined;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return undefined;
  const entries = u16(ifd);
  if (ifd + 2 + entries * 12 > tiff.length) return undefined;
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    if (u16(entry + 2) !== 3) return undefined; // not a SHORT: not an orientation we can trust
    if (little) tiff.writeUInt16LE(1, entry + 8);
    else tiff.writeUInt16BE(1, entry + 8);
  }
  return tiff;
}

/** What to carry from the input's header, given whether the decoded pixels are still in its profile. */
export function carriedMetadata(meta: Metadata, pixelsInIccProfile: boolean, software: string): CarriedMetadata {
  const exif = meta.exif ? uprightExif(meta.exif) : undefined;
  return {
    ...(pixelsInIccProfile && meta.icc ? { icc: meta.icc } : {}),
    ...(exif ? { exif } : {}),
    ...(meta.xmp ? { xmp: meta.xmp } : {}),
    software,
  };
}

/** PNG chunks for the metadata, to go between IHDR and IDAT. */
export function pngMetadataChunks(carried: CarriedMetadata): Buffer[] {
  const chunks: Buffer[] = [];
  if (carried.icc) {
    // Profile name, NUL, compression method 0 (zlib), the compressed profile.
    chunks.push(chunk('iCCP', Buffer.concat([Buffer.from('ICC profile\0', 'latin1'), Buffer.from([0]), deflateSync(carried.icc)])));
  }
  if (carried.exif) chunks.push(chunk('eXIf', carried.exif));
  if (carried.xmp) {
    // iTXt: keyword, NUL, compression flag 0, method 0, empty language and translated keyword (each NUL-ended), UTF-8 text.
    chunks.push(chunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), carried.xmp])));
  }
  chunks.push(chunk('tEXt', Buffer.concat([Buffer.from('Software\0', 'latin1'), Buffer.from(carried.software, 'latin1')])));
  return chunks;
}
