/**
 * The gallery: every image the studio made or imported, with its settings,
 * in `<dataDir>/gallery.db` plus content-addressed files beside it.
 *
 * Order of writes, which is what keeps a crash harmless: image and thumbnail
 * files are written (temp + fsync + rename) before the rows naming them are
 * committed in one transaction; rows are deleted before their files are. So a
 * committed row always has its files, and the worst a crash leaves is files no
 * row names, which the recovery pass on the next open removes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { GalleryQuery, itemKinds, type GalleryItem, type ImageRef } from '../../../shared/contract.js';
import { UserFacingError } from '../errors.js';
import { zodIssues } from '../../../shared/zod-issues.js';
import { openGalleryDatabase } from './database.js';
import { copyWithoutOverwriting, safeTitle } from './export-files.js';
import { ContentStore } from './content-store.js';
import { galleryFilter, galleryOrder } from './gallery-search.js';
import { fileExtension, makeThumbnail, prepareImage, type PreparedImage } from './image-intake.js';
import { checkNewItem, normaliseTags, readImage, type CheckedItem, type NewItem } from './new-item.js';
import { ITEM_COLUMNS, ITEM_SOURCE, toGalleryItem, type ItemRow } from './item-rows.js';
import { recoverFiles, unreferencedImages, type RecoveryReport, type StoredImage } from './recovery.js';
import { takeDataFolder } from '../data-dir.js';
import { FolderInUseError, type OwnerLock } from '../owner-lock.js';

export interface GalleryOptions {
  dataDir: string;
  /** The clock for createdAt and trash times; tests pass a fake one. */
  now?: () => number;
  /** better-sqlite3 addon to load instead of the default (the Electron build). */
  nativeBinding?: string;
  /**
   * The data folder's owner lock, when the caller holds it (the studio). Only
   * the owner repairs: repair deletes files no committed row names, which
   * could be another process's files written but not yet committed. Without
   * it the gallery owns the folder for its own life if the folder is free,
   * and otherwise leaves repair to the owner (SQLite takes writers from
   * several processes, so reading and adding still work).
   */
  owner?: OwnerLock;
}

export interface ImportFile {
  name: string;
  data: Buffer;
}

export interface ImportResult {
  added: GalleryItem[];
  failed: { name: string; reason: string }[];
}

export interface ItemPatch {
  favourite?: boolean;
  /** Replaces the item's tags; trimmed, duplicates (ignoring case) dropped. */
  tags?: string[];
  title?: string;
}

export interface GalleryFacets {
  models: string[];
  tags: string[];
  kinds: Record<string, number>;
  total: number;
}

export interface Gallery {
  readonly dataDir: string;
  /** Settles when the open-time recovery pass, thumbnails included, is done. */
  readonly recovery: Promise<RecoveryReport>;
  addItem(item: NewItem): Promise<GalleryItem>;
  importFiles(files: ImportFile[]): Promise<ImportResult>;
  get(id: number): GalleryItem;
  list(query: GalleryQuery): { total: number; items: GalleryItem[] };
  facets(): GalleryFacets;
  update(id: number, patch: ItemPatch): GalleryItem;
  trash(ids: number[]): number[];
  restore(ids: number[]): number[];
  emptyTrash(): number;
  exportItem(id: number, outDir: string): Promise<string[]>;
  imagePath(hash: string): string | null;
  thumbPath(hash: string): string | null;
  close(): void;
}

export const GALLERY_DB_FILE = 'gallery.db';
const HASH = /^[a-f0-9]{64}$/;

