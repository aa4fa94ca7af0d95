/**
 * The run name the Train view suggests: the training folder's name and the
 * date, so runs of the same data sort together and never collide by default.
 * It must match the contract's RunName rule: a letter or digit first, then
 * letters, digits, dots, dashes and underscores, at most 80 characters.
 */
export const runNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** The last part of a path typed on any system ('/data/faces/', 'C:\\data\\faces'). */
export function folderName(path: string): string {
  const parts = path.trim().split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  const last = parts[parts.length - 1] ?? '';
  return /^[A-Za-z]:$/.test(last) ? '' : last;
}

function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}`;
}

export function defaultRunName(dataDir: string, date: Date): string {
  const suffix = `-${stamp(date)}`;
  const base = folderName(dataDir)
    .normalize('NFKD')
    // Accents come apart into a letter and a combining mark: keep the letter ("É" → "E").
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 80 - suffix.length);
  return `${base || 'run'}${suffix}`;
}

/** Why a run name is not accepted, or undefined when it is. */
export function runNameProblem(name: string): string | undefined {
  if (name === '') return 'enter a run name';
  if (name.length > 80) return 'a run name is at most 80 characters';
  if (!runNamePattern.test(name)) return 'use letters, digits, dots, dashes and underscores, starting with a letter or digit';
  return undefined;
}
