/**
 * What an upscaled file is called and in which format it is written. tfjs-free,
 * so the studio can plan an upscale on the Redis queue with the names the
 * workers write.
 */
import path from 'node:path';

export type UpscaleFormat = 'png' | 'jpeg' | 'webp';
export const upscaleFormats: readonly UpscaleFormat[] = ['png', 'jpeg', 'webp'];

export function formatFromName(file: string): UpscaleFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  return undefined;
}

export function extensionFor(format: UpscaleFormat): string {
  return format === 'jpeg' ? '.jpg' : `.${format}`;
}

/** `<name>-x<scale>.<ext>` for a given input, format and scale. */
export function defaultOutputName(input: string, scale: number, format: UpscaleFormat): string {
  return `${path.basename(input, path.extname(input))}-x${scale}${extensionFor(format)}`;
}

