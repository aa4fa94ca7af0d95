// Two processes on one data folder: only the lock holder repairs, so one never deletes the other's uncommitted files.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openGallery } from '../../src/main/engine/gallery/index.js';
import { LOCK_FILE } from '../../src/main/engine/gallery/folder-lock.js';

describe('the data folder repair lock', () => {
  it('lets only one live process repair; a stale lock is taken over', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ganvas-lock-'));
    // A live process that is not us holds the lock.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, LOCK_FILE), String(holder.pid));
      const orphan = path.join(dir, 'images', 'ab', `${'ab'.repeat(32)}.png`);
      fs.mkdirSync(path.dirname(orphan), { recursive: true });
      fs.writeFileSync(orphan, 'uncommitted file of the other process');

      const second = openGallery({ dataDir: dir });
      const report = await second.recovery;
      expect(report.skipped).toMatch(/another GANvas process/);
      expect(fs.existsSync(orphan)).toBe(true);
      second.close();
      expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }

    // The holder died without releasing: the next open takes over and repairs.
    const third = openGallery({ dataDir: dir });
    const report = await third.recovery;
    expect(report.skipped).toBeUndefined();
    expect(report.orphanFilesRemoved).toBe(1);
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    third.close();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
