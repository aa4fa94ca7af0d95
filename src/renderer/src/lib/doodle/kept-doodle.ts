/**
 * The doodle and its undo history, kept in the browser (IndexedDB) so a
 * reload or a restart of the window brings them back. Each state is stored
 * as a PNG (a doodle is mostly flat paper, which PNG packs tightly: 1 MB raw at 512 px), and the record
 * is bounded: past `maxBytes` the oldest undo steps go first, then the far
 * end of the redo steps; the current drawing is always kept.
 *
 * IndexedDB rather than localStorage: it stores binary blobs without base64,
 * has a far larger quota, and writes off the main thread.
 */

export interface KeptDoodle {
  version: 1;
  /** Canvas side in model pixels. */
  size: number;
  /** Position of the current state in `states`. */
  index: number;
  /** PNG files, oldest first. */
  states: Blob[];
}

/** 4 MiB: hundreds of undo steps at 64–256 px, far below any browser's quota. */
export const keptDoodleBytes = 4 * 1024 * 1024;

/**
 * Which states fit in `budget` bytes: the current one always, then undo steps
 * from the newest back, then redo steps from the nearest on.
 */
export function keptRange(sizes: readonly number[], index: number, budget: number): { start: number; end: number } {
  let start = index;
  let end = index + 1;
  let used = sizes[index] ?? 0;
  let grew = true;
  while (grew) {
    grew = false;
    if (start > 0 && used + sizes[start - 1]! <= budget) {
      start--;
      used += sizes[start]!;
      grew = true;
    } else if (end < sizes.length && used + sizes[end]! <= budget) {
      used += sizes[end]!;
      end++;
      grew = true;
    }
  }
  return { start, end };
}

const DB_NAME = 'ganvas-doodle';
const STORE = 'doodle';
const KEY = 'current';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB would not open'));
    request.onblocked = () => reject(new Error('IndexedDB is held by another window of the studio'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = act(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('IndexedDB refused the write'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB gave up (the disk may be full)'));
    });
  } finally {
    db.close();
  }
}

export function writeKeptDoodle(record: KeptDoodle): Promise<void> {
  return withStore('readwrite', (store) => store.put(record, KEY)).then(() => undefined);
}

/** The kept doodle, or undefined when there is none (or it is not one this version can read). */
export async function readKeptDoodle(): Promise<KeptDoodle | undefined> {
  const value: unknown = await withStore('readonly', (store) => store.get(KEY));
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<KeptDoodle>;
  const states = record.states;
  if (record.version !== 1 || !Array.isArray(states) || !states.length || !states.every((state) => state instanceof Blob)) return undefined;
  if (!Number.isInteger(record.size) || !Number.isInteger(record.index) || record.index! < 0 || record.index! >= states.length) return undefined;
  return record as KeptDoodle;
}

const scratch = () => {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('this browser cannot draw on a canvas');
  return { canvas, context };
};

export function pngOf(pixels: ImageData): Promise<Blob> {
  const { canvas, context } = scratch();
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  context.putImageData(pixels, 0, 0);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the canvas could not be encoded'))), 'image/png'));
}

export async function pixelsOf(png: Blob): Promise<ImageData> {
  const bitmap = await createImageBitmap(png);
  try {
    const { canvas, context } = scratch();
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    context.drawImage(bitmap, 0, 0);
    return context.getImageData(0, 0, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}
