/**
 * The pass that runs every time the gallery opens, so that whatever moment a
 * previous run crashed at, the database and the files agree again:
 *  (a) half-written temp files are deleted;
 *  (b) items trashed in an earlier session are deleted for good — the trash
 *      lives until the next start, which is what "undo" in the UI promises;
 *  (c) image rows no item uses any more, and files no image row names, are removed
 *      (a crash between writing a file and committing its row leaves such files);
 *  (d) a missing thumbnail is made again from its image (in the background).
 * Image files are written before their rows are committed, so a row whose
 * image is missing means someone removed the file by hand: it is reported,
 * never "repaired" by deleting the user's item.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { ImageFormat } from '../../../shared/contract.js';
import type { ContentStore, StoredFile } from './content-store.js';
import { fileExtension } from './image-intake.js';

export interface RecoveryReport {
  tempFilesRemoved: number;
  trashedItemsDeleted: number;
  /** Files of images only the deleted trash used. */
  trashFilesRemoved: number;
  /** Files no row named: written by a run that crashed before committing, or left by one that crashed while emptying the trash. */
  orphanFilesRemoved: number;
  thumbnailsRegenerated: number;
  /** Hashes whose image file is gone although items use it. */
  missingImages: string[];
  /** Why no repair ran (another process holds the folder's repair lock). */
  skipped?: string;
}

export interface StoredImage {
  hash: string;
  format: ImageFormat;
}

/** Hashes of image rows that no item refers to, among `candidates` (or all). */
export function unreferencedImages(db: Database.Database, candidates?: readonly string[]): StoredImage[] {
  const unused = `NOT EXISTS (SELECT 1 FROM items WHERE output_hash = im.hash)
                  AND NOT EXISTS (SELECT 1 FROM items WHERE input_hash = im.hash)`;
  if (candidates === undefined) {
    return db.prepare(`SELECT hash, format FROM images im WHERE ${unused}`).all() as StoredImage[];
  }
  if (candidates.length === 0) return [];
  return db
    .prepare(`SELECT hash, format FROM images im WHERE hash IN (SELECT value FROM json_each(?)) AND ${unused}`)
    .all(JSON.stringify([...new Set(candidates)])) as StoredImage[];
}

/** Steps (a)–(c), and the list of thumbnails step (d) has to make. */
export function recoverFiles(
  db: Database.Database,
  images: ContentStore,
  thumbs: ContentStore,
): { report: RecoveryReport; thumbsToMake: StoredImage[] } {
  const report: RecoveryReport = {
    tempFilesRemoved: 0,
    trashedItemsDeleted: 0,
    trashFilesRemoved: 0,
    orphanFilesRemoved: 0,
    thumbnailsRegenerated: 0,
    missingImages: [],
  };
  const imageFiles = images.scan();
  const thumbFiles = thumbs.scan();
  for (const temp of [...imageFiles.temp, ...thumbFiles.temp]) {
    fs.rmSync(temp, { force: true });
    report.tempFilesRemoved++;
  }

  const trashHashes = new Set<string>();
  db.transaction(() => {
    for (const hash of db
      .prepare(
        `SELECT output_hash FROM items WHERE deleted_at IS NOT NULL
         UNION SELECT input_hash FROM items WHERE deleted_at IS NOT NULL AND input_hash IS NOT NULL`,
      )
      .pluck()
      .all() as string[]) {
      trashHashes.add(hash);
    }
    report.trashedItemsDeleted = db.prepare('DELETE FROM items WHERE deleted_at IS NOT NULL').run().changes;
    const deleteImage = db.prepare('DELETE FROM images WHERE hash = ?');
    for (const image of unreferencedImages(db)) deleteImage.run(image.hash);
  })();

  const known = new Map<string, ImageFormat>();
  for (const row of db.prepare('SELECT hash, format FROM images').iterate() as Iterable<StoredImage>) {
    known.set(row.hash, row.format);
  }
  const presentImages = new Set<string>();
  for (const file of imageFiles.stored) {
    const format = known.get(file.hash);
    if (format !== undefined && file.file === images.pathFor(file.hash, fileExtension(format))) presentImages.add(file.hash);
    else removeUnused(file, trashHashes, report);
  }
  const presentThumbs = new Set<string>();
  for (const file of thumbFiles.stored) {
    if (known.has(file.hash) && file.file === thumbs.pathFor(file.hash, 'webp')) presentThumbs.add(file.hash);
    else removeUnused(file, trashHashes, report);
  }

  const thumbsToMake: StoredImage[] = [];
  for (const [hash, format] of known) {
    if (!presentImages.has(hash)) report.missingImages.push(hash);
    else if (!presentThumbs.has(hash)) thumbsToMake.push({ hash, format });
  }
  return { report, thumbsToMake };
}

function removeUnused(file: StoredFile, trashHashes: ReadonlySet<string>, report: RecoveryReport): void {
  fs.rmSync(file.file, { force: true });
  if (trashHashes.has(file.hash)) report.trashFilesRemoved++;
  else report.orphanFilesRemoved++;
}
