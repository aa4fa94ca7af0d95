/**
 * The gallery's tables and their history. `PRAGMA user_version` holds the
 * number of migrations applied; each migration runs in its own transaction
 * together with the version bump, so a crash mid-migration leaves the
 * previous version intact. Never edit a released migration: append one.
 */
import type Database from 'better-sqlite3';
import { itemKinds } from '../../../shared/contract.js';
import { UserFacingError } from '../errors.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

const kindList = itemKinds.map((kind) => `'${kind}'`).join(', ');

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'images, items and tags',
    up(db) {
      db.exec(`
        CREATE TABLE images (
          hash TEXT PRIMARY KEY CHECK (length(hash) = 64),
          format TEXT NOT NULL CHECK (format IN ('png', 'jpeg', 'webp')),
          width INTEGER NOT NULL CHECK (width > 0),
          height INTEGER NOT NULL CHECK (height > 0),
          bytes INTEGER NOT NULL CHECK (bytes >= 0),
          has_alpha INTEGER NOT NULL CHECK (has_alpha IN (0, 1)),
          created_at INTEGER NOT NULL
        );
        -- AUTOINCREMENT: an id is never reused after emptying the trash, so an
        -- exported "<title>-42-output.png" always names one item.
        CREATE TABLE items (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          kind TEXT NOT NULL CHECK (kind IN (${kindList})),
          title TEXT NOT NULL DEFAULT '',
          input_hash TEXT REFERENCES images(hash),
          output_hash TEXT NOT NULL REFERENCES images(hash),
          model_id TEXT,
          settings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings_json)),
          timings_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(timings_json)),
          created_at INTEGER NOT NULL,
          favourite INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
          deleted_at INTEGER
        );
        CREATE INDEX items_live_by_time ON items(created_at, id) WHERE deleted_at IS NULL;
        CREATE INDEX items_by_model ON items(model_id) WHERE deleted_at IS NULL;
        CREATE INDEX items_by_output ON items(output_hash);
        CREATE INDEX items_by_input ON items(input_hash) WHERE input_hash IS NOT NULL;
        CREATE TABLE tags (
          item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
          tag TEXT NOT NULL COLLATE NOCASE,
          PRIMARY KEY (item_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX tags_by_tag ON tags(tag);
      `);
    },
  },
  {
    version: 2,
    name: 'text search over title, model, settings and tags',
    up(db) {
      // Trigram tokens make every word of 3+ characters match as a substring
      // ("shoe" finds "edges2shoes"), which is what people expect of a search
      // box; the triggers keep the index right whichever code writes the rows.
      db.exec(`
        CREATE VIRTUAL TABLE item_text USING fts5(body, tokenize = 'trigram remove_diacritics 1');
        CREATE VIEW item_text_source AS
          SELECT i.id AS id,
                 i.title || ' ' || coalesce(i.model_id, '') || ' ' || i.settings_json || ' ' ||
                 coalesce((SELECT group_concat(t.tag, ' ') FROM tags t WHERE t.item_id = i.id), '') AS body
          FROM items i;
        CREATE TRIGGER item_text_after_item_insert AFTER INSERT ON items BEGIN
          INSERT INTO item_text(rowid, body) SELECT id, body FROM item_text_source WHERE id = new.id;
        END;
        CREATE TRIGGER item_text_after_item_update AFTER UPDATE OF title, model_id, settings_json ON items BEGIN
          DELETE FROM item_text WHERE rowid = old.id;
          INSERT INTO item_text(rowid, body) SELECT id, body FROM item_text_source WHERE id = new.id;
        END;
        CREATE TRIGGER item_text_after_item_delete AFTER DELETE ON items BEGIN
          DELETE FROM item_text WHERE rowid = old.id;
        END;
        CREATE TRIGGER item_text_after_tag_insert AFTER INSERT ON tags BEGIN
          DELETE FROM item_text WHERE rowid = new.item_id;
          INSERT INTO item_text(rowid, body) SELECT id, body FROM item_text_source WHERE id = new.item_id;
        END;
        CREATE TRIGGER item_text_after_tag_delete AFTER DELETE ON tags BEGIN
          DELETE FROM item_text WHERE rowid = old.item_id;
          INSERT INTO item_text(rowid, body) SELECT id, body FROM item_text_source WHERE id = old.item_id;
        END;
        INSERT INTO item_text(rowid, body) SELECT id, body FROM item_text_source;
      `);
    },
  },
];

export const LATEST_SCHEMA_VERSION = migrations.length;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to `target` (default: the newest this code knows).
 * Refuses a database written by a newer GANvas rather than guessing at it.
 */
export function migrate(db: Database.Database, file: string, target = LATEST_SCHEMA_VERSION): void {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new UserFacingError(
      'unsupported',
      `${file} was written by a newer version of GANvas (gallery schema ${current}; this version understands up to ${LATEST_SCHEMA_VERSION}). ` +
        'Update GANvas, or choose a different data folder.',
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
