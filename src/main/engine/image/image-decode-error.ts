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

/** Turns a decoder's failure into a reason a user can act on. */
export function reasonForDecodeFailure(bytes: Buffer, error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  if (/unsupported image format|compression format has not been built in|unsupported codec/i.test(detail)) {
    const known = sniffUnsupportedFormat(bytes);
    if (known) return `unsupported image format (${known}); convert it to PNG or JPEG`;
    return looksLikeText(bytes) ? 'not an image' : 'unsupported image format';
  }
  const known = sniffUnsupportedFormat(bytes);
  if (known) return `unsupported image format (${known}); convert it to PNG or JPEG`;
  const concise = conciseDetail(detail);
  // libvips sometimes reports only "Unknown error" when several decodes fail at once; that helps no one.
  return /^(unknown error)?$/i.test(concise)
    ? 'the file is damaged or truncated'
    : `the file is damaged or truncated (${concise})`;
}

/** libvips messages carry loader prefixes and several lines; the first line without the prefix is enough. */
function conciseDetail(detail: string): string {
  const firstLine = detail.split('\n').find((l) => l.trim() !== '') ?? detail;
  return firstLine.replace(/^[a-z0-9_]+: /i, '').trim();
}
