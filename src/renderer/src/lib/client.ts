/**
 * The renderer's one client of the contract. Two transports, picked at
 * start-up; the views cannot tell which one they are talking to:
 * - Electron: the preload's `window.ganvas` bridge (IPC) and the
 *   `ganvas-media:` protocol for images;
 * - `ganvas serve`: JSON POSTs to `/api/<method>`, large files streamed to
 *   `/upload` first (named by upload id in the JSON), events over a WebSocket
 *   at `/events`, images under `/media/`. The auth cookie was set when the
 *   page was first opened with `?token=…`, so requests only need same-origin
 *   credentials. Refusals (413 too large, 503 busy) come as the same JSON
 *   Outcome, so the views show the server's message.
 */
import {
  GanvasError,
  MEDIA_SCHEME,
  UploadReceipt,
  type EventName,
  type EventPayload,
  type GanvasClient,
  type MethodName,
  type PreloadBridge,
  type Request,
  type Response,
} from '../../../shared/contract.js';
import { openEventSocket, type EventSocket } from './event-socket.js';
import { checkEventPayload, unwrapAnswer, unwrapOutcome } from './outcome.js';

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

/** POSTs one body and returns the Outcome JSON the server answered, whatever the HTTP status. */
async function post(what: string, path: string, type: string, body: string | Blob): Promise<unknown> {
  let response: globalThis.Response;
  try {
    response = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': type }, body });
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
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GanvasError({
      code: 'failed',
      message: `${what}: the server answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
    });
  }
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
      const outcome = await post(method, `/api/${encodeURIComponent(method)}`, 'application/json', JSON.stringify(request));
      return unwrapOutcome(method, outcome);
    },
    async upload(file: Blob): Promise<UploadReceipt> {
      // The Blob goes as the body itself: the browser streams it from disk, with its Content-Length.
      return unwrapAnswer('upload', UploadReceipt, await post('upload', '/upload', 'application/octet-stream', file));
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
