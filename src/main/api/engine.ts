/**
 * Handlers for the engine itself: which backend runs, which models exist, and
 * interactive translation. Thin: decode base64, call the engine, encode back.
 * The inference worker reports problems as UserFacingErrors already
 * ("No model 'run:x'. Models here: …", "photo.heic: unsupported format…").
 */
import { families } from '../engine/gans/registry.js';
import { UserFacingError, type Handler } from './dispatch.js';
import type { StudioContext } from './studio.js';

type EngineMethods = 'engine.backend' | 'queue.status' | 'models.list' | 'translate.image';

export function engineHandlers(ctx: StudioContext): { [M in EngineMethods]: Handler<M> } {
  return {
    'engine.backend': () => ctx.inference.backend(),
    'queue.status': async () => {
      const queue = ctx.queue;
      if (queue.backend === 'in-process') return { backend: 'in-process' as const };
      try {
        return { backend: 'redis' as const, url: queue.url, workers: await queue.workers() };
      } catch (error) {
        return { backend: 'redis' as const, url: queue.url, workers: [], error: error instanceof Error ? error.message : String(error) };
      }
    },
    'models.list': async (filter) => {
      // 'esrgan' names the pretrained upscalers from npm, which belong to no trainable family.
      if (filter.family !== undefined && filter.family !== 'esrgan' && !families.has(filter.family)) {
        throw new UserFacingError('invalid_request', `There is no model family '${filter.family}'; the families are ${[...families.all().map((f) => f.id), 'esrgan'].join(', ')}`);
      }
      return { models: await ctx.models.list(filter) };
    },
    'translate.image': async ({ modelId, image, options }) => {
      const result = await ctx.inference.translate(modelId, Buffer.from(image, 'base64'), options ?? {});
      return { image: result.image.toString('base64'), width: result.width, height: result.height, modelId, ms: result.ms, note: result.note };
    },
  };
}
