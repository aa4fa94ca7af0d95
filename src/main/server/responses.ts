/**
 * Writing answers for `ganvas serve`: the security headers every response
 * carries, and plain-text or Outcome-shaped JSON answers that are safe to
 * attempt when the client has already gone away.
 */
import type { ServerResponse } from 'node:http';
import type { ApiError, Outcome } from '../../shared/contract.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/security.js';

export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  // The client may have hung up while we worked: there is nobody to answer.
  if (res.headersSent || res.destroyed || res.writableEnded) return;
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
  res.end(body);
}

export function sendOutcome(res: ServerResponse, status: number, outcome: Outcome<unknown>, extra: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(outcome), 'application/json', extra);
}

/** An Outcome error with an HTTP status, for refusals before any method runs (413, 503, 400…). */
export function sendError(res: ServerResponse, status: number, error: ApiError, extra: Record<string, string> = {}): void {
  sendOutcome(res, status, { ok: false, error }, extra);
}

export function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
