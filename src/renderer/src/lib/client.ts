/**
 * The renderer's one client of the contract. Two transports, picked at
 * start-up; the views cannot tell which one they are talking to:
 * - Electron: the preload's `window.ganvas` bridge (IPC) and the
 *   `ganvas-media:` protocol for images;
 * - `ganvas serve`: JSON POSTs to `/api/<method>`, events over a WebSocket at
 *   `/events`, images under `/media/`. The auth cookie was set when the page
 *   was first opened with `?token=…`, so requests only need same-origin
 *   credentials.
 */
import {
  GanvasError,
  MEDIA_SCHEME,
  type EventName,
  type EventPayload,
  type GanvasClient,
  type MethodName,
  type PreloadBridge,
  type Request,
  type Response,
} from '../../../shared/contract.js';
import { openEventSocket, type EventSocket } from './event-socket.js';
import { checkEventPayload, unwrapOutcome } from './outcome.js';

declare global {
  interface Window {
    ganvas?: PreloadBridge;
  }
}

type Listener = (payload: unknown) => void;

export function createClient(): GanvasClient {
  const bridge = typeof window !== 'undefined' ? window.ganvas : undefined;
  return bridge ? createElectronClient(bridge) : createHttpClient(window.location);
}

export function createElectronClient(bridge: PreloadBridge): GanvasClient {
  return {
    transport: 'electron',
    async call<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>> {
      return unwrapOutcome(method, await bridge.call(method, request));
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => {
        const checked = checkEventPayload(event, payload);
        if (checked !== undefined) listener(checked);
      });
    },
    mediaUrl(hash, variant) {
      return `${MEDIA_SCHEME}://${variant}/${hash}`;
    },
  };
}

export function createHttpClient(location: Pick<Location, 'protocol' | 'host'>): GanvasClient {
  const listeners = new Map<EventName, Set<Listener>>();
  let socket: EventSocket | undefined;

  const deliver = (event: EventName, payload: unknown) => {
    const subscribed = listeners.get(event);
    if (!subscribed?.size) return;
    const checked = checkEventPayload(event, payload);
    if (checked === undefined) return;
    for (const listener of [...subscribed]) listener(checked);
  };

  const ensureSocket = () => {
    if (socket) return;
    socket = openEventSocket({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`,
      deliver,
      // Changes made while the socket was down were never announced: tell
      // gallery listeners to reload rather than show stale results.
      onReconnect: () => deliver('gallery.changed', { reason: 'updated', ids: [] }),
    });
  };

  return {
    transport: 'http',
    async call<M extends MethodName>(method: M, request: Request<M>): Promise<Response<M>> {
      let response: globalThis.Response;
      try {
        response = await fetch(`/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(request),
        });
      } catch (error) {
        throw new GanvasError({
          code: 'failed',
          message: `Cannot reach the GANvas server (${error instanceof Error ? error.message : String(error)}). Is \`ganvas serve\` still running?`,
        });
      }
      if (response.status === 401) {
        throw new GanvasError({
          code: 'failed',
          message: 'This browser is not signed in to GANvas. Open the URL that `ganvas serve` printed (it ends in ?token=…).',
        });
      }
      const text = await response.text();
      let outcome: unknown;
      try {
        outcome = JSON.parse(text);
      } catch {
        throw new GanvasError({
          code: 'failed',
          message: `${method}: the server answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        });
      }
      return unwrapOutcome(method, outcome);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      ensureSocket();
      let subscribed = listeners.get(event);
      if (!subscribed) listeners.set(event, (subscribed = new Set()));
      const untyped = listener as Listener;
      subscribed.add(untyped);
      return () => {
        subscribed.delete(untyped);
      };
    },
    mediaUrl(hash, variant) {
      return `/media/${variant}/${hash}`;
    },
  };
}
