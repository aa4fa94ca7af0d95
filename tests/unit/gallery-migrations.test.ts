import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/main/api/dispatch.js';
import { LATEST_SCHEMA_VERSION, migrations, openGallery, openGalleryDatabase } from '../../src/main/engine/gallery/index.js';
import { opaquePng, tempDataDir } from './fixtures/gallery-images.js';

let dataDir: string;
let dbFile: string;

beforeEach(() => {
  dataDir = tempDataDir('gallery-migrations');
  dbFile = path.join(dataDir, 'gallery.db');
});

afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('gallery schema migrations', () => {
  it('numbers migrations 1..n in order', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(2);
  });

  it('opens a new database at the latest version with WAL, foreign keys, FULL sync and a busy timeout', () => {
    const db = openGalleryDatabase(dbFile);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      db.close();
    }
  });

  it('brings a version 1 gallery with items forward, and search finds the old items', async () => {
    // A gallery as the first release wrote it: built by migration 1 only, filled by an older app.
    const gallery = openGallery({ dataDir });
    const item = await gallery.addItem({ kind: 'translate', title: 'Lighthouse at dusk', output: await opaquePng(8, 8), tags: ['coast'] });
    gallery.close();
    fs.rmSync(dbFile);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(dbFile + suffix, { force: true });
    const v1 = openGalleryDatabase(dbFile, { schemaVersion: 1 });
    expect(v1.pragma('user_version', { simple: true })).toBe(1);
    expect(v1.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'item_text'").pluck().get()).toBe(0);
    const o = item.output;
    v1.prepare('INSERT INTO images VALUES (?, ?, ?, ?, ?, ?, ?)').run(o.hash, o.format, o.width, o.height, o.bytes, 0, 1);
    v1.prepare(
      "INSERT INTO items (id, kind, title, output_hash, model_id, settings_json, created_at) VALUES (7, 'translate', 'Lighthouse at dusk', ?, 'pix2pix-facades', '{\"seed\":42}', 1)",
    ).run(o.hash);
    v1.prepare("INSERT INTO tags VALUES (7, 'coast')").run();
    v1.close();

    const upgraded = openGallery({ dataDir });
    try {
      expect((await upgraded.recovery).missingImages).toEqual([]);
      const byText = (text: string): number[] => upgraded.list({ text }).items.map((found) => found.id);
      expect(byText('lighthouse')).toEqual([7]);
      expect(byText('facades')).toEqual([7]);
      expect(byText('coast')).toEqual([7]);
      expect(byText('seed')).toEqual([7]);
      // The triggers of migration 2 keep the index up to date for new writes too.
      upgraded.update(7, { tags: ['harbour'] });
      expect(byText('coast')).toEqual([]);
      expect(byText('harbour')).toEqual([7]);
    } finally {
      upgraded.close();
    }
    const db = new Database(dbFile, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  it('refuses a gallery written by a newer GANvas and leaves it untouched', () => {
    openGalleryDatabase(dbFile).close();
    const db = new Database(dbFile);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    db.close();
    let caught: unknown;
    try {
      openGallery({ dataDir });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserFacingError);
    expect((caught as UserFacingError).code).toBe('unsupported');
    expect((caught as Error).message).toBe(
      `${dbFile} was written by a newer version of GANvas (gallery schema ${LATEST_SCHEMA_VERSION + 5}; this version understands up to ${LATEST_SCHEMA_VERSION}). Update GANvas, or choose a different data folder.`,
    );
    const after = new Database(dbFile, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5);
    after.close();
  });

  it('says which file is not a gallery when the database is garbage', () => {
    fs.writeFileSync(dbFile, 'definitely not sqlite '.repeat(100));
    expect(() => openGallery({ dataDir })).toThrow(`${dbFile} is not a readable GANvas gallery`);
  });

  it('rolls a failing migration back whole, keeping the previous version', () => {
    const db = openGalleryDatabase(dbFile, { schemaVersion: 1 });
    // A table in the way makes migration 2 fail halfway through its script.
    db.exec('CREATE TABLE item_text_source (x)');
    db.close();
    expect(() => openGallery({ dataDir })).toThrow(/item_text_source/);
    const after = new Database(dbFile, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    expect(after.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'item_text'").pluck().get()).toBe(0);
    after.close();
  });
});
