/**
 * One process at a time may repair a data folder. Recovery deletes files no
 * committed row names; if the desktop app and `ganvas serve` (or a CLI
 * command) shared a folder, one's repair could delete files the other has
 * written but not yet committed. The process holding this lock repairs;
 * others open the gallery normally (SQLite handles concurrent access) and
 * leave repair to the holder.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'gallery.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's repair lock; returns a release function, or null when a live process holds it. */
export function acquireRepairLock(dataDir: string): (() => void) | null {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) return null;
      // A stale lock from a process that died (or our own from an unclosed gallery): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  return null;
}
