import type { Handler } from './dispatch.js';
import type { StudioContext } from './studio.js';

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
      const result = await gallery.importFiles(
        files.map((file) => ({ name: file.name, data: Buffer.from(file.dataBase64, 'base64') })),
      );
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
