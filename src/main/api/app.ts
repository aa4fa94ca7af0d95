import type { Handler } from './dispatch.js';
import type { StudioContext } from './studio.js';
import { appVersion } from '../engine/install-location.js';

export function appHandlers(ctx: StudioContext): { 'app.info': Handler<'app.info'> } {
  return {
    'app.info': () => ({
      name: 'GANvas',
      version: appVersion(),
      dataDir: ctx.dataDir,
      transport: ctx.transport,
      platform: `${process.platform}-${process.arch}`,
    }),
  };
}
