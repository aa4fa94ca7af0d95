/**
 * The HTTP bridge's event channel: one WebSocket to `/events` that
 * reconnects with capped exponential backoff when the server restarts or the
 * laptop sleeps. Listeners stay registered across reconnects.
 */
import { isEventName, type EventName } from '../../../shared/contract.js';

export interface EventSocketOptions {
  url: string;
  /** Called with each well-formed `{ event, payload }` message. */
  deliver: (event: EventName, payload: unknown) => void;
  /** Called after a reconnect, because events sent while disconnected are lost. */
  onReconnect?: () => void;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export interface EventSocket {
  close(): void;
}

export function nextBackoffDelay(attempt: number, firstDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, attempt));
}

export function openEventSocket(options: EventSocketOptions): EventSocket {
  const firstDelayMs = options.firstDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 15_000;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let everOpened = false;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    if (closed) return;
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      if (everOpened) options.onReconnect?.();
      everOpened = true;
    });
    ws.addEventListener('message', (message) => {
      if (typeof message.data !== 'string') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null) return;
      const { event, payload } = parsed as { event?: unknown; payload?: unknown };
      if (isEventName(event)) options.deliver(event, payload);
    });
    ws.addEventListener('close', () => {
      if (closed) return;
      retryTimer = setTimeout(connect, nextBackoffDelay(attempt++, firstDelayMs, maxDelayMs));
    });
  };
  connect();

  return {
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
    },
  };
}
