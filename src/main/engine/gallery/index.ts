/** The gallery store: public API. */
export {
  GALLERY_DB_FILE,
  openGallery,
  type Gallery,
  type GalleryFacets,
  type GalleryOptions,
  type ImportFile,
  type ImportResult,
  type ItemPatch,
} from './gallery.js';
export type { NewItem } from './new-item.js';
export type { RecoveryReport } from './recovery.js';
export { LATEST_SCHEMA_VERSION, migrations, type Migration } from './schema.js';
export { openGalleryDatabase } from './database.js';
export { THUMB_MAX_SIDE } from './image-intake.js';
