/**
 * Handlers for the gallery: thin calls into the engine's gallery, plus the
 * gallery.changed events every open view listens to.
 */
import type { ParsedRequest } from '../../shared/contract.js';
import type { ImportResult } from '../engine/gallery/index.js';
import type { Handler } from './dispatch.js';
import type { StudioContext } from './studio.js';
import { takeUpload } from './uploads.js';

type GalleryMethods = 'gallery.add' | 'gallery.list' | 'gallery.get' | 'gallery.facets' | 'gallery.import' | 'gallery.update' | 'gallery.delete' | 'gallery.restore';

export function galleryHandlers(ctx: StudioContext): { [M in GalleryMethods]: Handler<M> } {
  const { gallery } = ctx;
  return {
    'gallery.add': async ({ input, output, ...fields }) => {
      const item = await gallery.addItem({
        ...fields,
        input: input === undefined ? null : Buffer.from(input, 'base64'),
        output: Buffer.from(output, 'base64'),
      });
      ctx.emit('gallery.changed', { reason: 'added', ids: [item.id] });
      return item;
    },
    'gallery.list': (query) => gallery.list(query),
    'gallery.get': ({ id }) => gallery.get(id),
    'gallery.facets': () => gallery.facets(),
    'gallery.import': async ({ files }) => {
      const result = await importOneByOne(ctx, files);
      if (result.added.length) ctx.emit('gallery.changed', { reason: 'added', ids: result.added.map((item) => item.id) });
      return result;
    },
    'gallery.update': ({ id, ...patch }) => {
      const item = gallery.update(id, patch);
      ctx.emit('gallery.changed', { reason: 'updated', ids: [id] });
      return item;
    },
    'gallery.delete': ({ ids }) => {
      const deleted = gallery.trash(ids);
      if (deleted.length) ctx.emit('gallery.changed', { reason: 'deleted', ids: deleted });
      return { deleted };
    },
    'gallery.restore': ({ ids }) => {
      const restored = gallery.restore(ids);
      if (restored.length) ctx.emit('gallery.changed', { reason: 'restored', ids: restored });
      return { restored };
    },
  };
}

/**
 * One file at a time, its bytes decoded or read from its upload only when its
 * turn comes: 200 inline or uploaded photos are never all in memory at once.
 * A missing upload fails that file by name; the others still go in.
 */
async function importOneByOne(ctx: StudioContext, files: ParsedRequest<'gallery.import'>['files']): Promise<ImportResult> {
  const result: ImportResult = { added: [], failed: [] };
  for (const file of files) {
    let data: Buffer;
    try {
      data = 'uploadId' in file ? await takeUpload(ctx.dataDir, file.uploadId) : Buffer.from(file.dataBase64, 'base64');
    } catch (error) {
      result.failed.push({ name: file.name, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const one = await ctx.gallery.importFiles([{ name: file.name, data }]);
    result.added.push(...one.added);
    result.failed.push(...one.failed);
  }
  return result;
}
