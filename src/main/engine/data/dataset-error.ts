/** A dataset folder that cannot be used as asked; the message tells the user what to change. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';

  constructor(
    message: string,
    /** The folder (or file) the problem is about. */
    readonly path: string,
  ) {
    super(message);
  }
}

/** "a.png, b.png, c.png and 9 more": enough names to find the files without flooding a dialog. */
export function nameList(names: readonly string[], shown = 5): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
