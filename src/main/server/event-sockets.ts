/**
 * The `/events` WebSocket of `ganvas serve`: contract events, server →
 * browser only.
 *
 * Nothing a client sends may end the server. An unmasked frame, invalid
 * UTF-8, a reserved opcode or a frame over `maxPayload` makes `ws` close that
 * socket and emit 'error' on it, and an 'error' nobody listens to ends the
 * process (with every job in it); so every socket gets an error listener
 * before anything else, from the raw upgrade socket on. A browser that stops
 * reading is dropped once too much is queued for it, instead of the server
 * holding every event for it in memory.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface EventSocketLimits {
  /** Browsers connected at once (a studio tab holds one). */
  maxSockets: number;
  /** Bytes queued for one socket before it counts as not reading and is closed. */
  maxQueuedBytes: number;
}

export const defaultEventSocketLimits: EventSocketLimits = { maxSockets: 64, maxQueuedBytes: 16 * 1024 * 1024 };

export interface EventSockets {
  /** Completes an upgrade that passed the server's checks, or refuses it with `refusal`. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refusal: { status: number; reason: string } | null): void;
  broadcast(message: string): void;
  readonly count: number;
  close(): void;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

export function createEventSockets(limits: EventSocketLimits, log: (message: string) => void): EventSockets {
  const sockets = new Set<WebSocket>();
  // The channel is one-way, so a browser never needs to send more than a close frame.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, clientTracking: false });
  wss.on('error', (error) => log(`event socket server: ${error.message}`));
  // Bad handshakes (a wrong Sec-WebSocket-Key…): answer 400 and close, as ws does without this listener, but never throw.
  wss.on('wsClientError', (_error, socket) => refuse(socket, 400, 'Bad Request'));

  return {
    upgrade(req, socket, head, refusal) {
      // Node removes its own listeners from an upgraded socket: without this, a reset during the handshake ends the process.
      socket.on('error', () => socket.destroy());
      if (refusal) return refuse(socket, refusal.status, refusal.reason);
      if (sockets.size >= limits.maxSockets) return refuse(socket, 503, 'Service Unavailable');
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('error', (error) => {
          // ws has already started closing this socket; the others carry on.
          log(`event socket closed after a bad frame: ${error.message}`);
          sockets.delete(ws);
        });
        ws.on('close', () => sockets.delete(ws));
        ws.on('message', () => {});
      });
    },
    broadcast(message) {
      for (const ws of sockets) {
        if (ws.readyState !== ws.OPEN) continue;
        if (ws.bufferedAmount > limits.maxQueuedBytes) {
          log(`event socket closed: the browser stopped reading (${ws.bufferedAmount} bytes queued)`);
          sockets.delete(ws);
          ws.terminate();
          continue;
        }
        ws.send(message, () => {});
      }
    },
    get count() {
      return sockets.size;
    },
    close() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      wss.close();
    },
  };
}
