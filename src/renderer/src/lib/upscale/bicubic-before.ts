/**
 * The "before" side of an upscale result: its original by the engine's exact
 * bicubic (`upscale.bicubic`), as an object URL, remembered per gallery item
 * so flipping between results asks once. The scale is the item's own (its
 * settings), else the ratio of the output to the input.
 */
import type { GalleryItem, GanvasClient } from '../../../../shared/contract.js';

const made = new Map<number, Promise<string>>();

export function scaleOf(item: Pick<GalleryItem, 'settings' | 'input' | 'output'>): 2 | 3 | 4 | undefined {
  const setting = item.settings['scale'];
  const scale = typeof setting === 'number' ? setting : item.input ? Math.round(item.output.width / item.input.width) : NaN;
  return scale === 2 || scale === 3 || scale === 4 ? scale : undefined;
}

export function bicubicFor(client: GanvasClient, item: GalleryItem): Promise<string> {
  let pending = made.get(item.id);
  if (!pending) {
    const scale = scaleOf(item);
    pending = scale === undefined
      ? Promise.reject(new Error('not a ×2, ×3 or ×4 result'))
      : client.call('upscale.bicubic', { itemId: item.id, scale }).then(({ pngBase64 }) => {
          const bytes = Uint8Array.from(atob(pngBase64), (c) => c.charCodeAt(0));
          return URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
        });
    made.set(item.id, pending);
    pending.catch(() => made.delete(item.id));
  }
  return pending;
}
