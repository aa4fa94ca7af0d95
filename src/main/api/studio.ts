/**
 * The studio: everything the API needs, built once per process and shared by
 * every transport (Electron IPC, `ganvas serve`, tests). Handlers are pure
 * functions of validated input plus this context; no module-level state.
 */
import { EventEmitter } from 'node:events';
import { events, type EventName, type EventPayload } from '../../shared/contract.js';
import { openGallery, type Gallery } from '../engine/gallery/index.js';
import { createDispatcher, type Dispatch, type Handlers } from './dispatch.js';
import { appHandlers } from './app.js';
import { galleryHandlers } from './gallery.js';

export interface StudioContext {
  readonly dataDir: string;
  readonly transport: 'electron' | 'http';
  readonly gallery: Gallery;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export interface Studio {
  readonly context: StudioContext;
  readonly dispatch: Dispatch;
  /** Subscribe to every contract event (transports forward them to their clients). */
  onEvent(listener: (event: EventName, payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export interface StudioOptions {
  dataDir: string;
  transport: 'electron' | 'http';
  log?: (message: string) => void;
}

export function openStudio(options: StudioOptions): Studio {
  const bus = new EventEmitter();
  const gallery = openGallery({ dataDir: options.dataDir });
  const context: StudioContext = {
    dataDir: options.dataDir,
    transport: options.transport,
    gallery,
    emit(event, payload) {
      // Events are validated like responses: a malformed event is a bug here, not the client's problem.
      const checked = events[event].parse(payload);
      bus.emit('event', event, checked);
    },
  };
  const handlers: Handlers = {
    ...appHandlers(context),
    ...galleryHandlers(context),
  };
  const dispatch = createDispatcher(handlers, options.log ?? ((message) => console.error(message)));
  return {
    context,
    dispatch,
    onEvent(listener) {
      bus.on('event', listener);
      return () => bus.off('event', listener);
    },
    async close() {
      bus.removeAllListeners();
      gallery.close();
    },
  };
}
