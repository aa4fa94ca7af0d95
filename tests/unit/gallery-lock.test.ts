// Two processes on one data folder: only the folder's owner repairs, so one never deletes the other's uncommitted files.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGallery } from '../../src/main/engine/gallery/index.js';
import { takeDataFolder } from '../../src/main/engine/data-dir.js';
import { OWNER_LOCK_FILE } from '../../src/main/engine/owner-lock.js';

const owner = path.join(import.meta.dirname, 'fixtures', 'folder-owner.ts');

function plantOrphan(dir: string): string {
  const orphan = path.join(dir, 'images', 'ab', `${'ab'.repeat(32)}.png`);
  fs.mkdirSync(path.dirname(orphan), { recursive: true });
  fs.writeFileSync(orphan, 'uncommitted file of the other process');
  return orphan;
}

describe('the data folder owner and gallery repair', () => {
  it('lets only the owner repair; a dead owner\'s lock is taken over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ganvas-lock-'));
    // A live process that is not us owns the folder, through the real lock.
    const holder = spawn(process.execPath, ['--import', 'tsx', owner, dir, 'the studio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const lockText = fs.readFileSync(path.join(dir, OWNER_LOCK_FILE), 'utf8');
      const orphan = plantOrphan(dir);

      const second = openGallery({ dataDir: dir });
      const report = await second.recovery;
      expect(report.skipped).toMatch(new RegExp(`another GANvas process is using this data folder \\(pid ${holder.pid}, `));
      expect(fs.existsSync(orphan)).toBe(true);
      second.close();
      expect(fs.readFileSync(path.join(dir, OWNER_LOCK_FILE), 'utf8')).toBe(lockText);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }

    // The holder died without releasing: the next open takes over and repairs.
    const third = openGallery({ dataDir: dir });
    const report = await third.recovery;
    expect(report.skipped).toBeUndefined();
    expect(report.orphanFilesRemoved).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, OWNER_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    third.close();
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a gallery opened beside the owner in the same process (a job worker) neither repairs nor frees the owner\'s lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ganvas-lock-'));
    const lock = takeDataFolder(dir, 'the studio');
    try {
      const orphan = plantOrphan(dir);
      const beside = openGallery({ dataDir: dir });
      expect((await beside.recovery).skipped).toMatch(/this process owns the data folder/);
      beside.close();
      expect(fs.existsSync(orphan)).toBe(true);
      expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(true);

      const asOwner = openGallery({ dataDir: dir, owner: lock });
      expect((await asOwner.recovery).orphanFilesRemoved).toBe(1);
      asOwner.close();
      expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(true);
    } finally {
      lock.release();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
