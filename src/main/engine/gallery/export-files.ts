/** Copies stored images out under readable names, never replacing a file that is already there. */
import fs from 'node:fs';
import path from 'node:path';

const MAX_TITLE_CHARS = 60;
/** Names Windows refuses for a file whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** A title made safe as part of a file name on Windows, macOS and Linux. */
export function safeTitle(title: string): string {
  const cleaned = title
    .normalize('NFC')
    .replace(/[<>:"/\\|?*\u0000-\u001f\u007f]/g, ' ')
    .trim()
    .replace(/\s+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  const short = [...cleaned].slice(0, MAX_TITLE_CHARS).join('').replace(/[.-]+$/, '');
  if (short.length === 0) return 'item';
  return RESERVED.test(short) ? `${short}-item` : short;
}

/**
 * Copies `source` to `<folder>/<stem>.<extension>`, or `<stem>-2.<extension>`
 * and so on when taken. COPYFILE_EXCL makes "is it free" and "take it" one
 * step, so two exports at once cannot overwrite each other either.
 */
export async function copyWithoutOverwriting(source: string, folder: string, stem: string, extension: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const target = path.join(folder, attempt === 1 ? `${stem}.${extension}` : `${stem}-${attempt}.${extension}`);
    try {
      await fs.promises.copyFile(source, target, fs.constants.COPYFILE_EXCL);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10_000) throw error;
    }
  }
}
