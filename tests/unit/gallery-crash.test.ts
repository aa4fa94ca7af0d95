/**
 * "A crash at any point leaves the DB and the files consistent": a child
 * process writes to the gallery and is killed with SIGKILL at random moments;
 * after each kill the gallery is opened (running recovery) and checked
 * against the files on disk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openGallery } from '../../src/main/engine/gallery/index.js';
import { filesUnder, opaquePng, tempDataDir } from './fixtures/gallery-images.js';

const writer = fileURLToPath(new URL('./fixtures/gallery-crash-writer.ts', import.meta.url));
const MIN_KILLS = 6;
// On an idle machine with fast writes 24 kills once found only one mid-write (fresh-clone CI); the loop stops at two hits.
const MAX_KILLS = 60;
const dataDir = tempDataDir('gallery-crash');

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/**
 * Starts the writer and kills it `delayMs` after its first item: by then it is
 * in its steady loop of writes, however slowly a loaded machine started it.
 * Resolves with how many items it added.
 */
function runAndKill(delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (timer === undefined && /^added /m.test(stdout)) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer ended by itself (code ${code}): ${stderr}`));
      else resolve(stdout.split('\n').filter((line) => line.startsWith('added ')).length);
    });
  });
}

function checkConsistent(): { items: number } {
  const db = new Database(path.join(dataDir, 'gallery.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    // Recovery deletes the last session's trash and every image no item uses.
    expect(db.prepare('SELECT count(*) FROM items WHERE deleted_at IS NOT NULL').pluck().get()).toBe(0);
    expect(
      db
        .prepare(
          `SELECT count(*) FROM images im WHERE NOT EXISTS (SELECT 1 FROM items WHERE output_hash = im.hash OR input_hash = im.hash)`,
        )
        .pluck()
        .get(),
    ).toBe(0);
    const images = db.prepare('SELECT hash, format, bytes FROM images').all() as { hash: string; format: string; bytes: number }[];
    const expectedFiles: string[] = [];
    for (const image of images) {
      const shard = image.hash.slice(0, 2);
      const file = path.join('images', shard, `${image.hash}.${image.format === 'jpeg' ? 'jpg' : image.format}`);
      const data = fs.readFileSync(path.join(dataDir, file));
      expect(data.length).toBe(image.bytes);
      expect(createHash('sha256').update(data).digest('hex')).toBe(image.hash);
      expectedFiles.push(file, path.join('thumbs', shard, `${image.hash}.webp`));
    }
    // Every row has its files and no file is left that no row names (temp files included).
    const onDisk = [...filesUnder(path.join(dataDir, 'images')).map((f) => path.join('images', f)), ...filesUnder(path.join(dataDir, 'thumbs')).map((f) => path.join('thumbs', f))];
    expect(onDisk.sort()).toEqual(expectedFiles.sort());
    // Search index rows match the items one for one.
    expect(db.prepare('SELECT count(*) FROM item_text').pluck().get()).toBe(db.prepare('SELECT count(*) FROM items').pluck().get());
    return { items: db.prepare('SELECT count(*) FROM items').pluck().get() as number };
  } finally {
    db.close();
  }
}

describe('gallery crash consistency', () => {
  it('stays consistent after SIGKILLs at random moments, including mid-write', async () => {
    let added = 0;
    let kills = 0;
    /** Kills after which recovery found half-written or uncommitted files: proof a kill hit a write. */
    let killsMidWrite = 0;
    // At least MIN_KILLS, spread over 0–300 ms after the first item; more (up to MAX_KILLS) until two kills hit a write.
    while (kills < MIN_KILLS || (killsMidWrite < 2 && kills < MAX_KILLS)) {
      const delay = Math.floor((((kills % MIN_KILLS) + Math.random()) / MIN_KILLS) * 300);
      added += await runAndKill(delay);
      kills++;
      const gallery = openGallery({ dataDir });
      const report = await gallery.recovery;
      gallery.close();
      if (report.tempFilesRemoved + report.orphanFilesRemoved > 0) killsMidWrite++;
      checkConsistent();
    }
    expect(added).toBeGreaterThan(0);
    expect(killsMidWrite).toBeGreaterThanOrEqual(2);

    const gallery = openGallery({ dataDir });
    try {
      const before = gallery.list({}).total;
      const item = await gallery.addItem({ kind: 'sketch', output: await opaquePng(10, 10) });
      expect(gallery.get(item.id).id).toBe(item.id);
      expect(gallery.list({}).total).toBe(before + 1);
    } finally {
      gallery.close();
    }
    checkConsistent();
  });
});
