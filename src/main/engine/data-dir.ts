/**
 * Where GANvas keeps the user's gallery, models and checkpoints.
 * Order: an explicit --data-dir, then GANVAS_DATA_DIR, then the platform's
 * per-user application data folder (the same place Electron's
 * app.getPath('userData') would choose, so the app and the CLI share data).
 * One process at a time owns a data folder (takeDataFolder).
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { takeOwnership, type OwnerLock } from './owner-lock.js';

export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'GANvas');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'GANvas');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'ganvas');
}

export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit || env.GANVAS_DATA_DIR || defaultDataDir(process.platform, env);
  const dir = resolve(chosen);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Takes the data folder for this process (see owner-lock.ts), making it if it
 * is new: the studio does before it opens anything, so a second studio on the same folder stops with
 * the first one's pid and command instead of rewriting its jobs.
 */
export function takeDataFolder(dataDir: string, purpose: string): OwnerLock {
  mkdirSync(dataDir, { recursive: true });
  return takeOwnership(dataDir, {
    purpose,
    what: 'The data folder',
    advice: 'Close that one first, or use another data folder (--data-dir or GANVAS_DATA_DIR).',
  });
}
