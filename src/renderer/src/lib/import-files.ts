/**
 * Importing files the user dropped or picked: send them to `gallery.import`
 * in batches and collect one summary. A small file travels inline as base64
 * (both transports carry JSON); a large one, where the transport can stream
 * (`ganvas serve`), goes to `POST /upload` first and travels as its upload id,
 * so neither the browser nor the server holds it as base64. A file that
 * cannot be read or uploaded, or a batch the server rejects, is reported by
 * name; the other files still go through.
 */
import { GanvasError, type FileFailure, type GalleryItem, type GanvasClient, type UploadedFile } from '../../../shared/contract.js';

/** The contract accepts at most 200 files per call. */
export const maxFilesPerCall = 200;
/** Keeps one request body well under what a server will accept in one go. */
export const maxBytesPerCall = 48 * 1024 * 1024;
/** Matches the contract's per-file limit (base64 of ~50 MB). */
export const maxFileBytes = 50 * 1024 * 1024;
/** Files larger than this are streamed to the server first, where the transport can. */
export const streamAboveBytes = 2 * 1024 * 1024;
/**
 * Streamed files of one batch wait on the server's disk until the batch's
 * call uses them, and the server keeps at most 1 GiB waiting; a quarter of
 * that per batch leaves room for other tabs.
 */
export const maxStreamedBytesPerCall = 256 * 1024 * 1024;

export interface ImportProgress {
  done: number;
  total: number;
}

export interface ImportSummary {
  added: GalleryItem[];
  failed: FileFailure[];
}

/** Splits files into call-sized batches by count and bytes, keeping their order. */
export function planImportBatches<F extends { size: number }>(
  files: readonly F[],
  maxFiles = maxFilesPerCall,
  maxBytes = maxBytesPerCall,
  /** What one file adds to the request body (its size, unless it is streamed first). */
  bytesOf: (file: F) => number = (file) => file.size,
): F[][] {
  const batches: F[][] = [];
  let current: F[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = bytesOf(file);
    if (current.length > 0 && (current.length >= maxFiles || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += size;
  }
  if (current.length) batches.push(current);
  return batches;
}

export function describeImport(summary: ImportSummary): string {
  const parts = [`Imported ${summary.added.length}`];
  if (summary.failed.length) {
    const shown = summary.failed.slice(0, 3).map((failure) => {
      // Some reasons already start with the file name; say it once.
      const reason = failure.reason.startsWith(`${failure.name}: `) ? failure.reason.slice(failure.name.length + 2) : failure.reason;
      return `${failure.name}: ${reason}`;
    });
    const more = summary.failed.length - shown.length;
    parts.push(`${summary.failed.length} failed: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
  }
  return parts.join(' · ');
}

export function readFileAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('could not be read'));
    reader.onload = () => {
      const url = String(reader.result ?? '');
      const comma = url.indexOf(',');
      resolve(comma >= 0 ? url.slice(comma + 1) : '');
    };
    reader.readAsDataURL(file);
  });
}

/** Whether `file` goes to the server as a stream (then an upload id) rather than inline. */
export function isStreamed(client: Pick<GanvasClient, 'upload'>, file: Blob): boolean {
  return client.upload !== undefined && file.size > streamAboveBytes;
}

/** One file as a request carries it: streamed first when large and the transport can, inline base64 otherwise. */
export async function fileForRequest(client: Pick<GanvasClient, 'upload'>, file: File, fallbackName = 'unnamed'): Promise<UploadedFile> {
  const name = file.name.slice(0, 255) || fallbackName;
  if (client.upload && isStreamed(client, file)) return { name, uploadId: (await client.upload(file)).uploadId };
  return { name, dataBase64: await readFileAsBase64(file) };
}

export async function importFiles(
  client: GanvasClient,
  files: readonly File[],
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportSummary> {
  const summary: ImportSummary = { added: [], failed: [] };
  const total = files.length;
  let done = 0;
  const accepted: File[] = [];
  for (const file of files) {
    if (file.size > maxFileBytes) {
      summary.failed.push({ name: file.name, reason: 'larger than 50 MB' });
      done++;
    } else if (file.size === 0) {
      summary.failed.push({ name: file.name, reason: 'the file is empty' });
      done++;
    } else {
      accepted.push(file);
    }
  }
  onProgress({ done, total });

  // One budget for both limits: a streamed byte costs the batch maxBytesPerCall / maxStreamedBytesPerCall of an inline one.
  const bytesOf = (file: File) => (isStreamed(client, file) ? (file.size * maxBytesPerCall) / maxStreamedBytesPerCall : file.size);
  for (const batch of planImportBatches(accepted, maxFilesPerCall, maxBytesPerCall, bytesOf)) {
    const uploads: UploadedFile[] = [];
    for (const file of batch) {
      try {
        uploads.push(await fileForRequest(client, file));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // An upload the server refused carries its own message (too large, busy…); a local read failure does not.
        summary.failed.push({ name: file.name, reason: error instanceof GanvasError ? message : `could not be read (${message})` });
        done++;
      }
    }
    if (uploads.length) {
      try {
        const result = await client.call('gallery.import', { files: uploads });
        summary.added.push(...result.added);
        summary.failed.push(...result.failed);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        for (const upload of uploads) summary.failed.push({ name: upload.name, reason });
      }
      done += uploads.length;
    }
    onProgress({ done, total });
  }
  return summary;
}