export function openGallery(options: GalleryOptions): Gallery {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const db = openGalleryDatabase(path.join(options.dataDir, GALLERY_DB_FILE), { nativeBinding: options.nativeBinding });
  try {
    return new SqliteGallery(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

class SqliteGallery implements Gallery {
  readonly dataDir: string;
  readonly recovery: Promise<RecoveryReport>;
  private readonly images: ContentStore;
  private readonly thumbs: ContentStore;
  private readonly now: () => number;
  /**
   * Hashes whose files an unfinished addItem (or thumbnail repair) relies on.
   * Emptying the trash must not delete those files between that work's
   * awaits, even when no committed row names them yet.
   */
  private readonly inUse = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    options: GalleryOptions,
  ) {
    this.dataDir = options.dataDir;
    this.now = options.now ?? Date.now;
    this.images = new ContentStore(path.join(this.dataDir, 'images'));
    this.thumbs = new ContentStore(path.join(this.dataDir, 'thumbs'));
    let skipped: string | null = null;
    if (!options.owner) {
      try {
        this.ownLock = takeDataFolder(this.dataDir, 'the gallery');
      } catch (error) {
        if (!(error instanceof FolderInUseError)) throw error;
        skipped = error.heldByThisProcess
          ? 'this process owns the data folder elsewhere and repairs it there'
          : `another GANvas process is using this data folder (pid ${error.holder.pid}, \`${error.holder.command}\`) and repairs it`;
      }
    }
    if (skipped === null) {
      const { report, thumbsToMake } = recoverFiles(db, this.images, this.thumbs);
      this.recovery = this.remakeThumbnails(thumbsToMake, report);
    } else {
      // Repairing here could delete the owner's uncommitted files.
      this.recovery = Promise.resolve({ tempFilesRemoved: 0, trashedItemsDeleted: 0, trashFilesRemoved: 0, orphanFilesRemoved: 0, thumbnailsRegenerated: 0, missingImages: [], skipped });
    }
  }

  /** The lock this gallery took itself (none when the caller owns the folder, or another process does). */
  private readonly ownLock: OwnerLock | null = null;

  async addItem(item: NewItem): Promise<GalleryItem> {
    const fields = checkNewItem(item, this.now);
    const output = await readImage(item.output, 'The output image');
    const input = item.input ? await readImage(item.input, 'The input image') : null;
    return this.save(fields, output, input);
  }

  async importFiles(files: ImportFile[]): Promise<ImportResult> {
    const result: ImportResult = { added: [], failed: [] };
    // One at a time: a batch of large photos decoded at once would hold them all in memory.
    for (const file of files) {
      try {
        const base = path.basename(file.name.replaceAll('\\', '/'));
        const title = base.slice(0, base.length - path.extname(base).length) || base;
        const fields = checkNewItem({ kind: 'imported', title, output: file.data }, this.now);
        result.added.push(await this.save(fields, await prepareImage(file.data), null));
      } catch (error) {
        result.failed.push({ name: file.name, reason: `${file.name}: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    return result;
  }

  get(id: number): GalleryItem {
    const row = this.db
      .prepare(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_SOURCE} WHERE i.id = ? AND i.deleted_at IS NULL`)
      .get(id) as ItemRow | undefined;
    if (!row) throw new UserFacingError('not_found', `Gallery item ${id} does not exist`);
    return toGalleryItem(row, this.tagsOf([id]).get(id) ?? []);
  }

  list(query: GalleryQuery): { total: number; items: GalleryItem[] } {
    const parsed = GalleryQuery.safeParse(query);
    if (!parsed.success) {
      const problems = zodIssues(parsed.error).map((issue) => `${issue.path}: ${issue.message}`);
      throw new UserFacingError('invalid_request', `Invalid gallery query: ${problems.join('; ')}`);
    }
    const filter = galleryFilter(parsed.data);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM items i WHERE ${filter.where}`).get(...filter.params) as { n: number }).n;
    // Choose the page's ids first, then join the images for those rows only:
    // sorting thousands of full joined rows to keep 100 of them was 3x slower.
    const order = galleryOrder(parsed.data);
    const rows = this.db
      .prepare(
        `SELECT ${ITEM_COLUMNS} FROM ${ITEM_SOURCE}
         WHERE i.id IN (SELECT i.id FROM items i WHERE ${filter.where} ORDER BY ${order} LIMIT ? OFFSET ?)
         ORDER BY ${order}`,
      )
      .all(...filter.params, parsed.data.limit, parsed.data.offset) as ItemRow[];
    const tags = this.tagsOf(rows.map((row) => row.id));
    return { total, items: rows.map((row) => toGalleryItem(row, tags.get(row.id) ?? [])) };
  }

  facets(): GalleryFacets {
    const models = this.db
      .prepare('SELECT DISTINCT model_id AS m FROM items WHERE deleted_at IS NULL AND model_id IS NOT NULL ORDER BY m')
      .pluck()
      .all() as string[];
    const tags = this.db
      .prepare(
        `SELECT min(t.tag) FROM tags t JOIN items i ON i.id = t.item_id
         WHERE i.deleted_at IS NULL GROUP BY t.tag ORDER BY t.tag`,
      )
      .pluck()
      .all() as string[];
    const kinds: Record<string, number> = Object.fromEntries(itemKinds.map((kind) => [kind, 0]));
    let total = 0;
    for (const row of this.db
      .prepare('SELECT kind, count(*) AS n FROM items WHERE deleted_at IS NULL GROUP BY kind')
      .all() as { kind: string; n: number }[]) {
      kinds[row.kind] = row.n;
      total += row.n;
    }
    return { models, tags, kinds, total };
  }

  update(id: number, patch: ItemPatch): GalleryItem {
    const tags = patch.tags === undefined ? undefined : normaliseTags(patch.tags);
    this.db.transaction(() => {
      this.get(id);
      if (patch.favourite !== undefined) this.db.prepare('UPDATE items SET favourite = ? WHERE id = ?').run(patch.favourite ? 1 : 0, id);
      if (patch.title !== undefined) this.db.prepare('UPDATE items SET title = ? WHERE id = ?').run(patch.title, id);
      if (tags !== undefined) {
        this.db.prepare('DELETE FROM tags WHERE item_id = ?').run(id);
        this.insertTags(id, tags);
      }
    })();
    return this.get(id);
  }

  trash(ids: number[]): number[] {
    const mark = this.db.prepare('UPDATE items SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
    const at = this.now();
    return this.db.transaction(() => [...new Set(ids)].filter((id) => mark.run(at, id).changes === 1))();
  }

  restore(ids: number[]): number[] {
    const unmark = this.db.prepare('UPDATE items SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL');
    return this.db.transaction(() => [...new Set(ids)].filter((id) => unmark.run(id).changes === 1))();
  }

  emptyTrash(): number {
    const { deleted, unused } = this.db.transaction(() => {
      const hashes = this.db
        .prepare(
          `SELECT output_hash FROM items WHERE deleted_at IS NOT NULL
           UNION SELECT input_hash FROM items WHERE deleted_at IS NOT NULL AND input_hash IS NOT NULL`,
        )
        .pluck()
        .all() as string[];
      const deleted = this.db.prepare('DELETE FROM items WHERE deleted_at IS NOT NULL').run().changes;
      const unused = unreferencedImages(this.db, hashes).filter((image) => !this.inUse.has(image.hash));
      const deleteImage = this.db.prepare('DELETE FROM images WHERE hash = ?');
      for (const image of unused) deleteImage.run(image.hash);
      return { deleted, unused };
    })();
    // Only after the commit: a crash before this point leaves orphan files, never rows without files.
    for (const image of unused) this.removeFiles(image);
    return deleted;
  }

  async exportItem(id: number, outDir: string): Promise<string[]> {
    const item = this.get(id);
    await fs.promises.mkdir(outDir, { recursive: true });
    const stem = `${safeTitle(item.title)}-${item.id}`;
    const written: string[] = [];
    const images: [ImageRef, string][] = [[item.output, 'output']];
    if (item.input) images.push([item.input, 'input']);
    for (const [image, role] of images) {
      const source = this.images.pathFor(image.hash, fileExtension(image.format));
      if (!fs.existsSync(source)) {
        throw new UserFacingError('failed', `The ${role} image of gallery item ${id} is missing from ${path.dirname(source)}`);
      }
      written.push(await copyWithoutOverwriting(source, outDir, `${stem}-${role}`, fileExtension(image.format)));
    }
    return written;
  }

  imagePath(hash: string): string | null {
    const format = this.formatOf(hash);
    return format === null ? null : this.images.pathFor(hash, fileExtension(format));
  }

  /** Null also while a missing thumbnail is still being remade: serve the image then. */
  thumbPath(hash: string): string | null {
    if (this.formatOf(hash) === null) return null;
    const file = this.thumbs.pathFor(hash, 'webp');
    return fs.existsSync(file) ? file : null;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
    this.ownLock?.release();
  }

  // ------------------------------------------------------------ internals

  /** Files first, then the rows in one transaction: see the comment at the top. */
  private async save(fields: CheckedItem, output: PreparedImage, input: PreparedImage | null): Promise<GalleryItem> {
    const images = input ? [output, input] : [output];
    const hashes = images.map((image) => image.ref.hash);
    this.hold(hashes);
    try {
      for (const image of images) {
        await this.images.put(image.ref.hash, fileExtension(image.ref.format), image.data);
        await this.thumbs.put(image.ref.hash, 'webp', image.thumb);
      }
      if (this.closed) throw new Error('The gallery was closed before the item could be saved');
      const id = this.db.transaction(() => {
        for (const image of images) this.insertImage(image.ref, fields.createdAt);
        const row = this.db
          .prepare(
            `INSERT INTO items (kind, title, input_hash, output_hash, model_id, settings_json, timings_json, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            fields.kind,
            fields.title,
            input?.ref.hash ?? null,
            output.ref.hash,
            fields.modelId,
            fields.settingsJson,
            fields.timingsJson,
            fields.createdAt,
          );
        const id = Number(row.lastInsertRowid);
        this.insertTags(id, fields.tags);
        return id;
      })();
      return this.get(id);
    } finally {
      this.release(hashes);
    }
  }

  private formatOf(hash: string): ImageRef['format'] | null {
    if (!HASH.test(hash)) return null;
    const format = this.db.prepare('SELECT format FROM images WHERE hash = ?').pluck().get(hash) as ImageRef['format'] | undefined;
    return format ?? null;
  }

  private insertImage(ref: ImageRef, createdAt: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO images (hash, format, width, height, bytes, has_alpha, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(ref.hash, ref.format, ref.width, ref.height, ref.bytes, ref.hasAlpha ? 1 : 0, createdAt);
  }

  private insertTags(id: number, tags: string[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO tags (item_id, tag) VALUES (?, ?)');
    for (const tag of tags) insert.run(id, tag);
  }

  private tagsOf(ids: number[]): Map<number, string[]> {
    const byItem = new Map<number, string[]>();
    if (ids.length === 0) return byItem;
    const rows = this.db
      .prepare('SELECT item_id, tag FROM tags WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY tag')
      .all(JSON.stringify(ids)) as { item_id: number; tag: string }[];
    for (const row of rows) {
      const list = byItem.get(row.item_id);
      if (list) list.push(row.tag);
      else byItem.set(row.item_id, [row.tag]);
    }
    return byItem;
  }

  private removeFiles(image: StoredImage): void {
    this.images.remove(image.hash, fileExtension(image.format));
    this.thumbs.remove(image.hash, 'webp');
  }

  private hold(hashes: string[]): void {
    for (const hash of hashes) this.inUse.set(hash, (this.inUse.get(hash) ?? 0) + 1);
  }

  private release(hashes: string[]): void {
    for (const hash of hashes) {
      const count = (this.inUse.get(hash) ?? 1) - 1;
      if (count <= 0) this.inUse.delete(hash);
      else this.inUse.set(hash, count);
    }
  }

  private async remakeThumbnails(images: StoredImage[], report: RecoveryReport): Promise<RecoveryReport> {
    for (const image of images) {
      if (this.closed) break;
      this.hold([image.hash]);
      try {
        const source = this.images.pathFor(image.hash, fileExtension(image.format));
        const thumb = await makeThumbnail(await fs.promises.readFile(source));
        await this.thumbs.put(image.hash, 'webp', thumb);
        report.thumbnailsRegenerated++;
      } catch {
        // A stored image sharp cannot decode any more: the item still shows, from the full image.
      } finally {
        this.release([image.hash]);
      }
    }
    return report;
  }
}
