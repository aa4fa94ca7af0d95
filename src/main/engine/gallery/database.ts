/** Opens `gallery.db` with the settings the crash-consistency design relies on. */
import Database from 'better-sqlite3';
import { migrate } from './schema.js';

/**
 * The better-sqlite3 addon every thread of this process loads when no
 * nativeBinding is passed. The Electron main process sets it (to its
 * Electron build, see src/main/app/electron-native.ts) before the studio
 * opens; worker threads start with a copy of process.env, so the job kinds
 * that open the gallery there load the same build.
 */
export const SQLITE_ADDON_ENV = 'GANVAS_SQLITE_ADDON';

export interface DatabaseOptions {
  /** Stop migrating at this version (tests build old databases with it). */
  schemaVersion?: number;
  /** Load better-sqlite3's native addon from here (an Electron build, say). */
  nativeBinding?: string;
}

export function openGalleryDatabase(file: string, options: DatabaseOptions = {}): Database.Database {
  let db: Database.Database;
  const nativeBinding = options.nativeBinding || process.env[SQLITE_ADDON_ENV];
  try {
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
  } catch (error) {
    const addon = nativeBinding ? ` (with the SQLite addon ${nativeBinding})` : '';
    throw new Error(`Cannot open the gallery database ${file}${addon}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL rather than NORMAL: in WAL mode NORMAL is already safe against an app
    // crash, but after a power cut it may lose the last commits. Gallery
    // commits are rare (one per saved image or import batch) and cheap next to
    // encoding the image, so the extra fsync buys "saved means saved" for free.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file, options.schemaVersion);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof Error && /not a database|malformed/i.test(error.message)) {
      throw new Error(`${file} is not a readable GANvas gallery (${error.message}). Move it aside and restart to begin a new gallery.`);
    }
    throw error;
  }
}
