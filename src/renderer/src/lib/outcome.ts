/**
 * Turning what a transport delivered into a typed value, the same way for
 * Electron IPC and the HTTP bridge. The response is validated against the
 * contract so that a main process and renderer built from different versions
 * fail loudly at the boundary instead of deep inside a view.
 */
import type { z } from 'zod';
import {
  GanvasError,
  errorCodes,
  events,
  methods,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type MethodName,
  type Response,
} from '../../../shared/contract.js';

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (errorCodes as readonly string[]).includes(code);
}

export function unwrapOutcome<M extends MethodName>(method: M, outcome: unknown): Response<M> {
  return unwrapAnswer(method, methods[method].response, outcome) as Response<M>;
}

/** The same for answers that are not a contract method's (e.g. `POST /upload`), checked against `schema`. */
export function unwrapAnswer<S extends z.ZodType>(method: string, schema: S, outcome: unknown): z.output<S> {
  if (typeof outcome !== 'object' || outcome === null || !('ok' in outcome)) {
    throw new GanvasError({ code: 'failed', message: `${method}: the studio sent an answer GANvas cannot read` });
  }
  const shaped = outcome as { ok: unknown; value?: unknown; error?: unknown };
  if (shaped.ok !== true) {
    const error = (shaped.error ?? {}) as { code?: unknown; message?: unknown; issues?: unknown };
    const issues = Array.isArray(error.issues)
      ? error.issues.filter(
          (issue): issue is { path: string; message: string } =>
            typeof issue === 'object' && issue !== null && typeof issue.path === 'string' && typeof issue.message === 'string',
        )
      : undefined;
    throw new GanvasError({
      code: isErrorCode(error.code) ? error.code : 'failed',
      message: typeof error.message === 'string' ? error.message : `${method} failed`,
      ...(issues ? { issues } : {}),
    });
  }
  const parsed = schema.safeParse(shaped.value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.map(String).join('.') || '(value)'}: ${first.message}` : 'unknown mismatch';
    throw new GanvasError({
      code: 'failed',
      message: `${method}: the studio's answer does not match this version of GANvas (${where})`,
    });
  }
  return parsed.data;
}

/** Returns the payload when it matches the contract, undefined (and a console warning) when not. */
export function checkEventPayload<E extends EventName>(event: E, payload: unknown): EventPayload<E> | undefined {
  const parsed = events[event].safeParse(payload);
  if (!parsed.success) {
    console.warn(`GANvas: ignored a malformed "${event}" event`, parsed.error.issues);
    return undefined;
  }
  return parsed.data as EventPayload<E>;
}
