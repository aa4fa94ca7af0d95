import { basename } from 'node:path';

/**
 * A file that cannot be read as an image. The message is meant for the user:
 * `"<file name>: <reason>"`, e.g. `"broken.png: the file is damaged or truncated (libpng read error)"`.
 */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';

  constructor(
    readonly fileName: string,
    readonly reason: string,
  ) {
    super(`${fileName}: ${reason}`);
  }
}

/** The name to show for a source: the given name, else the file's base name, else "image". */
export function displayName(source: string | Buffer, name?: string): string {
  if (name) return name;
  return typeof source === 'string' ? basename(source) : 'image';
}

/**
 * Formats recognised by their first bytes that our decoder cannot read,
 * so the user is told "unsupported format (HEIC)" rather than "not an image".
 */
const unsupportedSignatures: { format: string; matches: (b: Buffer) => boolean }[] = [
  {
    format: 'HEIC',
    matches: (b) =>
      b.length >= 12 &&
      b.toString('latin1', 4, 8) === 'ftyp' &&
      /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(b.toString('latin1', 8, 12)),
  },
  { format: 'BMP', matches: (b) => b.length >= 2 && b.toString('latin1', 0, 2) === 'BM' },
  { format: 'Photoshop PSD', matches: (b) => b.length >= 4 && b.toString('latin1', 0, 4) === '8BPS' },
  {
    format: 'ICO',
    matches: (b) => b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0,
  },
  { format: 'JPEG 2000', matches: (b) => b.length >= 12 && b.toString('latin1', 4, 8) === 'jP  ' },
  { format: 'JPEG XL', matches: (b) => b.length >= 2 && b[0] === 0xff && b[1] === 0x0a },
  { format: 'PDF', matches: (b) => b.length >= 5 && b.toString('latin1', 0, 5) === '%PDF-' },
];

export function sniffUnsupportedFormat(bytes: Buffer): string | undefined {
  return unsupportedSignatures.find((s) => s.matches(bytes))?.format;
}

/** Text files (notes, CSV, JSON…) have no NUL bytes and almost only printable characters. */
export function looksLikeText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 1024);
  if (head.length === 0) return false;
  let printable = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) printable++;
  }
  return printable / head.length > 0.95;
}

/** Formats the decoder reads, by their first bytes: a file that starts like one but fails is damaged, not "not an image". */
const supportedSignatures: { format: string; matches: (b: Buffer) => boolean }[] = [
  { format: 'PNG', matches: (b) => b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a },
  { format: 'JPEG', matches: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { format: 'GIF', matches: (b) => b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6)) },
  { format: 'WebP', matches: (b) => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  { format: 'TIFF', matches: (b) => b.length >= 4 && /^(II\*\0|MM\0\*)$/.test(b.toString('latin1', 0, 4)) },
  { format: 'AVIF', matches: (b) => b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' && /^avi[fs]$/.test(b.toString('latin1', 8, 12)) },
];

export function sniffSupportedFormat(bytes: Buffer): string | undefined {
  return supportedSignatures.find((s) => s.matches(bytes))?.format;
}

/**
 * Turns a decoder's failure into one reason a user can act on: the real
 * cause (unsupported format, not an image, damaged, too large), with the
 * decoder's own first line in brackets when it adds something.
 */
export function reasonForDecodeFailure(bytes: Buffer, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  const known = sniffUnsupportedFormat(bytes);
  if (known) return `unsupported image format (${known}); convert it to PNG or JPEG`;
  if (/exceeds pixel limit/i.test(detail)) return 'too large for the pixel limit; raise it with GANVAS_MAX_MEGAPIXELS';
  const concise = conciseDetail(detail);
  const supported = sniffSupportedFormat(bytes);
  if (/unsupported image format|compression format has not been built in|unsupported codec/i.test(detail)) {
    if (supported) return `the file is damaged or truncated (it starts like a ${supported} file, but the rest cannot be read)`;
    return looksLikeText(bytes) ? 'not an image' : 'unsupported image format';
  }
  // libvips sometimes reports only "Unknown error" when several decodes fail at once; that helps no one.
  return /^(unknown error)?$/i.test(concise) ? 'the file is damaged or truncated' : `the file is damaged or truncated (${concise})`;
}

/**
 * libvips messages carry sharp's and the loader's prefixes ("Input buffer has
 * corrupt header: VipsJpeg: …") and repeat a line once per attempt; the
 * first line, without prefixes, is enough.
 */
export function conciseDetail(detail: string): string {
  const lines = detail
    .split('\n')
    .map((line) =>
      line
        .replace(/^Input (buffer|file) (has corrupt header|contains)?:?\s*/i, '')
        .replace(/^([A-Za-z0-9_]+): /, '')
        .trim(),
    )
    .filter((line) => line !== '');
  return lines[0] ?? '';
}
